"""Column normalization shared by the ledger's writers and readers: text, ints, ISO dates, stamps.

Frames come from the pipeline with pandas, Arrow or Python values; the database wants plain lists.
``as_of``/``known_at`` filters live here too, so every temporal read cuts the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from prodlib.errors import LedgerArgumentError


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(dt: datetime) -> str:
    """Fixed-width ISO-8601 UTC, so text order is time order."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today(dt: datetime) -> str:
    """The UTC calendar day of a clock reading, ISO."""
    return dt.astimezone(UTC).date().isoformat()


def str_list(series: pd.Series | None, n: int) -> list[str | None]:
    if series is None:
        return [None] * n
    out = pa.array(series.astype(object).where(series.notna(), None), pa.string(), from_pandas=True)
    return out.to_pylist()


def int_list(series: pd.Series | None, n: int) -> list[int | None]:
    if series is None:
        return [None] * n
    return [None if pd.isna(v) else int(v) for v in series.tolist()]


def dates(series: pd.Series, column: str = "entry_date") -> list[str]:
    """ISO date strings from dates, timestamps or ISO text; refuses missing dates."""
    if series.isna().any():
        raise LedgerArgumentError(f"{column} is missing on some rows")
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        arr = pa.array(series)
    else:
        ts = pd.to_datetime(series.astype(object) if series.dtype == object else series)
        arr = pa.array(ts.to_numpy().astype("datetime64[D]"))
    return pc.strftime(pc.cast(arr, pa.timestamp("s")), "%Y-%m-%d").to_pylist()


def iso(d: date | str | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.date().isoformat()
    if isinstance(d, date):
        return d.isoformat()
    try:
        return date.fromisoformat(str(d)[:10]).isoformat()
    except ValueError as exc:
        raise LedgerArgumentError(f"{d!r} is not a date (YYYY-MM-DD)") from exc


def date_text(v) -> str | None:
    """A date read back from either backend, as ISO text."""
    if v is None:
        return None
    return v.isoformat() if isinstance(v, date) else str(v)[:10]


def temporal_filter(table: sa.Table, date_column: str, production_id: str, as_of: date | str | None,
                    known_at: datetime | str | None) -> list:
    """WHERE terms of an as-of read: this production, dated by ``as_of``, recorded by ``known_at``."""
    cond = [table.c.production_id == production_id]
    if as_of is not None:
        cond.append(table.c[date_column] <= date.fromisoformat(iso(as_of)))
    if known_at is not None:
        cond.append(table.c.recorded_at <= (stamp(known_at) if isinstance(known_at, datetime) else known_at))
    return cond
