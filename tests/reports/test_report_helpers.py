"""Report helpers on the demo and hand-made frames: the cost report's display and export, the data
stamp, the inputs digest, the loaders' errors (the exceptions report's own: tests/exceptions/test_report.py)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pandas as pd
import pytest

from prodlib.reports import cost_report
from prodlib.reports.demo import demo_actuals, demo_budget, demo_commitments, demo_efc
from prodlib.reports.display import cost_chart, cost_table_html, stamp_html, use_offline_plotly
from prodlib.reports.export import cost_report_csv_frame, export_cost_report
from prodlib.reports.load import DataStamp, frames_digest, load_cost_report_inputs, load_exceptions, redact_url
from prodlib.taxonomy import get_chart


def test_demo_inputs_and_stamp():
    inputs = load_cost_report_inputs("", as_of="2026-03-31")
    assert inputs.stamp.demo and inputs.stamp.source == "demo" and inputs.stamp.budget_version == "DEMO-BV-1"
    assert "undated" in inputs.stamp.as_of
    current, _, stamp = load_exceptions("demo")
    assert len(current) == 8 and stamp.demo


def test_digest_is_order_independent_and_content_sensitive():
    b = demo_budget()
    assert frames_digest(budget=b) == frames_digest(budget=b.iloc[::-1])
    changed = b.copy()
    changed.loc[0, "amount"] = D("50000.01")
    assert frames_digest(budget=b) != frames_digest(budget=changed)
    assert frames_digest(budget=b, efc=None) != frames_digest(budget=b)


def test_ledger_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="no ledger database"):
        load_cost_report_inputs(f"sqlite:///{tmp_path}/missing.db", "BV-1")
    assert redact_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


@pytest.fixture(scope="module")
def demo_report():
    return cost_report(demo_budget(), demo_actuals(), get_chart("feature_us_sample"), demo_commitments(), demo_efc())


def test_cost_table_html_money_format(demo_report):
    page = cost_table_html(demo_report)
    # demo grand total, by hand: budget 361,500.00; EFC 370,606.55; variance 361,500.00 - 370,606.55 = -9,106.55
    assert '<td class="num">361,500.00</td>' in page
    assert '<td class="num">370,606.55</td>' in page
    assert '<td class="num neg">(9,106.55)</td>' in page
    assert page.count('<tr class="subtotal"') == 4 and page.count('<tr class="grand_total"') == 1


def test_stamp_html_escapes_and_flags_demo():
    s = DataStamp(source="sqlite:///x<y>.db", budget_version="BV-1", as_of="2026-03-31", title="A & B",
                  inputs_sha256="ab" * 32, batches=(("inv/a.csv", "f" * 64, 12),))
    page = stamp_html("Cost report", s)
    assert "A &amp; B" in page and "x&lt;y&gt;.db" in page
    assert "inv/a.csv sha256 ffffffffffffffff (12 rows posted)" in page
    assert "DEMO DATA" not in page
    many = DataStamp("x", "", "all", "t", batches=tuple((f"f{i}.csv", "0" * 64, 1) for i in range(25)))
    assert "f19.csv" in stamp_html("R", many) and "f20.csv" not in stamp_html("R", many)
    assert "and 5 more files" in stamp_html("R", many)
    assert "DEMO DATA" in stamp_html("Cost report", DataStamp("demo", "", "all", "t", demo=True))


def test_chart_has_no_cdn_and_plots_budget_and_efc(demo_report):
    import plotly.io as pio

    assert use_offline_plotly() == pio.renderers.default
    fig = cost_chart(demo_report)
    assert [t.name for t in fig.data] == ["Budget", "Estimated final cost"]
    assert len(fig.data[0].x) == 10  # demo accounts with a budget or an EFC: 11 budget lines in 10 accounts + 3700
    bundle = pio.renderers[pio.renderers.default].to_mimebundle(fig.to_dict())
    assert "cdn" not in bundle["text/html"].lower() and "<script src" not in bundle["text/html"]


def test_exports_are_exact_text(tmp_path, demo_report):
    inputs = load_cost_report_inputs("")
    csv = export_cost_report(demo_report, inputs.stamp, tmp_path)
    back = pd.read_csv(csv, dtype=str, keep_default_na=False)
    grand = back[back["kind"] == "grand_total"].iloc[0]
    assert (grand["budget"], grand["efc"], grand["variance"]) == ("361500.00", "370606.55", "-9106.55")
    assert back[back["key"] == "3700"].iloc[0]["percent_spent"] == ""  # no budget, no percentage
    stamp = json.loads((tmp_path / "cost_report.stamp.json").read_text())
    assert stamp["grand_total_efc"] == "370606.55" and stamp["demo"] is True
    assert list(cost_report_csv_frame(demo_report).columns)[:4] == ["kind", "key", "account", "name"]
