"""Files whose good rows are used but not journaled (timecards, bank lines) still balance their batch."""

from __future__ import annotations

import pandas as pd
import pytest

from prodlib.ledger import ConservationError


def one_bad_timecard() -> pd.DataFrame:
    return pd.DataFrame({
        "source_id": ["tc"], "source_file": ["timecards/we_0307.csv"], "source_line": [4], "row_hash": ["h"],
        "reason": ["MISSING_FIELD"], "field": ["wrap_time"], "detail": ["wrap_time='': empty"],
        "payload": ['{"Wrap": ""}'],
    })


def test_timecard_file_of_ten_rows_with_one_bad(led) -> None:
    # 10 rows read = 9 accepted (kept for the payroll rules, no journal entry) + 1 quarantined.
    r = led.post_batch("tc", "timecards/we_0307.csv", "f1", "timecard", None, one_bad_timecard(), 10, accepted=9)
    assert (r.rows_posted, r.rows_quarantined, r.first_entry_id) == (9, 1, None)
    b = led.batches_frame().iloc[0]
    assert (b["rows_read"], b["rows_posted"], b["rows_quarantined"]) == (10, 9, 1)
    assert led.quarantine_frame()["source_line"].tolist() == [4]
    assert led.entries_frame().empty


def test_accepted_rows_are_part_of_conservation(led) -> None:
    with pytest.raises(ConservationError, match="accepted 8"):
        led.post_batch("tc", "timecards/we_0307.csv", "f1", "timecard", None, one_bad_timecard(), 10, accepted=8)
    with pytest.raises(ValueError):
        led.post_batch("tc", "timecards/we_0307.csv", "f1", "timecard", None, None, 0, accepted=-1)
    assert led.batches_frame().empty
