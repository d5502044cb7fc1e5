"""Contingency report: what was set aside, what later budget versions drew from it, what is left,
and which accounts now heading over budget would draw on the rest. Written for a completion bond reader.

Convention (documented here and printed under the report's table):

- **Lineage.** The budget version in force and its ancestors through ``parent_version_id``, oldest first.
  The oldest (no parent) is the *original*. Each later version is a *step* compared with its parent,
  account by account (detail codes rolled up to the chart's accounts).
- **Contingency** is the chart account ``8000`` (detail ``8000-01``). *Budgeted* = its amount in the
  version in force; *original* = its amount in the original version.
- **Used by a step** = the net increase the step makes to every account other than contingency
  (increases less decreases), when positive: cost moved into the budget lines that savings elsewhere did
  not pay for is drawn against contingency. Both revisions and approved overages draw (``draw_kinds``);
  a version of another kind (e.g. financier-funded new money, if recorded so) is listed as not drawing.
- **Moved out of the contingency line**: the part of a drawing step's use matched by a cut to the
  contingency line in the same version, min(use, cut). It is already out of the budgeted figure.
  The rest of the use (the version raised other lines but left contingency standing) still sits in
  the contingency line: **remaining = budgeted - (used - moved out)**. Equivalently
  remaining = original + every change to the contingency line + moved out - used.
- **Projected overruns** = for each account other than contingency whose estimated final cost
  exceeds its budget in the version in force (the cost report's EFC), EFC - budget. They would
  draw on the remaining contingency: **after projected overruns = remaining - overruns**; negative
  means contingency is exhausted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from prodlib.money import ZERO, to_money_series
from prodlib.reports.cost import CostReport, amounts_by_account, amounts_by_key
from prodlib.taxonomy import ChartOfAccounts

CONTINGENCY_ACCOUNT = "8000"
DRAW_KINDS = ("revision", "overage")
STEP_MONEY_COLUMNS = ("contingency_before", "contingency_after", "contingency_change", "increases", "decreases",
                      "used", "moved_out", "still_in_line")
OVER_MONEY_COLUMNS = ("budget", "efc", "overrun")
COLUMN_LABELS = {
    "version_id": "Budget version", "kind": "Kind", "parent_version_id": "Parent", "effective_date": "Effective",
    "author": "Approved by", "reason": "Reason", "draws": "Draws on contingency",
    "contingency_before": "Contingency before", "contingency_after": "Contingency after",
    "contingency_change": "Change to contingency line", "increases": "Increases to other accounts",
    "decreases": "Decreases to other accounts", "used": "Contingency used", "moved_out": "Moved out of the line",
    "still_in_line": "Used, still in the line", "account": "Account", "name": "Description", "budget": "Budget",
    "efc": "Estimated final cost", "overrun": "Projected overrun", "increased_accounts": "Accounts increased",
}
CONVENTION = ("Contingency used by a later budget version = its net increase to every account other than "
              "contingency (increases less decreases), when positive. The part matched by a cut to the "
              "contingency line in the same version has already left the budgeted contingency; the rest still "
              "sits in it. Remaining = budgeted - (used - moved out of the line). Projected overruns = EFC - budget "
              "for each other account over budget; they would draw on what remains.")


@dataclass(frozen=True, eq=False)
class ContingencyReport:
    """The contingency roll-forward, the versions that drew on it, and the accounts that would draw next.

    Attributes:
      version_in_force: the budget version in force on the as-of date
      original_version: the first version of its lineage
      original: contingency in the original version
      line_changes: every change later versions made to the contingency line
      budgeted: contingency in the version in force = original + line_changes
      used: contingency used by later versions' other lines
      moved_out: contingency moved out of the line by later versions
      still_in_line: used - moved_out
      remaining: budgeted - still_in_line
      projected_overruns: the overruns (EFC - budget) of the accounts projected over budget
      after_overruns: remaining - projected_overruns
      steps: one row per later version in the lineage, oldest first
      over_budget: account, name, budget, efc, overrun: largest overrun first
      contingency_account: the chart account of the contingency line
      convention: how used and remaining are computed, in words
    """

    version_in_force: str
    original_version: str
    original: Decimal  # contingency in the original version
    line_changes: Decimal  # every change later versions made to the contingency line
    budgeted: Decimal  # contingency in the version in force = original + line_changes
    used: Decimal
    moved_out: Decimal
    still_in_line: Decimal  # used - moved_out
    remaining: Decimal  # budgeted - still_in_line
    projected_overruns: Decimal
    after_overruns: Decimal  # remaining - projected_overruns
    steps: pd.DataFrame  # one row per later version in the lineage, oldest first
    over_budget: pd.DataFrame  # account, name, budget, efc, overrun: largest overrun first
    contingency_account: str = CONTINGENCY_ACCOUNT
    convention: str = CONVENTION

    @property
    def exhausted(self) -> bool:
        return self.after_overruns < 0

    def rollforward(self) -> pd.DataFrame:
        """The summary lines top to bottom: label, amount (MONEY_DTYPE)."""
        rows = [
            (f"Contingency in the original budget ({self.original_version})", self.original),
            ("Changes to the contingency line by later versions", self.line_changes),
            (f"Contingency budgeted (version in force, {self.version_in_force})", self.budgeted),
            ("Contingency used by later versions", self.used),
            ("of which moved out of the contingency line", self.moved_out),
            ("Used but still in the contingency line", self.still_in_line),
            ("Contingency remaining", self.remaining),
            ("Projected overruns of accounts over budget (EFC - budget)", self.projected_overruns),
            ("Remaining after projected overruns", self.after_overruns),
        ]
        return pd.DataFrame({"line": [r[0] for r in rows], "amount": to_money_series([r[1] for r in rows])})


def _lineage(versions: pd.DataFrame, in_force: str) -> list[dict]:
    """The version in force and its ancestors, oldest first; a cycle or a missing parent raises."""
    recs = {str(r["version_id"]): r for r in versions.to_dict("records")}
    if in_force not in recs:
        raise LookupError(f"budget version {in_force} is not in the versions frame")
    chain, seen, vid = [], set(), in_force
    while vid is not None:
        if vid in seen:
            raise ValueError(f"budget versions form a cycle at {vid}")
        if vid not in recs:
            raise LookupError(f"parent budget version {vid} is not in the versions frame")
        seen.add(vid)
        chain.append(recs[vid])
        parent = recs[vid].get("parent_version_id")
        vid = None if parent is None or parent is pd.NA or (isinstance(parent, float) and parent != parent) \
            or str(parent) == "" else str(parent)
    return chain[::-1]


def contingency_report(
    versions: pd.DataFrame,
    budgets: dict[str, pd.DataFrame],
    version_in_force: str,
    cost: CostReport,
    chart: ChartOfAccounts,
    contingency_account: str = CONTINGENCY_ACCOUNT,
    draw_kinds: tuple[str, ...] = DRAW_KINDS,
) -> ContingencyReport:
    """Build the contingency report.

    ``versions``: ``Ledger.budget_versions_frame()`` (version_id, kind, parent_version_id,
    effective_date, author, reason). ``budgets``: lines [cost_code, amount] of each version in the
    lineage of ``version_in_force`` (``Ledger.budget(version)``). ``cost``: the cost report built on the
    version in force (its EFC and budget per account give the accounts over budget).
    """
    if contingency_account not in chart.accounts:
        raise ValueError(f"contingency account {contingency_account} is not in chart {chart.name}")
    chain = _lineage(versions, version_in_force)
    by_version = {}
    for rec in chain:
        vid = str(rec["version_id"])
        if vid not in budgets:
            raise LookupError(f"no budget lines given for version {vid}")
        lines = amounts_by_key(budgets[vid], "cost_code", f"budget {vid}")
        by_version[vid] = amounts_by_account(lines, chart, f"budget {vid}")

    steps = []
    for parent, child in zip(chain, chain[1:], strict=False):
        before, after = by_version[str(parent["version_id"])], by_version[str(child["version_id"])]
        deltas = {a: after.get(a, ZERO) - before.get(a, ZERO) for a in set(before) | set(after)}
        c_change = deltas.pop(contingency_account, ZERO)
        inc = sum((d for d in deltas.values() if d > 0), ZERO)
        dec = -sum((d for d in deltas.values() if d < 0), ZERO)
        draws = str(child.get("kind", "")) in draw_kinds
        used = max(inc - dec, ZERO) if draws else ZERO
        moved = min(used, max(-c_change, ZERO))
        steps.append({
            "version_id": str(child["version_id"]), "kind": str(child.get("kind", "")),
            "parent_version_id": str(parent["version_id"]), "effective_date": str(child.get("effective_date", "")),
            "author": str(child.get("author", "") or ""), "reason": str(child.get("reason", "") or ""),
            "draws": draws, "contingency_before": before.get(contingency_account, ZERO),
            "contingency_after": after.get(contingency_account, ZERO), "contingency_change": c_change,
            "increases": inc, "decreases": dec, "used": used, "moved_out": moved, "still_in_line": used - moved,
            "increased_accounts": ", ".join(f"{a} +{d}" for a, d in sorted(deltas.items()) if d > 0),
        })
    step_cols = ["version_id", "kind", "parent_version_id", "effective_date", "author", "reason", "draws",
                 *STEP_MONEY_COLUMNS, "increased_accounts"]
    steps_frame = pd.DataFrame(steps, columns=step_cols)
    for c in STEP_MONEY_COLUMNS:
        steps_frame[c] = to_money_series(steps_frame[c].tolist(), index=steps_frame.index)
    steps_frame["draws"] = steps_frame["draws"].astype(bool)

    acc = cost.accounts
    over = acc[(acc["account"] != contingency_account) & (acc["efc"] > acc["budget"])]
    over_rows = [{"account": str(r["account"]), "name": str(r["name"]), "budget": Decimal(r["budget"]),
                  "efc": Decimal(r["efc"]), "overrun": Decimal(r["efc"]) - Decimal(r["budget"])}
                 for r in over.to_dict("records")]
    over_rows.sort(key=lambda r: (-r["overrun"], r["account"]))
    over_frame = pd.DataFrame(over_rows, columns=["account", "name", *OVER_MONEY_COLUMNS])
    for c in OVER_MONEY_COLUMNS:
        over_frame[c] = to_money_series(over_frame[c].tolist(), index=over_frame.index)

    original = by_version[str(chain[0]["version_id"])].get(contingency_account, ZERO)
    budgeted = by_version[version_in_force].get(contingency_account, ZERO)
    used = sum((s["used"] for s in steps), ZERO)
    moved = sum((s["moved_out"] for s in steps), ZERO)
    remaining = budgeted - (used - moved)
    overruns = sum((r["overrun"] for r in over_rows), ZERO)
    return ContingencyReport(
        version_in_force=version_in_force, original_version=str(chain[0]["version_id"]), original=original,
        line_changes=budgeted - original, budgeted=budgeted, used=used, moved_out=moved, still_in_line=used - moved,
        remaining=remaining, projected_overruns=overruns, after_overruns=remaining - overruns, steps=steps_frame,
        over_budget=over_frame, contingency_account=contingency_account)
