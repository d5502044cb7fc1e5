"""work_rules.yaml's effective_to is honoured: a timecard day is checked by the schedule in force on it.

Hand-worked (grip, base rate 45.00, period ending Saturday 2026-03-07):
  Each day: call 07:00, meal 13:00-13:30, wrap 18:30 = 11.5 h - 0.5 h = 11 h worked.
  Schedule "eight" (in force 2026-01-01 .. 2026-03-04): 1.5x after 8 h:
      Tue 03-03: REG 8 x 45 = 360.00, OT_1_5 3 x 45 x 1.5 = 202.50 due.
  Schedule "ten" (in force from 2026-03-05): 1.5x after 10 h:
      Thu 03-05: REG 10 x 45 = 450.00, OT_1_5 1 x 67.50 = 67.50 due.
  The payroll pays each day exactly by its own schedule, so nothing is underpaid. Checked by "eight"
  (as when effective_to was ignored), Thursday's 67.50 would be short of 202.50: OVERTIME_UNDERPAID.
  With only "eight" in the file, Thursday has no schedule: NO_SCHEDULE_IN_FORCE on its first line.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from prodlib.guild import validate_payroll
from prodlib.production import Production
from prodlib.rules.work import WORK_FILE, load_work_rules
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",))
GRIP = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
        "period_end": "2026-03-07"}
LINES = [
    {**GRIP, "work_date": "2026-03-03", "earning_type": "REG", "hours": "8", "rate": "45", "amount": "360.00"},
    {**GRIP, "work_date": "2026-03-03", "earning_type": "OT_1_5", "hours": "3", "rate": "67.5", "amount": "202.50"},
    {**GRIP, "work_date": "2026-03-05", "earning_type": "REG", "hours": "10", "rate": "45", "amount": "450.00"},
    {**GRIP, "work_date": "2026-03-05", "earning_type": "OT_1_5", "hours": "1", "rate": "67.5", "amount": "67.50"},
]
TIMECARDS = pd.DataFrame(
    [("G", date(2026, 3, 3), "07:00", "13:00", "13:30", None, None, "18:30"),
     ("G", date(2026, 3, 5), "07:00", "13:00", "13:30", None, None, "18:30")],
    columns=["employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in", "wrap_time"])


def rules_file(tmp_path: Path, with_ten: bool) -> str:
    doc = yaml.safe_load(WORK_FILE.read_text(encoding="utf-8"))
    (shipped,) = doc["schedules"]
    eight = {**copy.deepcopy(shipped), "id": "eight", "effective_from": date(2026, 1, 1),
             "effective_to": date(2026, 3, 4)}
    ten = {**copy.deepcopy(shipped), "id": "ten", "effective_from": date(2026, 3, 5), "effective_to": None}
    ten["hourly"]["bands"]["normal"] = [
        {"from": "0", "to": "10", "multiplier": "1.0", "earning_type": "REG"},
        {"from": "10", "to": "12", "multiplier": "1.5", "earning_type": "OT_1_5"},
        {"from": "12", "to": "15", "multiplier": "2.0", "earning_type": "OT_2"},
        {"from": "15", "to": None, "multiplier": "3.0", "earning_type": "OT_3"},
    ]
    doc["schedules"] = [eight, ten] if with_ten else [eight]
    path = tmp_path / ("two.yaml" if with_ten else "one.yaml")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)


def reasons(work_path: str) -> dict[int, str]:
    valid, q = validate_payroll(payroll(LINES), TIMECARDS, PROD, work=load_work_rules(work_path))
    assert len(valid) + len(q) == len(LINES)
    return dict(zip(q["source_line"].astype(int), q["reason"], strict=True))


def test_the_schedule_in_force_on_each_date_is_picked(tmp_path: Path) -> None:
    book = load_work_rules(rules_file(tmp_path, with_ten=True))
    assert book.in_force(date(2026, 3, 4)).effective_to == date(2026, 3, 4)  # the last day of "eight"
    assert book.in_force(date(2026, 3, 5)).effective_from == date(2026, 3, 5)  # the first of "ten"
    assert book.in_force(date(2025, 12, 31)) is None  # before either


def test_each_day_is_checked_by_its_own_schedule(tmp_path: Path) -> None:
    assert reasons(rules_file(tmp_path, with_ten=True)) == {}


def test_a_day_after_effective_to_is_not_checked_by_the_ended_schedule(tmp_path: Path) -> None:
    # Lines 2-3 are Tuesday's (checked by "eight": paid right); line 4 is Thursday's REG line.
    assert reasons(rules_file(tmp_path, with_ten=False)) == {4: "NO_SCHEDULE_IN_FORCE"}


def test_the_shipped_file_is_one_open_ended_schedule() -> None:
    (only,) = load_work_rules().schedules
    assert (only.effective_from, only.effective_to) == (date(2024, 1, 1), None)
