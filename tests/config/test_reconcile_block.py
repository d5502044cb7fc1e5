"""production.yaml's ``reconcile:`` block: one key per field of ReconcileSettings, strict, figures quoted."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.errors import ConfigError
from prodlib.production import ProductionFile, load_production, production_document, write_production
from prodlib.reconcile.findings import ReconcileSettings
from tests.config.files import PRODUCTION

BLOCK = """reconcile:
  over_invoice_abs: "100.00"
  over_invoice_pct: "2.5"
  no_po_threshold: "1000.00"
  po_match_days: 30
  bank_match_days: 5
  stale_days: 120
"""


def _load(tmp_path: Path, text: str):
    (tmp_path / "production.yaml").write_text(text)
    return load_production(tmp_path / "production.yaml")


def test_every_setting_is_a_key_and_every_key_a_setting() -> None:
    block = ProductionFile.model_fields["reconcile"].annotation
    assert set(block.model_fields) == {f.name for f in fields(ReconcileSettings)}


def test_the_block_is_what_the_reconciliation_judges_by(tmp_path: Path) -> None:
    p = _load(tmp_path, PRODUCTION + BLOCK)
    assert p.reconcile == ReconcileSettings(over_invoice_abs=Decimal("100.00"), over_invoice_pct=Decimal("2.5"),
                                            no_po_threshold=Decimal("1000.00"), po_match_days=30,
                                            bank_match_days=5, stale_days=120)


def test_without_the_block_the_samples_apply_and_a_partial_block_keeps_the_rest(tmp_path: Path) -> None:
    assert _load(tmp_path, PRODUCTION).reconcile == ReconcileSettings()
    p = _load(tmp_path, PRODUCTION + 'reconcile:\n  stale_days: 30\n')
    assert p.reconcile == ReconcileSettings(stale_days=30)


def test_a_misspelled_key_names_file_line_and_key(tmp_path: Path) -> None:
    # PRODUCTION has 6 lines; "reconcile:" is line 7, "over_invoice_abs" line 8.
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, PRODUCTION + BLOCK.replace("over_invoice_abs", "over_invoice_ab"))
    assert str(err.value) == (f"{tmp_path / 'production.yaml'}, line 8, field 'reconcile.over_invoice_ab': "
                              "unknown key; did you mean 'over_invoice_abs'?")


def test_an_unquoted_figure_and_a_negative_count_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 9, field 'reconcile.over_invoice_pct': 2.5 must be quoted"):
        _load(tmp_path, PRODUCTION + BLOCK.replace('"2.5"', "2.5"))
    with pytest.raises(ConfigError, match=r"line 13, field 'reconcile.stale_days': stale_days must not be negative"):
        _load(tmp_path, PRODUCTION + BLOCK.replace("120", "-1"))


def test_the_written_block_reads_back_equal(tmp_path: Path) -> None:
    p = _load(tmp_path, PRODUCTION + BLOCK)
    doc = production_document(p)["reconcile"]
    assert doc["over_invoice_abs"] == "100.00" and doc["stale_days"] == 120  # figures quoted, days whole
    write_production(p, tmp_path / "again.yaml")
    assert load_production(tmp_path / "again.yaml").reconcile == p.reconcile
