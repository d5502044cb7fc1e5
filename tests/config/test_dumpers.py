"""The dumpers write what the loaders read back equal: production.yaml and sources.yaml."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from prodlib.production import Episode, Production, load_production, write_production
from prodlib.sources import SourceSpec, load_input_set, write_sources
from tests.config.files import CHART, input_folder


def test_production_round_trip(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "mini.yaml").write_text(CHART)
    production = Production(
        production_id="P-9", title="Round Trip", employer_code="EMP-9",
        chart=str((tmp_path / "charts" / "mini.yaml").resolve()), currency="USD",
        window_start=date(2026, 1, 5), window_end=date(2026, 6, 26), pp_date=None,
        budget_version="BV-2", budget_locked_on=date(2026, 1, 2), budget_author="UPM", states=("CA", "NM"),
        episodes=(Episode("E101", date(2026, 3, 2)), Episode("E102", None)),
        budget_tier="high", budget_total=Decimal("35000000.00"),  # 35M >= 5M: high, consistent
    )
    path = write_production(production, tmp_path / "production.yaml")
    assert "chart: charts/mini.yaml" in path.read_text()  # a chart in the folder is written relative to it
    assert load_production(path) == production


def test_sources_round_trip(tmp_path: Path) -> None:
    root = input_folder(tmp_path)
    (root / "inv" / "lum.csv").write_text("x\n")
    specs = (
        SourceSpec(id="acme", kind="invoice", path=(root / "inv" / "acme.csv").resolve(), display_path="inv/acme.csv",
                   columns={"invoice_number": "Invoice #", "amount": "Amount"}, date_format="%m/%d/%Y",
                   constants={"vendor_id": "V-ACME"}, default_cost_code="2500-02"),
        SourceSpec(id="lum", kind="invoice", path=(root / "inv" / "lum.csv").resolve(), display_path="inv/lum.csv",
                   columns={"invoice_number": "Facture", "amount": "Montant"}, money_locale="eu", delimiter=";",
                   encoding="cp1252"),
    )
    write_sources(specs, "production.yaml", root / "sources.yaml")
    assert load_input_set(root).sources == specs
    again = load_input_set(root)
    write_sources(again.sources, "production.yaml", root / "sources.yaml", header="# written by a test\n")
    assert load_input_set(root) == again
