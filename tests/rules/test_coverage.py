"""The shipped rule data says where each figure comes from, and what it covers.

Read with plain yaml (not prodlib.rules), so a loader that forgot a field would not hide it here.
Every rate entry of every plan file, and every scale minimum, carries a non-empty ``source`` and a
boolean ``verified``; an unverified one says so in its source (SAMPLE or UNVERIFIED). The coverage
tests pin which years and states the files cover, so a figure that goes missing, or a gap that is
silently filled, is caught; the expected figures are typed here from the public pages named in the
rule files' sources.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import prodlib

RULES = Path(prodlib.__file__).resolve().parent / "data" / "rules"
PLAN_FILES = sorted((RULES / "plans").glob("*.yaml"))
D = Decimal


def _doc(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _plan(plan_id: str) -> dict:
    return next(d for d in map(_doc, PLAN_FILES) if d["plan"] == plan_id)


def _day(v: object) -> date | None:
    return None if v is None else (v if isinstance(v, date) else date.fromisoformat(str(v)))


def _in_force(rates: list[dict], on: date) -> list[dict]:
    """The entries in force on ``on`` (effective_to inclusive)."""
    return [r for r in rates if _day(r["effective_from"]) <= on
            and (_day(r.get("effective_to")) is None or on <= _day(r.get("effective_to")))]


def _says_unverified(source: str) -> bool:
    return "SAMPLE" in source or "UNVERIFIED" in source


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.name)
def test_every_rate_entry_has_a_source_and_a_verified_flag(path: Path) -> None:
    doc = _doc(path)
    assert doc["rates"], path.name
    for r in doc["rates"]:
        assert isinstance(r.get("source"), str) and r["source"].strip(), r["id"]
        assert isinstance(r.get("verified"), bool), r["id"]
        if not r["verified"]:
            assert _says_unverified(r["source"]), f"{r['id']}: an unverified figure must say so in its source"


def test_every_scale_minimum_has_a_source_and_a_verified_flag() -> None:
    doc = _doc(RULES / "scale_minimums.yaml")
    assert isinstance(doc["source"], str) and isinstance(doc["verified"], bool)
    for c in doc["classifications"]:
        source, verified = c.get("source", doc["source"]), c.get("verified", doc["verified"])
        assert isinstance(source, str) and source.strip(), c["classification"]
        assert isinstance(verified, bool), c["classification"]
        if not verified:
            assert _says_unverified(source), c["classification"]


def test_verified_entries_name_a_page() -> None:
    # verified: true means "read on the page named in source": the source carries its address.
    for path in PLAN_FILES:
        for r in _doc(path)["rates"]:
            if r["verified"]:
                assert "http" in r["source"], r["id"]


# --- Social Security, Medicare -----------------------------------------------------------------

SS_BASE = {2022: D("147000.00"), 2023: D("160200.00"), 2024: D("168600.00"), 2025: D("176100.00"),
           2026: D("184500.00")}


@pytest.mark.parametrize("year", sorted(SS_BASE))
def test_social_security_6_2_percent_with_the_base_of_each_year(year: int) -> None:
    rates = _plan("FICA-SS")["rates"]
    for on in (date(year, 1, 1), date(year, 12, 31)):
        (r,) = _in_force(rates, on)
        assert D(r["rate"]) == D("0.062") and D(r["cap"]["amount"]) == SS_BASE[year]
        assert (r["cap"]["scope"], r["cap"]["pool"]) == ("calendar_year", "SS")


def test_no_social_security_base_after_2026() -> None:
    # 2027's base is not shipped: a 2027 line is NO_SCHEDULE_IN_FORCE, never priced on 2026's base.
    assert _in_force(_plan("FICA-SS")["rates"], date(2027, 1, 1)) == []


@pytest.mark.parametrize("on", [date(2022, 1, 1), date(2023, 12, 31), date(2024, 1, 1), date(2026, 12, 31)])
def test_medicare_1_45_percent_without_a_cap(on: date) -> None:
    (r,) = _in_force(_plan("FICA-MED")["rates"], on)
    assert D(r["rate"]) == D("0.0145") and "cap" not in r


def test_medicare_file_says_the_additional_tax_is_employee_only() -> None:
    text = (RULES / "plans" / "medicare.yaml").read_text(encoding="utf-8")
    assert "0.9%" in text and "EMPLOYEE only" in text


# --- FUTA ----------------------------------------------------------------------------------------

# Added rate per (state, year): DOL's credit reductions (Federal Register notices; 2025 reported).
CREDIT_REDUCTION = {
    (2022, "CA"): D("0.003"), (2022, "CT"): D("0.003"), (2022, "IL"): D("0.003"), (2022, "NY"): D("0.003"),
    (2023, "CA"): D("0.006"), (2023, "NY"): D("0.006"),
    (2024, "CA"): D("0.009"), (2024, "NY"): D("0.009"),
    (2025, "CA"): D("0.012"),
    (2026, "CA"): D("0.015"),  # potential (statutory step), UNVERIFIED: DOL's final 2026 list not read
}


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_futa_net_0_6_percent_on_7000_and_the_credit_reductions_of_each_year(year: int) -> None:
    rates = _plan("FUTA")["rates"]
    mid = date(year, 6, 30)
    (base,) = [r for r in _in_force(rates, mid) if "states" not in r]
    assert D(base["rate"]) == D("0.006") and D(base["cap"]["amount"]) == D("7000.00")
    added = {(year, r["states"][0]): D(r["rate"]) for r in _in_force(rates, mid) if "states" in r}
    assert added == {k: v for k, v in CREDIT_REDUCTION.items() if k[0] == year}
    for r in _in_force(rates, mid):
        if "states" in r:
            assert len(r["states"]) == 1 and D(r["cap"]["amount"]) == D("7000.00")
            assert r["cap"]["pool"] == f"FUTA-CR-{r['states'][0]}" and r["fund"] == "FUTA"


def test_futa_2026_is_a_labelled_potential_not_the_final_list() -> None:
    text = (RULES / "plans" / "futa.yaml").read_text(encoding="utf-8")
    assert "DOL's final determination (after 2026-11-10) was NOT published where we could read it" in text
    (ca26,) = [r for r in _plan("FUTA")["rates"] if r["id"] == "futa-cr-ca-2026"]
    assert ca26["verified"] is False and ca26["source"].startswith("UNVERIFIED (potential")


# --- SUI -----------------------------------------------------------------------------------------

# (state, year) -> (new-employer rate, taxable wage base), as the rule file's sources give them.
SUI = {
    **{("CA", y): (D("0.034"), D("7000.00")) for y in range(2022, 2027)},
    ("NY", 2022): (D("0.041"), D("12000.00")), ("NY", 2023): (D("0.041"), D("12300.00")),
    ("NY", 2024): (D("0.041"), D("12500.00")), ("NY", 2025): (D("0.041"), D("12800.00")),
    ("NY", 2026): (D("0.041"), D("17600.00")),
    **{("GA", y): (D("0.027"), D("9500.00")) for y in range(2022, 2027)},
    ("NM", 2022): (D("0.010"), D("28700.00")), ("NM", 2023): (D("0.010"), D("30100.00")),
    **{("NM", y): (D("0.010"), D("31700.00")) for y in (2024, 2025, 2026)},
    ("IL", 2022): (D("0.03525"), D("12960.00")), ("IL", 2023): (D("0.0395"), D("13271.00")),
    ("IL", 2024): (D("0.0395"), D("13590.00")),
    **{("TX", y): (D("0.027"), D("9000.00")) for y in range(2022, 2027)},
}


@pytest.mark.parametrize("state", ["CA", "NY", "GA", "NM", "IL", "TX", "LA"])
def test_sui_rate_and_wage_base_per_state_and_year(state: str) -> None:
    rates = _plan("SUI")["rates"]
    for year in range(2022, 2028):
        for on in (date(year, 1, 1), date(year, 12, 31)):
            hits = [r for r in _in_force(rates, on) if r["states"] == [state]]
            want = SUI.get((state, year))
            if want is None:  # a deliberate gap (IL 2025-2026, LA, 2027): nothing in force, never a guess
                assert hits == [], (state, year)
                continue
            (r,) = hits
            assert (D(r["rate"]), D(r["cap"]["amount"])) == want, (state, year)
            assert (r["fund"], r["cap"]["scope"], r["cap"]["pool"]) == (state, "calendar_year", f"SUI-{state}")


def test_sui_file_names_its_gaps_and_the_overlay() -> None:
    text = (RULES / "plans" / "sui.yaml").read_text(encoding="utf-8")
    assert "RATES VARY PER EMPLOYER" in text and "rules overlay" in text
    assert "LA  none" in text and "$7,700" in text  # Louisiana: base known, no single new-employer rate
    assert "2025 and 2026 NOT published" in text  # Illinois


# --- SAG-AFTRA -----------------------------------------------------------------------------------

# PP date on/after -> (principal performers, background actors, theatrical residuals, supplemental HV)
SAG = {
    date(2017, 7, 1): ("0.1800", "0.1750", "0.1750", "0.1350"),
    date(2018, 7, 1): ("0.1850", "0.1800", "0.1800", "0.1350"),
    date(2019, 7, 1): ("0.1900", "0.1850", "0.1850", "0.1350"),
    date(2020, 7, 1): ("0.2000", "0.1950", "0.1950", "0.1350"),
    date(2021, 7, 1): ("0.2050", "0.2000", "0.2000", "0.1350"),
    date(2022, 7, 1): ("0.2100", "0.2050", "0.2050", "0.1350"),
}


@pytest.mark.parametrize("pp", sorted(SAG))
def test_sag_aftra_theatrical_rates_by_pp_date_back_to_2017(pp: date) -> None:
    rates = [r for r in _plan("SAG-AFTRA")["rates"] if r.get("media") == ["theatrical"]]
    for on in (pp, date(pp.year + 1, 6, 30)):
        live = _in_force(rates, on)
        perf = [r for r in live if r.get("classifications") == ["Principal Performer", "Stunt Performer"]]
        bg = [r for r in live if r.get("classifications") == ["Background Actor"]]
        resid = [r for r in live if r["earning_types"] == ["RESIDUAL_THEATRICAL"]]
        supp = [r for r in live if r["earning_types"] == ["RESIDUAL_SUPP_HV"]]
        assert [len(perf), len(bg), len(resid), len(supp)] == [1, 1, 1, 1], on
        assert (perf[0]["rate"], bg[0]["rate"], resid[0]["rate"], supp[0]["rate"]) == SAG[pp]
        for r in perf + bg:
            assert (D(r["cap"]["amount"]), r["cap"]["scope"]) == (D("232000.00"), "episode")
        assert all(r["verified"] for r in live)
    assert _in_force(rates, date(2017, 6, 30)) == []  # before 2017-07-01: not shipped


# Television (https://www.sagaftraplans.org/node/458): PP on/after -> (principal, background), and the
# per-episode ceilings by program length, $15,000 half-hour and $24,500 one-hour (UNVERIFIED).
SAG_TV = {date(2017, 7, 1): ("0.1800", "0.1750"), date(2018, 7, 1): ("0.1850", "0.1800"),
          date(2019, 7, 1): ("0.1900", "0.1850"), date(2020, 7, 1): ("0.2000", "0.1950"),
          date(2021, 7, 1): ("0.2050", "0.2000"), date(2022, 7, 1): ("0.2100", "0.2050")}


@pytest.mark.parametrize("pp", sorted(SAG_TV))
def test_sag_aftra_television_rates_and_ceilings_by_pp_date(pp: date) -> None:
    tv = [r for r in _plan("SAG-AFTRA")["rates"] if r.get("media") == ["television"]]
    for on in (pp, date(pp.year + 1, 6, 30)):
        live = _in_force(tv, on)
        got = {(r["classifications"][0], r["program_lengths"][0]): (r["rate"], D(r["cap"]["amount"]), r["cap"]["scope"])
               for r in live}
        assert len(got) == len(live) == 4, on
        perf, bg = SAG_TV[pp]
        assert got == {("Principal Performer", "half_hour"): (perf, D("15000.00"), "episode"),
                       ("Principal Performer", "one_hour"): (perf, D("24500.00"), "episode"),
                       ("Background Actor", "half_hour"): (bg, D("15000.00"), "episode"),
                       ("Background Actor", "one_hour"): (bg, D("24500.00"), "episode")}
        # the rate is the plan's page, the ceiling is reported only: the entry is not verified
        assert all(not r["verified"] and "UNVERIFIED" in r["source"] and "node/458" in r["source"] for r in live)
    assert _in_force(tv, date(2017, 6, 30)) == []
    assert _in_force(tv, date(2023, 7, 1)) == []  # the 2023 agreement's raised ceilings: not published where read


def test_sag_aftra_file_says_what_television_lacks() -> None:
    text = (RULES / "plans" / "sag_aftra.yaml").read_text(encoding="utf-8")
    assert "NOT published where we could read them" in text and "2023-07-01" in text
    assert "Sideletter K" in text and "UNVERIFIED" in text


# --- WGA, DGA ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "pension", "health"), [
    (date(2019, 5, 1), "0.085", "0.115"), (date(2024, 5, 1), "0.085", "0.115"),
    (date(2024, 5, 2), "0.085", "0.120"), (date(2026, 12, 1), "0.085", "0.120"),
])
def test_wga_pension_and_health_rates_and_cap(on: date, pension: str, health: str) -> None:
    live = _in_force(_plan("WGA")["rates"], on)
    assert {r["fund"]: r["rate"] for r in live} == {"Pension": pension, "Health": health}
    for r in live:
        assert (D(r["cap"]["amount"]), r["cap"]["scope"], r["cap"]["pool"]) == (D("225000.00"), "picture",
                                                                                 "WGA-covered")


def test_dga_pension_split_and_health() -> None:
    rates = _plan("DGA")["rates"]
    # 2019-07-01 allocation (dgaplans.org): 7.0% of the first $20,000 Basic, 4.8% Basic and 2.2%
    # Supplemental on $20,000-$150,000, 7.0% Supplemental above $150,000; health a SAMPLE.
    split = {(r["fund"], r.get("cap", {}).get("floor", "0"), r.get("cap", {}).get("amount")): r["rate"]
             for r in _in_force(rates, date(2020, 1, 1)) if r["fund"] != "Health"}
    assert split == {("Basic Pension", "0", "20000.00"): "0.070",
                     ("Basic Pension", "20000.00", "150000.00"): "0.048",
                     ("Supplemental Pension", "20000.00", "150000.00"): "0.022",
                     ("Supplemental Pension", "150000.00", None): "0.070"}
    (health,) = [r for r in _in_force(rates, date(2026, 12, 1)) if r["fund"] == "Health"]
    assert health["verified"] is False and "SAMPLE" in health["source"]


# --- WGA screenplay minimums (2023 MBA) ----------------------------------------------------------


def test_wga_screenplay_minimums_and_their_gaps() -> None:
    doc = _doc(RULES / "scale_minimums.yaml")
    high = {c["classification"]: c for c in doc["classifications"]
            if c["union"] == "WGA" and c.get("budget_tier") == "high" and "Screenplay" in c["classification"]
            and c.get("verified")}
    # Year 3 of the 2023 MBA, high tier, from the guild's 200%-of-minimum caps (341,310 / 2; 250,046 / 2).
    assert {k: (c["minimum"], _day(c["effective_from"]), _day(c["effective_to"])) for k, c in high.items()} == {
        "Original Screenplay, Including Treatment": ("170655.00", date(2025, 5, 2), date(2026, 5, 1)),
        "Original Screenplay, Excluding Treatment": ("125023.00", date(2025, 5, 2), date(2026, 5, 1)),
    }
    text = (RULES / "scale_minimums.yaml").read_text(encoding="utf-8")
    assert "were NOT published where we could read" in text  # years 1-2 and the low tier
    assert "2026 MBA's minimums (from 2026-05-02) were NOT published" in text
