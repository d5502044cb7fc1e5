"""A query's rows become the same frame as plain tuples as pandas makes of SQLAlchemy rows."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from prodlib.ledger.frames import rows_frame


def test_two_invoice_lines_and_a_reversal_read_as_pandas_reads_the_rows() -> None:
    eng = sa.create_engine("sqlite://")
    with eng.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE j (entry_id INTEGER, account TEXT, amount_cents INTEGER, "
                             "reverses INTEGER)")
        # INV-1 to cost code 1100 for 125.00, its AP credit, and a reversal of entry 1 (no account yet)
        conn.exec_driver_sql("INSERT INTO j VALUES (1, '1100', 12500, NULL), (1, 'AP', -12500, NULL), "
                             "(2, NULL, -12500, 1)")
        rows = conn.execute(sa.text("SELECT entry_id, account, amount_cents, reverses FROM j")).all()
    cols = ["entry_id", "account", "amount_cents", "reverses"]
    ours, theirs = rows_frame(rows, cols), pd.DataFrame(rows, columns=cols)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert list(ours["amount_cents"]) == [12500, -12500, -12500] and ours["account"].isna().tolist() == [
        False, False, True]
    assert rows_frame([], cols).columns.tolist() == cols and rows_frame([], cols).empty
