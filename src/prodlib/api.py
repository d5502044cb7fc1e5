"""prodlib's public API: what notebooks, tests and users import.

``from prodlib.api import cost_report, load_cost_report_inputs`` — every name below is stable and
documented where it is defined (each public type has an "Attributes" block naming its fields).
Names load on first use (PEP 562), so ``import prodlib.api`` stays fast and a notebook that only reads
the ledger never imports plotly, papermill or Great Expectations.

Groups:

- money: exact amounts (``round_cents`` is the one rounding step, ROUND_HALF_UP).
- production and inputs: the one production model, sources.yaml, the chart of accounts, rule data.
- pipeline and checks: the nightly run and the rules it runs, by name.
- ledger: the append-only, hash-chained books; read-only views; audit and export.
- access: roles.yaml as a role book, and the scoped session that reads as one person in one role.
- fringes: pension & health and statutory contributions, remittance files.
- reports: the pure builders behind each notebook, their loaders, display and export helpers.
- errors and reasons: the error tree (exit codes) and the quarantine vocabulary.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {}


def _export(module: str, *names: str) -> None:
    for name in names:
        _EXPORTS[name] = module


# money
_export("prodlib.money", "MONEY_DTYPE", "MONEY_TYPE", "round_cents", "money", "parse_money", "parse_quantity",
        "parse_money_column", "parse_quantity_column", "to_money_series", "sum_money", "format_money",
        "to_cents", "from_cents", "MoneyFormatError")
# production and inputs
_export("prodlib.production", "Production", "Episode", "load_production", "write_production")
_export("prodlib.sources", "SourceSpec", "InputSet", "load_input_set", "write_sources", "KINDS")
_export("prodlib.taxonomy", "ChartOfAccounts", "Account", "DetailCode", "Section", "Resolution", "get_chart",
        "load_chart")
_export("prodlib.rules", "load_plans", "load_scale", "load_work_rules", "PlanSet", "Plan", "RateEntry",
        "ScaleTable", "ScaleMinimum", "WorkRules", "WorkRuleBook")
_export("prodlib.ingest", "read_source", "IngestResult")
_export("prodlib.fx", "RateTable", "FxRate", "load_rate_table", "convert")
_export("prodlib.accounts", "AP", "CASH", "PETTY_CASH", "PAYROLL_LIABILITY", "fringe_payable",
        "is_balance_sheet", "is_cost_account")
_export("prodlib.columns", "BOOKKEEPING", "QUARANTINE_COLUMNS", "POSTING_COLUMNS")
# pipeline and checks
_export("prodlib.pipeline", "run", "RunResult", "SourceRun")
_export("prodlib.checks", "REGISTRY", "CheckContext", "Rule", "make_context", "rule", "rules_of")
_export("prodlib.guild", "validate_payroll")
# ledger
_export("prodlib.ledger", "Ledger", "LedgerView", "BatchResult", "verify_chain", "VerifyResult",
        "export_beancount")
# access: roles as data, the scoped session (prodlib.access)
_export("prodlib.access.roles", "RoleBook", "Member", "Grant", "Department", "load_roles", "ROLES")
_export("prodlib.access.scoped", "ScopedView", "ReadRecord")
# fringes
_export("prodlib.fringes", "compute_fringes", "fringe_postings")
_export("prodlib.remittance", "remittance_reports", "due_date", "late_charge")
# reports: builders (pure), loaders (the one place reports read the ledger), display, export
_export("prodlib.reports.cost", "CostReport", "CostLine", "cost_report", "fx_exposure")
_export("prodlib.reports.exceptions", "ExceptionsReport", "exceptions_report", "AGE_BUCKETS")
_export("prodlib.reports.pnh", "PnhRemittanceReport", "pnh_remittance")
_export("prodlib.reports.contingency", "ContingencyReport", "contingency_report")
_export("prodlib.reports.cashflow", "CashFlowReport", "cash_flow")
_export("prodlib.reports.audience", "Audience", "audience", "ROLE_IDS", "DEFAULT_ROLE")
_export("prodlib.reports.load", "DataStamp", "CostReportInputs", "PnhInputs", "ContingencyInputs",
        "load_cost_report_inputs", "load_fx_entries", "load_pnh_inputs", "load_contingency_inputs",
        "load_exceptions", "CashFlowInputs", "load_cash_flow_inputs")
_export("prodlib.reports.display", "use_offline_plotly", "stamp_html", "frame_html", "money_table_html",
        "cost_table_html", "cost_chart", "fx_exposure_html",
        "exceptions_summary_html", "exceptions_age_chart", "exceptions_trend_chart",
        "exceptions_rows_html",
        "pnh_summary_html", "pnh_plans_html", "pnh_funds_html", "pnh_exceptions_html", "pnh_chart",
        "contingency_summary_html", "contingency_steps_html", "contingency_over_html", "contingency_chart",
        "cash_flow_summary_html", "cash_flow_table_html", "cash_flow_chart")
_export("prodlib.reports.export", "export_cost_report", "export_pnh_remittance",
        "export_contingency", "export_exceptions", "export_cash_flow", "write_csv")
_export("prodlib.reports.render", "render_all", "render_report")
# the exception queue (issue 10): lifecycle, conservation, findings sync, corrections
_export("prodlib.exceptions.lifecycle", "STATES", "TRANSITIONS")
_export("prodlib.exceptions.conservation", "Conservation", "conservation")
_export("prodlib.exceptions.findings", "SyncResult", "KindCount", "sync_findings")
_export("prodlib.exceptions.correct", "CorrectionResult", "correct")
# errors and reasons
_export("prodlib.errors", "ProdlibError", "InputError", "ConfigError", "DatabaseLocationError", "RuleDataError",
        "ScopeError", "LedgerError", "BugError", "ConservationError", "QueueError")
_export("prodlib.reasons", "Reason")

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"prodlib.api has no {name!r}; see prodlib.api.__all__")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
