"""How reports look: HTML tables, the data stamp header, plotly charts, offline plotly setup.

Everything here returns HTML strings or figures; the notebooks only display them. Tables are plain,
self-contained HTML (their own scoped <style>, no external CSS) so the rendered report opens offline.
"""

from __future__ import annotations

import html
from decimal import Decimal

import pandas as pd

from prodlib.money import format_money
from prodlib.reports import cashflow as cf
from prodlib.reports import contingency as cg
from prodlib.reports import pnh
from prodlib.reports.audience import audience
from prodlib.reports.cost import AMOUNT_COLUMNS, COLUMN_LABELS, CostReport
from prodlib.reports.exceptions import AGE_BUCKETS, ROW_LABELS, ExceptionsReport
from prodlib.reports.load import DataStamp

OFFLINE_RENDERER = "prodlib_offline"

# text-align is !important: JupyterLab's output CSS right-aligns every cell with a more specific selector.
_TABLE_CSS = """<style>
table.prodlib {border-collapse: collapse; font-size: 12px; font-family: system-ui, sans-serif; margin: 0.5em 0;}
table.prodlib th, table.prodlib td {padding: 3px 8px; border-bottom: 1px solid #e3e3e3; text-align: left !important;}
table.prodlib th {background: #f2f4f7; text-align: left; position: sticky; top: 0;}
table.prodlib th.num {text-align: right !important;}
table.prodlib td.num {text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap;}
table.prodlib td.neg {color: #b00020;}
table.prodlib tr.subtotal td {font-weight: 600; background: #f7f7f7; border-top: 1px solid #999;}
table.prodlib tr.total td, table.prodlib tr.grand_total td {font-weight: 700; border-top: 2px solid #333;}
table.prodlib tr.grand_total td {border-bottom: 3px double #333; background: #eef2f8;}
table.prodlib tr.below_grand_total td {font-style: italic;}
.prodlib-stamp {font-family: system-ui, sans-serif; font-size: 13px; color: #333;}
table.prodlib.stamp th {background: none; width: 11em;}
.prodlib-demo {background: #fff3cd; border: 1px solid #e0c36a; padding: 4px 8px; display: inline-block;}
</style>"""


def use_offline_plotly() -> str:
    """Make plotly figures render offline in notebooks and in nbconvert HTML; returns the renderer name.

    The renderer is plotly's "notebook" renderer (plotly.js inlined once, when it is activated here),
    except that figures do not add MathJax from a CDN: plotly 7's notebook renderer hard-codes
    ``include_mathjax="cdn"``, one external <script src> per figure, which an offline report must not have.
    """
    from prodlib.reports.imports import defer_iri_grammar

    defer_iri_grammar()  # plotly's renderers import nbformat, which imports jsonschema
    import plotly.io as pio
    from plotly.io._base_renderers import NotebookRenderer

    class _OfflineNotebookRenderer(NotebookRenderer):
        def to_mimebundle(self, fig_dict):
            return {"text/html": pio.to_html(
                fig_dict, config=self.config, auto_play=self.auto_play, include_plotlyjs=False,
                include_mathjax=False, full_html=False, default_width="100%", default_height=525, validate=False)}

    pio.renderers[OFFLINE_RENDERER] = _OfflineNotebookRenderer()
    pio.renderers.default = OFFLINE_RENDERER
    return OFFLINE_RENDERER


def _cell(value, kind: str = "text") -> str:
    if kind == "money":
        if value is None or value is pd.NA:
            return '<td class="num"></td>'
        d = Decimal(value)
        cls = "num neg" if d < 0 else "num"
        return f'<td class="{cls}">{format_money(d)}</td>'
    if kind == "pct":
        return '<td class="num"></td>' if value is None or value is pd.NA else f'<td class="num">{value}%</td>'
    return f"<td>{html.escape('' if value is None or value is pd.NA else str(value))}</td>"


def cost_table_html(report: CostReport) -> str:
    """The cost report as an HTML table: accounts, section subtotals, totals; (negatives) in red."""
    table = report.table()
    cols = ["account", "name", *AMOUNT_COLUMNS, "percent_spent"]
    head = "".join(f'<th class="{"text" if c in ("account", "name") else "num"}">{html.escape(COLUMN_LABELS[c])}</th>'
                   for c in cols)
    body = []
    for rec in table.to_dict("records"):
        cells = _cell(rec["account"]) + _cell(rec["name"])
        cells += "".join(_cell(rec[c], "money") for c in AMOUNT_COLUMNS) + _cell(rec["percent_spent"], "pct")
        body.append(f'<tr class="{rec["kind"]}" data-key="{html.escape(rec["key"])}">{cells}</tr>')
    note = (f'<p class="prodlib-stamp">{html.escape(report.variance_sign)}. '
            f'{html.escape(report.efc_method)}. % spent = actual to date / budget.</p>')
    return f'{_TABLE_CSS}<table class="prodlib cost-report"><thead><tr>{head}</tr></thead>' \
           f'<tbody>{"".join(body)}</tbody></table>{note}'


def stamp_html(report_name: str, stamp: DataStamp, max_batches: int = 20) -> str:
    """The report's header: title, and what data it was built from (the first ``max_batches`` files;
    the stamp JSON beside the report lists every one)."""
    items = [("Production", stamp.title), ("Rendered for", rendered_for(stamp)), ("Data source", stamp.source)]
    if stamp.budget_version:
        items.append(("Budget version", stamp.budget_version))
    items += [("As of", stamp.as_of)]
    if stamp.chart:
        items.append(("Chart of accounts", stamp.chart))
    items.append(("Inputs SHA-256", stamp.inputs_sha256))
    if stamp.journal_head:  # the books by their content, never by their location
        items.append(("Journal", f"{stamp.journal_entries:,} entries, chain head {stamp.journal_head}"))
        items.append(("Audit log", f"{stamp.audit_events:,} events, chain head {stamp.audit_head}"))
    for f, h, n in stamp.batches[:max_batches]:
        items.append(("Batch", f"{f} sha256 {h[:16]} ({n} rows posted)"))
    if len(stamp.batches) > max_batches:
        items.append(("Batch", f"... and {len(stamp.batches) - max_batches} more files (see the stamp JSON)"))
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items)
    demo = '<p class="prodlib-demo">DEMO DATA: built-in sample, not a production.</p>' if stamp.demo else ""
    return (f'{_TABLE_CSS}<div class="prodlib-stamp"><h1>{html.escape(report_name)}</h1>{demo}'
            f'<table class="prodlib stamp">{rows}</table></div>')


def rendered_for(stamp: DataStamp) -> str:
    """``role bond_rep (completion bond representative), person P-BOND-1``: who a report is for."""
    who = f", person {stamp.person}" if stamp.person else ""
    return f"role {stamp.role} ({audience(stamp.role).label}){who}"


def frame_html(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> str:
    """A small plain table (counts, rows) in the report's style."""
    labels = labels or {}
    head = "".join(f"<th>{html.escape(labels.get(c, c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(f'<td class="num">{v}</td>' if isinstance(v, int) else _cell(v) for v in row)
        body.append(f"<tr>{cells}</tr>")
    return f'{_TABLE_CSS}<table class="prodlib"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def fx_exposure_html(exposure: pd.DataFrame) -> str:
    """The foreign-currency exposure table (:func:`prodlib.reports.cost.fx_exposure`), or a line saying
    that every amount was in the production currency."""
    from prodlib.reports.cost import FX_EXPOSURE_LABELS

    if len(exposure) == 0:
        return "<p>No foreign-currency entries: every amount was posted in the production currency.</p>"
    return money_table_html(exposure, FX_EXPOSURE_LABELS, money=("original", "converted"))


def cost_chart(report: CostReport):
    """Grouped bars: budget vs estimated final cost per account (accounts with either), in chart order."""
    import plotly.graph_objects as go

    acc = report.accounts
    acc = acc[(acc["budget"] != 0) | (acc["efc"] != 0)]
    labels = [f"{a} {n}" for a, n in zip(acc["account"], acc["name"], strict=True)]
    fig = go.Figure()
    for col, name, color in (("budget", "Budget", "#8da0cb"), ("efc", "Estimated final cost", "#fc8d62")):
        values = [Decimal(v) for v in acc[col]]  # plotly serializes Decimal for display only
        fig.add_bar(x=labels, y=values, name=name, marker_color=color,
                    hovertext=[f"{name}: {format_money(v)}" for v in values], hoverinfo="x+text")
    fig.update_layout(barmode="group", title="Budget vs estimated final cost by account",
                      yaxis_title="Amount", xaxis_tickangle=-40, height=480, margin={"b": 140},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1, "xanchor": "right"})
    return fig


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


# --- the exceptions report ---------------------------------------------------------------------


def _exceptions_scope_note(report: ExceptionsReport) -> str:
    """What the report's role does not see, said on the page (nothing silent)."""
    notes = []
    if report.kinds_withheld:
        notes.append(f"{report.kinds_withheld:,} exception(s) of other input kinds are not in this "
                     f"{html.escape(report.role)} report")
    if report.rows_withheld:
        notes.append(f"Counts and amounts only for the {html.escape(report.role)} role: the "
                     f"{report.rows_withheld:,} waiting exception(s) are not listed (their rows name people and pay)")
    return "".join(f'<p class="prodlib-stamp">{n}.</p>' for n in notes)


def exceptions_summary_html(report: ExceptionsReport) -> str:
    """What is waiting, at stake, by kind, reason and source, and every exception by state."""
    if report.total == 0:
        return ('<p class="prodlib-stamp">The exception queue is empty: every row read was posted and the '
                "nights found nothing.</p>" + _exceptions_scope_note(report))
    head = (f'<p class="prodlib-stamp"><b>{report.waiting:,}</b> exception(s) waiting (open or in review), '
            f"<b>{format_money(report.waiting_amount)}</b> at stake, ages counted at {report.as_of}; "
            f"{report.total:,} opened in all.</p>")
    labels = {"kind": "Kind", "open": "Open", "in_review": "In review", "amount": "At stake", "state": "State",
              "exceptions": "Exceptions", "reason": "Reason", "description": "What it means", "source": "Source"}
    return (head + _exceptions_scope_note(report)
            + "<h3>Waiting, by kind</h3>" + money_table_html(report.by_kind, labels, money=("amount",))
            + "<h3>Waiting, by reason</h3>" + money_table_html(report.by_reason, labels, money=("amount",))
            + "<h3>Waiting, by source</h3>" + money_table_html(report.by_source, labels, money=("amount",))
            + "<h3>Every exception, by state</h3>" + money_table_html(report.by_state, labels, money=("amount",)))


def exceptions_age_chart(report: ExceptionsReport):
    """Stacked bars: waiting exceptions per kind, by age bucket (hover: the amount at stake)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    colors = ("#66c2a5", "#fdd166", "#fc8d62", "#d53e4f")
    kinds = list(report.by_kind["kind"])
    for (_, _, label), color in zip(AGE_BUCKETS, colors, strict=True):
        sub = report.by_age[report.by_age["bucket"] == label].set_index("kind")
        counts = [int(sub.loc[k, "exceptions"]) if k in sub.index else 0 for k in kinds]
        money = [format_money(Decimal(sub.loc[k, "amount"])) if k in sub.index else "0.00" for k in kinds]
        fig.add_bar(x=kinds, y=counts, name=label, marker_color=color,
                    hovertext=[f"{label}: {n} ({m} at stake)" for n, m in zip(counts, money, strict=True)],
                    hoverinfo="x+text")
    fig.update_layout(barmode="stack", title="Waiting exceptions by kind and age", yaxis_title="Exceptions",
                      height=420, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02})
    return fig


def exceptions_trend_chart(report: ExceptionsReport):
    """Per night: exceptions opened and closed (bars), and how many were waiting after it (line)."""
    import plotly.graph_objects as go

    t = report.trend
    nights = list(t["night"])
    fig = go.Figure()
    fig.add_bar(x=nights, y=[int(v) for v in t["opened"]], name="Opened", marker_color="#fc8d62")
    fig.add_bar(x=nights, y=[-int(v) for v in t["closed"]], name="Closed", marker_color="#66c2a5")
    fig.add_scatter(x=nights, y=[int(v) for v in t["waiting"]], name="Waiting after the night", mode="lines+markers",
                    line={"color": "#333"})
    fig.update_layout(barmode="relative", title="The queue night by night", yaxis_title="Exceptions", height=380,
                      xaxis={"type": "category"}, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02})
    return fig


def exceptions_rows_html(rows, max_rows: int = 300, withheld: int = 0) -> str:
    """A work list (``ExceptionsReport.oldest`` or ``largest``); at most ``max_rows`` (exceptions.csv has
    them all). ``withheld`` (``ExceptionsReport.rows_withheld``): waiting rows the role may not see."""
    shown = rows.head(max_rows)
    note = "" if len(shown) == len(rows) else (
        f'<p class="prodlib-stamp">Showing the first {len(shown)} of {len(rows)}; exceptions.csv lists every one.</p>')
    if withheld:
        return (f'<p class="prodlib-stamp">{withheld:,} waiting exception(s), not listed for this role: '
                "the counts and amounts above are all it shows.</p>")
    if not len(rows):
        return '<p class="prodlib-stamp">Nothing is waiting.</p>'
    return note + money_table_html(shown, ROW_LABELS, money=("amount",))
# --- cash flow ------------------------------------------------------------------------------------

CASH_FLOW_LABELS = {"period": "Period", "vendors": "Vendors (AP)", "payroll": "Payroll (gross)",
                    "fringes": "Fringes", "petty_cash": "Petty cash", "other": "Other", "incurred": "Incurred",
                    "cumulative": "Cumulative", "percent_of_budget": "% of budget", "cash_paid": "Cash paid"}


def cash_flow_summary_html(report: cf.CashFlowReport) -> str:
    """Budget, incurred to date, remaining, cash paid: the four figures a bond representative reads first."""
    items = [("Budget in force", report.budget_total), ("Incurred to date", report.total_incurred),
             ("Budget remaining", report.remaining_budget), ("Cash paid (books)", report.total_cash_paid)]
    rows = "".join(f"<tr><th>{html.escape(k)}</th>{_cell(v, 'money')}</tr>" for k, v in items)
    return f'{_TABLE_CSS}<table class="prodlib stamp">{rows}</table>'


def cash_flow_table_html(report: cf.CashFlowReport) -> str:
    """One row per period: incurred by stream, cumulative, share of budget, cash paid."""
    if len(report.periods) == 0:
        return '<p class="prodlib-stamp">No cost posted yet.</p>'
    money = (*cf.STREAMS, "incurred", "cumulative", "cash_paid")
    return money_table_html(report.periods, CASH_FLOW_LABELS, money=money)


def cash_flow_chart(report: cf.CashFlowReport):
    """Stacked bars per period by stream, with the cumulative line."""
    import plotly.graph_objects as go

    p = report.periods
    fig = go.Figure()
    for stream in cf.STREAMS:
        fig.add_bar(x=list(p["period"]), y=[Decimal(v) for v in p[stream]], name=CASH_FLOW_LABELS[stream])
    fig.add_scatter(x=list(p["period"]), y=[Decimal(v) for v in p["cumulative"]], name="Cumulative",
                    mode="lines+markers")
    fig.update_xaxes(type="category")  # "2026-03" is a period, not a date to plot at its first day
    fig.update_layout(barmode="relative", title=f"Cost incurred by {report.grain}", yaxis_title="Amount",
                      height=420, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1,
                                          "xanchor": "right"})
    return fig
