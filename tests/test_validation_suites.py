"""The Great Expectations suites as the run hands rows to them: only the columns a suite names, dates
as timestamps, Great Expectations imported with the libraries our suites never use deferred.

Scenario: a small production shooting 2026-03-02 .. 2026-06-26 receives one vendor's invoice export
of five lines: two clean lines, one dated the week before prep starts, one without an invoice number,
and one without an amount.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from prodlib.money import to_money_series
from prodlib.production import Production
from prodlib.reasons import Reason
from prodlib.validate import suite_columns, validate_frame

SMALL = Production(title="Small", employer_code="SMALL-EMP", pp_date=date(2026, 3, 16),
                   window_start=date(2026, 3, 2), window_end=date(2026, 6, 26))


def invoices(dates: list) -> pd.DataFrame:
    return pd.DataFrame({
        "source_line": [2, 3, 4, 5, 6],
        "vendor_id": ["V-ACME"] * 5,
        "invoice_number": ["INV-1", "INV-2", "INV-3", None, "INV-5"],
        "description": ["Grip truck wk 1", "Expendables", "Early deposit", "Dolly track", "Tape"],
        "invoice_date": dates,
        "amount": to_money_series(["1200.00", "85.40", "500.00", "310.00", None]),
    })


DAYS = [date(2026, 3, 2), date(2026, 6, 26), date(2026, 2, 23), date(2026, 4, 1), date(2026, 4, 2)]


def failures(frame: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    return {(f.reason.value, f.field): sorted(frame.loc[list(f.index), "source_line"])
            for f in validate_frame("invoice", frame, SMALL)}


def test_the_invoice_suite_names_four_columns() -> None:
    # invoice.json: not null on vendor_id, invoice_number, invoice_date, amount; invoice_date in the window.
    assert suite_columns("invoice") == ("vendor_id", "invoice_number", "invoice_date", "amount")


@pytest.mark.parametrize("dates", ["arrow", "objects"])
def test_each_bad_line_fails_its_expectation_and_the_window_bounds_are_inclusive(dates: str) -> None:
    days = pa.array(DAYS, pa.date32())
    column = pd.Series(days, dtype=pd.ArrowDtype(pa.date32())) if dates == "arrow" else pd.Series(DAYS, dtype=object)
    frame = invoices(column)
    # By hand: line 4 (2026-02-23) is a week before the window opens; lines 2 and 3 sit on its first
    # and last day (inclusive bounds, so they pass); line 5 lacks its number, line 6 its amount.
    assert failures(frame) == {
        (Reason.MISSING_FIELD.value, "invoice_number"): [5],
        (Reason.MISSING_FIELD.value, "amount"): [6],
        (Reason.DATE_OUT_OF_WINDOW.value, "invoice_date"): [4],
    }


def test_great_expectations_is_imported_without_the_libraries_no_suite_uses() -> None:
    code = (
        "import sys\n"
        "from prodlib.validate import DEFERRED_IMPORTS, import_gx\n"
        "import_gx()\n"
        "for name in DEFERRED_IMPORTS:\n"
        "    m = sys.modules.get(name)\n"
        "    print(name, 'absent' if m is None else type(m).__name__)\n"
        "import altair\n"
        "print('altair on use', hasattr(altair, 'Chart'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    # Imported by GX but not yet run: LazyLoader's module type until an attribute is read; read, it works.
    for name in ("altair", "scipy.stats", "jsonschema"):
        assert f"{name} _LazyModule" in out or f"{name} absent" in out
    assert "altair on use True" in out
