"""How the P&H remittance and contingency reports look; built on :mod:`prodlib.reports.display`'s
table style, cells and stamp (same CSS, same money cells, negatives in red and in parentheses)."""

from __future__ import annotations

import html
from decimal import Decimal

import pandas as pd

from prodlib.money import format_money
from prodlib.reports import contingency as cg
from prodlib.reports import pnh
from prodlib.reports.display import _TABLE_CSS, _cell

_EXTRA_CSS = """<style>
table.prodlib tr.exception td {background: #fdecea;}
.prodlib-ok {color: #1b5e20; font-weight: 600;}
.prodlib-bad {color: #b00020; font-weight: 600;}
</style>"""


def money_table_html(frame: pd.DataFrame, labels: dict[str, str], money: tuple[str, ...] = (),
                     row_class: pd.Series | None = None) -> str:
    """A table in the report style; ``money`` columns formatted 1,234.56 / (1,234.56), right-aligned."""
    head = "".join(f'<th class="{"num" if c in money else "text"}">{html.escape(labels.get(c, c))}</th>'
                   for c in frame.columns)
    body = []
    classes = list(row_class) if row_class is not None else [""] * len(frame)
    for cls, rec in zip(classes, frame.to_dict("records"), strict=True):
        cells = ""
        for c in frame.columns:
            v = rec[c]
            if c in money:
                cells += _cell(v, "money")
            elif isinstance(v, bool):
                cells += _cell("yes" if v else "NO")
            elif isinstance(v, int):
                cells += f'<td class="num">{v}</td>'
            else:
                cells += _cell(v.isoformat() if hasattr(v, "isoformat") else v)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    return (f'{_TABLE_CSS}{_EXTRA_CSS}<table class="prodlib"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


# --- P&H remittance -------------------------------------------------------------------------------


def pnh_summary_html(report: pnh.PnhRemittanceReport) -> str:
    """Headline: does it tie, the totals, the late exposure on the as-of date."""
    m = format_money
    if report.ties:
        verdict = ('<p class="prodlib-ok">Tie-out OK: every fund and period ties to the ledger to the cent.</p>')
    else:
        verdict = (f'<p class="prodlib-bad">Tie-out: {len(report.exceptions)} exception(s); each is listed '
                   "below with the difference.</p>")
    return (f'{_TABLE_CSS}{_EXTRA_CSS}<div class="prodlib-stamp">{verdict}<p>'
            f"Total contribution (remittance files) <b>{m(report.total_contribution)}</b>; "
            f"ledger (FRINGE_PAYABLE) <b>{m(report.total_ledger)}</b>; difference "
            f"<b>{m(report.total_contribution - report.total_ledger)}</b>.<br>"
            f"As of {report.as_of.isoformat()}: outstanding <b>{m(report.total_outstanding)}</b>; late-payment "
            f"exposure <b>{m(report.total_late_charge)}</b>.</p></div>")


def pnh_plans_html(report: pnh.PnhRemittanceReport) -> str:
    cols = ["plan", "funds", "periods", *pnh.PLAN_MONEY_COLUMNS[:3], "tie", "paid", "outstanding", "late_charge"]
    labels = {**pnh.COLUMN_LABELS, "funds": "Funds", "periods": "Fund-periods"}
    row_class = report.plans["tie"].map(lambda t: "" if t else "exception")
    return money_table_html(report.plans[cols], labels, pnh.PLAN_MONEY_COLUMNS, row_class)


def pnh_funds_html(report: pnh.PnhRemittanceReport) -> str:
    """Per plan, fund and period; rows that do not tie are shaded."""
    row_class = report.funds["tie"].map(lambda t: "" if t else "exception")
    return money_table_html(report.funds, pnh.COLUMN_LABELS, pnh.FUND_MONEY_COLUMNS, row_class) + (
        f'<p class="prodlib-stamp">{html.escape(report.tie_method)}. {html.escape(report.late_method)}.</p>')


def pnh_exceptions_html(report: pnh.PnhRemittanceReport) -> str:
    if report.ties:
        return '<p class="prodlib-stamp">No exceptions.</p>'
    return money_table_html(report.exceptions, pnh.COLUMN_LABELS, pnh.EXCEPTION_MONEY_COLUMNS)


def pnh_chart(report: pnh.PnhRemittanceReport):
    """Stacked bars per plan: outstanding not yet due, outstanding overdue, and the late charge."""
    import plotly.graph_objects as go

    f = report.funds
    plans = list(report.plans["plan"])
    fig = go.Figure()
    for name, sel, col, color in (
        ("Outstanding, not yet due", f["status"] == "not yet due", "outstanding", "#8da0cb"),
        ("Outstanding, overdue", f["status"] == "overdue", "outstanding", "#fc8d62"),
        ("Late charge", f["status"] == "overdue", "late_charge", "#b00020"),
    ):
        values = [sum((Decimal(v) for v in f.loc[sel & (f["plan"] == p), col]), Decimal("0.00")) for p in plans]
        fig.add_bar(x=plans, y=values, name=name, marker_color=color,
                    hovertext=[f"{name}: {format_money(v)}" for v in values], hoverinfo="x+text")
    fig.update_layout(barmode="stack", title=f"Outstanding and late exposure by plan, as of {report.as_of}",
                      yaxis_title="Amount", height=420,
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1, "xanchor": "right"})
    return fig


# --- contingency ----------------------------------------------------------------------------------


def contingency_summary_html(report: cg.ContingencyReport) -> str:
    """The roll-forward, top to bottom, with the verdict on the last line."""
    roll = report.rollforward()
    rows = []
    strong = {2, 6, 8}
    for i, (line, amount) in enumerate(zip(roll["line"], roll["amount"], strict=True)):
        cls = "total" if i in strong else ""
        rows.append(f'<tr class="{cls}">{_cell(line)}{_cell(amount, "money")}</tr>')
    verdict = (f'<p class="prodlib-bad">Contingency is exhausted by the projected overruns: short by '
               f"{format_money(-report.after_overruns)}.</p>" if report.exhausted else
               f'<p class="prodlib-ok">Contingency remaining after projected overruns: '
               f"{format_money(report.after_overruns)}.</p>")
    return (f'{_TABLE_CSS}{_EXTRA_CSS}<div class="prodlib-stamp">{verdict}</div><table class="prodlib">'
            f'<thead><tr><th>Contingency (account {html.escape(report.contingency_account)})</th>'
            f'<th class="num">Amount</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="prodlib-stamp">{html.escape(report.convention)}</p>')


def contingency_steps_html(report: cg.ContingencyReport) -> str:
    if len(report.steps) == 0:
        return '<p class="prodlib-stamp">No later budget version: nothing drawn on contingency.</p>'
    cols = ["version_id", "kind", "effective_date", "author", "reason", "draws", "contingency_change",
            "increases", "decreases", "used", "moved_out", "still_in_line", "increased_accounts"]
    return money_table_html(report.steps[cols], cg.COLUMN_LABELS, cg.STEP_MONEY_COLUMNS)


def contingency_over_html(report: cg.ContingencyReport) -> str:
    if len(report.over_budget) == 0:
        return '<p class="prodlib-stamp">No account is over budget (EFC above budget).</p>'
    return money_table_html(report.over_budget, cg.COLUMN_LABELS, cg.OVER_MONEY_COLUMNS)


def contingency_chart(report: cg.ContingencyReport):
    """Waterfall: original, changes to the line, draws still in the line, projected overruns, what is left."""
    import plotly.graph_objects as go

    steps = [("Original", report.original, "absolute"), ("Line changes", report.line_changes, "relative"),
             ("Budgeted", report.budgeted, "total"), ("Used, still in line", -report.still_in_line, "relative"),
             ("Remaining", report.remaining, "total"), ("Projected overruns", -report.projected_overruns, "relative"),
             ("After overruns", report.after_overruns, "total")]
    fig = go.Figure(go.Waterfall(
        x=[s[0] for s in steps], y=[s[1] for s in steps], measure=[s[2] for s in steps],
        text=[format_money(s[1]) for s in steps], textposition="outside",
        decreasing={"marker": {"color": "#fc8d62"}}, increasing={"marker": {"color": "#66c2a5"}},
        totals={"marker": {"color": "#8da0cb"}}))
    fig.update_layout(title="Contingency: from the original budget to what is left after projected overruns",
                      yaxis_title="Amount", height=440, showlegend=False)
    return fig
