"""The locked budget: the payroll the sample will pay, non-labor lines by weight, fringes, contingency, bond."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prodlib.sample import formats as F
from prodlib.sample.catalog import BOND_SHARE, BUDGET_WEIGHTS, CONTINGENCY_SHARE, FRINGE_SHARES, LABOR_CODES, Scale
from prodlib.sample.model import SampleProduction
from prodlib.sample.writers import ExportFolder
from prodlib.taxonomy import ChartOfAccounts


def locked_budget(rng: np.random.Generator, chart: ChartOfAccounts, sc: Scale, pay: pd.DataFrame) -> dict[str, int]:
    """Locked budget in cents by detail code: payroll plan + weighted non-labor + fringes + contingency + bond."""
    paid = pay[pay["amount"] > 0].groupby("code")["amount"].sum().to_dict()
    paid_budget = {c: int(v * rng.uniform(1.0, 1.12)) // 10_000 * 10_000 + 10_000 for c, v in sorted(paid.items())}
    weights = dict(sorted(BUDGET_WEIGHTS.items()))
    labor_w = sum(w for c, w in weights.items() if c in LABOR_CODES) / sum(weights.values())
    # Shaping a random budget (weights and targets); every amount written is whole cents.
    fringe = float(sum(FRINGE_SHARES.values()))  # float-ok: a random draw's weight, not an amount
    target = sc.budget_total * 100 / float((1 + CONTINGENCY_SHARE) * (1 + BOND_SHARE))  # float-ok: shaping
    paid_labor = sum(v for c, v in paid_budget.items() if c in LABOR_CODES)
    paid_other = sum(v for c, v in paid_budget.items() if c not in LABOR_CODES)
    nonlabor = max(0.25 * target, (target - paid_labor * (1 + fringe) - paid_other) / (1 + fringe * labor_w))
    total_w = sum(weights.values())
    lines: dict[str, int] = {}
    for c, w in weights.items():
        lines[c] = int(nonlabor * w / total_w * rng.uniform(0.8, 1.2)) // 10_000 * 10_000 + 10_000
    for c, v in paid_budget.items():
        lines[c] = lines.get(c, 0) + v
    labor_by_fringe: dict[str, int] = {}
    for c, v in lines.items():
        acct = chart.accounts[chart.details[c].account]
        if c in LABOR_CODES and acct.fringe_account:
            labor_by_fringe[acct.fringe_account] = labor_by_fringe.get(acct.fringe_account, 0) + v
    for fa, base in sorted(labor_by_fringe.items()):
        for d in chart.details.values():
            nn = d.code.split("-")[1]
            if d.account == fa and nn in FRINGE_SHARES:
                lines[d.code] = int(base * FRINGE_SHARES[nn]) // 100 * 100
    subtotal = sum(lines.values())
    contingency = int(subtotal * CONTINGENCY_SHARE) // 100 * 100
    lines["8000-01"] = contingency
    lines["8100-01"] = int((subtotal + contingency) * BOND_SHARE) // 100 * 100
    missing = [c for c, d in chart.details.items() if c not in lines and not chart.accounts[d.account].is_fringe]
    if missing:  # pragma: no cover - catalog and chart out of step
        raise ValueError(f"budget has no line for {missing}")
    return dict(sorted(lines.items()))


def write_budget(out: ExportFolder, chart: ChartOfAccounts, sp: SampleProduction, lines: dict[str, int]) -> None:
    """The locked budget as the budgeting program exports it: one line per detail code, whole dollars."""
    codes = list(lines)
    out.write(
        f"budget/budget_{sp.production.budget_version}.csv", "budget", "budget_locked",
        [("cost_code", "Account", pa.array(codes, pa.string())),
         ("description", "Description", pa.array([chart.details[c].name for c in codes], pa.string())),
         ("amount", "Total", F.money_strings(np.array([lines[c] for c in codes], dtype=np.int64), "plain2"))],
    )
