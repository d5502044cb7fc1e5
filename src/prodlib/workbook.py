"""Excel workbooks as text: every cell the text a user sees, typed numbers and dates without float error.

A workbook (``.xlsx``) stores typed cells: numbers as IEEE doubles, dates as dates. Ingest reads
text (one parser per format, :mod:`prodlib.money` and ``strptime``), so each typed cell becomes text
here, by these rules (:func:`cell_text`):

- a date is ISO text (``2026-03-04``), so a workbook source whose dates are typed keeps the default
  ``date_format: "%Y-%m-%d"``; a date with a time of day is ``2026-03-04 10:30:00`` (not a date: a
  date column refuses it); a time of day is ``6:30`` (``HH:MM:SS`` when it has seconds);
- a number in a money column becomes the exact text of its cents (``1234.5`` -> ``1234.50``) when
  the double is within :data:`CENT_TOLERANCE` of a whole number of cents (a formula's ``0.1+0.2``) or
  is the double nearest to that cents value (what Excel stores when one types ``999999999.99``);
  any other double (``1234.5678``, ``1/3``) becomes the full exact decimal expansion of the double,
  which the money parser refuses (MALFORMED_AMOUNT): a fraction of a cent is never rounded away;
- any other number becomes its shortest round-trip decimal (Python's ``repr``: what was typed), a
  whole number without ``.0`` (an invoice number ``10045``); the column's parser then decides;
- numbers are written in the source's ``money_locale`` (``1234,50`` for ``eu``), without grouping;
- a boolean is ``TRUE``/``FALSE``; an empty cell (or a formula with no cached value) is ``""``.

No float arithmetic happens: a double is turned into its exact ``Decimal`` and compared there.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from prodlib.errors import InputError
from prodlib.money import round_cents

#: How far a typed money double may be from a whole number of cents and still be read as that
#: amount: far below a cent, far above the error of a spreadsheet's sum of a few amounts.
CENT_TOLERANCE = Decimal("1e-9")


def _plain(value: Decimal, locale: str) -> str:
    text = f"{value:f}"
    return text.replace(".", ",") if locale == "eu" else text


def number_text(value: float, kind: str, locale: str = "us") -> str:
    """A typed number as text for a column of ``kind`` ("money", "quantity", "text", ...)."""
    if not math.isfinite(value):
        return repr(value)
    exact = Decimal(value)  # the double's own value, every digit of it
    typed = Decimal(repr(value))  # the shortest decimal that reads back as this double
    if kind == "money":
        cents = round_cents(exact)
        if abs(exact - cents) <= CENT_TOLERANCE or typed == cents:
            return _plain(cents, locale)
        return _plain(exact, locale)
    if typed == typed.to_integral_value():
        return f"{typed.to_integral_value():f}"
    return _plain(typed, locale)


def cell_text(value: Any, kind: str = "text", locale: str = "us") -> str:
    """One cell as the text ingest reads (rules in the module docstring)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value, kind, locale)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}" if not (value.second or value.microsecond) else value.isoformat()
    if isinstance(value, timedelta):
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02d}" if not seconds else str(value)
    return str(value)


def _open(data: bytes, display: str) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for a file that is no workbook
        raise InputError(display, f"cannot be read as a workbook ({type(exc).__name__}: {exc})") from None


def sheet_names(data: bytes, display: str) -> list[str]:
    """The workbook's sheets, in order."""
    return list(_open(data, display).sheet_names)


def read_sheet(data: bytes, sheet: str | int | None, display: str, source_id: str) -> list[list[Any]]:
    """The typed cells of one sheet, row 0 being the sheet's row 1 (leading empty rows kept)."""
    book = _open(data, display)
    names = list(book.sheet_names)
    if sheet is None:
        sheet = 1
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise InputError(display, f"has no sheet {sheet} (it has {len(names)}: {names})",
                             field=f"{source_id}.sheet")
        name = names[sheet - 1]
    elif sheet in names:
        name = sheet
    else:
        raise InputError(display, f"has no sheet {sheet!r} (its sheets: {names})", field=f"{source_id}.sheet")
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
