"""The chart of accounts: spellings, roll-ups, and resolution that never guesses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prodlib.errors import ConfigError
from prodlib.reasons import Reason
from prodlib.taxonomy import get_chart, load_chart


@pytest.fixture(scope="module")
def chart():
    return get_chart()


@pytest.mark.parametrize("spelling", ["2100-01", "2100.01", "210001", "2100 1", "2100-1", " 2100-01 "])
def test_every_vendor_spelling_lands_on_the_same_detail(chart, spelling: str) -> None:
    assert chart.resolve(spelling).code == "2100-01"


def test_sections_follow_the_us_feature_layout(chart) -> None:
    assert chart.section_of("1100-01").id == "ATL"
    assert chart.section_of("1900-02").id == "ATL"  # ATL fringe
    assert chart.section_of("2500-02").id == "BTL"
    assert chart.section_of("5000-01").id == "POST"
    assert chart.section_of("6800-04").id == "OTHER"
    assert chart.section_of("8000-01").id == "BGT"
    assert chart.section_of("8000-01").below_grand_total


def test_fringe_accounts_are_the_x900s(chart) -> None:
    fringe = sorted(a.code for a in chart.accounts.values() if a.is_fringe)
    assert fringe == ["1900", "4900", "5900", "7900"]
    assert chart.accounts["1400"].fringe_account == "1900"
    assert chart.accounts["3300"].fringe_account == "4900"


def test_detail_codes_roll_up_to_their_account(chart) -> None:
    assert chart.account_of("3300-02").code == "3300"
    frame = chart.accounts_frame()
    # Chart order: ATL first, then BTL, post, other, below the grand total.
    assert list(frame["section"].drop_duplicates()) == ["ATL", "BTL", "POST", "OTHER", "BGT"]


def test_unknown_and_malformed_codes_are_quarantined_not_guessed(chart) -> None:
    assert chart.resolve("9950-01").reason is Reason.UNKNOWN_COST_CODE
    assert chart.resolve("2150-07").reason is Reason.UNKNOWN_COST_CODE  # account 2150 does not exist
    assert chart.resolve("2500-09").reason is Reason.UNKNOWN_COST_CODE  # account exists, detail does not
    assert chart.resolve("GRIP").reason is Reason.UNKNOWN_COST_CODE


def test_bare_account_resolves_only_when_it_has_one_detail(chart) -> None:
    assert chart.resolve("3700").code == "3700-01"  # Catering has one detail
    res = chart.resolve("2500")  # Set Operations has four
    assert res.code is None and res.reason is Reason.AMBIGUOUS_COST_CODE


def test_uncoded_lines_use_vendor_default_then_keywords(chart) -> None:
    assert chart.resolve(None, "anything", default_code="2500.02").code == "2500-02"
    assert chart.resolve("", "Catering lunch day 3").code == "3700-01"
    both = chart.resolve("", "catering and generator")
    assert both.reason is Reason.AMBIGUOUS_COST_CODE
    assert chart.resolve("", "misc").reason is Reason.MISSING_COST_CODE


def test_resolve_frame_matches_row_by_row(chart) -> None:
    raw = ["2500.02", None, "x", "", "3700", "2500"]
    desc = ["a", "catering", "b", "misc", "c", "d"]
    out = chart.resolve_frame(pd.Series(raw), pd.Series(desc))
    expected = [chart.resolve(r, d) for r, d in zip(raw, desc, strict=True)]

    def plain(col: pd.Series) -> list[str | None]:
        return [None if pd.isna(v) else v for v in col]

    assert plain(out["cost_code"]) == [e.code for e in expected]
    assert plain(out["reason"]) == [None if e.reason is None else e.reason.value for e in expected]


def test_the_chart_is_swappable(tmp_path: Path) -> None:
    p = tmp_path / "tv.yaml"
    p.write_text(
        """chart: tv-mini
version: "1"
effective_from: 2026-01-01
source: test
sections:
  - {id: ATL, name: Above, order: 1, range: [1000, 1999]}
  - {id: BTL, name: Below, order: 2, range: [2000, 4999]}
accounts:
  - {code: "1400", name: Cast, details: {"01": Series regulars}}
  - {code: "2500", name: Grip, details: {"01": Labor}}
"""
    )
    tv = get_chart(str(p))
    assert tv.name == "tv-mini"
    assert tv.resolve("2500").code == "2500-01"
    assert tv.resolve("3700-01").reason is Reason.UNKNOWN_COST_CODE


def test_a_broken_chart_names_the_file_and_the_problem(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(
        """chart: bad
version: "1"
effective_from: 2026-01-01
source: test
sections: [{id: ATL, name: Above, order: 1, range: [1000, 1999]}]
accounts: [{code: "2500", name: Grip, details: {"01": Labor}}]
"""
    )
    with pytest.raises(ConfigError, match=r"bad\.yaml.*2500 falls in no section"):
        load_chart(p)
