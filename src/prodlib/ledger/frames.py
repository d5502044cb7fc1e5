"""The ledger's side of money columns: BIGINT cents in the database, MONEY_DTYPE in frames.

The conversions themselves live in :mod:`prodlib.money` (one way to do it); this module adds the
fixed-scale text the hash chain uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.money import cents_to_money, cents_to_money_array, money_to_cents

__all__ = ["cents_to_money", "cents_to_money_array", "cents_to_text", "money_to_cents", "rows_frame"]


def cents_to_text(cents: np.ndarray) -> list[str]:
    """Fixed-scale strings ("-12.30", "0.05") for the hash: Arrow's decimal-to-string cast."""
    return pc.cast(cents_to_money_array(cents), pa.string()).to_pylist()


def rows_frame(rows, columns: list[str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` of a query's rows, the same frame made from plain tuples:
    pandas asks each SQLAlchemy ``Row`` for attributes it lacks, which took two thirds of building a
    journal frame (2.7 s against 1.0 s CPU for 425,000 lines)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)
