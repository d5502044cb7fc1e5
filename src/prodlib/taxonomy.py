"""The chart of accounts: sections, accounts, detail codes, roll-ups and code resolution.

The chart is data (``src/prodlib/data/charts/*.yaml``), swappable per production. Resolution never
guesses: a code that names nothing is UNKNOWN_COST_CODE, one that could be two things is
AMBIGUOUS_COST_CODE, and the line goes to the quarantine with that reason.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from prodlib.reasons import Reason

CHARTS_DIR = Path(__file__).parent / "data" / "charts"
DEFAULT_CHART = "feature_us_sample"


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    order: int
    low: int
    high: int
    below_grand_total: bool = False


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    section: str
    fringe_account: str | None = None
    is_fringe: bool = False


@dataclass(frozen=True)
class DetailCode:
    code: str  # "2500-02"
    account: str  # "2500"
    name: str


@dataclass(frozen=True)
class Resolution:
    """Where a line lands: a detail code, or the reason it cannot land anywhere."""

    code: str | None
    reason: Reason | None = None
    how: str = ""  # "code", "account", "vendor default", "keyword", or why it failed


@dataclass(frozen=True)
class ChartOfAccounts:
    name: str
    version: str
    effective_from: date
    source: str
    sample: bool
    sections: tuple[Section, ...]
    accounts: dict[str, Account]
    details: dict[str, DetailCode]
    keyword_rules: tuple[tuple[re.Pattern[str], str], ...] = field(default=())

    # --- lookups -----------------------------------------------------------------------------
    def account_of(self, code: str) -> Account:
        return self.accounts[self.details[code].account if code in self.details else code]

    def section_of(self, code: str) -> Section:
        sid = self.account_of(code).section
        return next(s for s in self.sections if s.id == sid)

    def accounts_frame(self) -> pd.DataFrame:
        """One row per account with its section, in chart order: the spine of every cost report."""
        order = {s.id: s.order for s in self.sections}
        rows = [
            {
                "account": a.code,
                "account_name": a.name,
                "section": a.section,
                "section_name": next(s.name for s in self.sections if s.id == a.section),
                "section_order": order[a.section],
                "is_fringe": a.is_fringe,
                "fringe_account": a.fringe_account,
            }
            for a in self.accounts.values()
        ]
        return pd.DataFrame(rows).sort_values(["section_order", "account"], ignore_index=True)

    def details_frame(self) -> pd.DataFrame:
        rows = [{"cost_code": d.code, "account": d.account, "detail_name": d.name} for d in self.details.values()]
        return pd.DataFrame(rows)

    # --- resolution --------------------------------------------------------------------------
    def normalize(self, raw: str | None) -> str | None:
        """Canonical spelling of a code as exports write it: 2100-01, 2100.01, 210001, 2100 1.

        Returns "AAAA-NN" for a detail spelling, "AAAA" for a bare account, None if the text is not
        shaped like a code at all. Whether the code exists is :meth:`resolve`'s question.
        """
        if raw is None:
            return None
        s = str(raw).strip()
        m = _CODE_SHAPE.match(s)
        if not m:
            return None
        account, detail = m.group(1), m.group(2)
        if detail is None:
            return account
        return f"{account}-{int(detail):02d}"

    def resolve(
        self, raw_code: str | None, description: str | None = None, default_code: str | None = None
    ) -> Resolution:
        """Resolve one line: its own code first, then the source's default, then keyword rules."""
        if raw_code is not None and str(raw_code).strip():
            norm = self.normalize(raw_code)
            if norm is None:
                return Resolution(None, Reason.UNKNOWN_COST_CODE, f"{raw_code!r} is not a cost code")
            if norm in self.details:
                return Resolution(norm, None, "code")
            if norm in self.accounts:
                details = [d for d in self.details.values() if d.account == norm]
                if len(details) == 1:
                    return Resolution(details[0].code, None, "account")
                return Resolution(
                    None, Reason.AMBIGUOUS_COST_CODE,
                    f"account {norm} has {len(details)} detail codes; the line must name one",
                )
            return Resolution(None, Reason.UNKNOWN_COST_CODE, f"{raw_code!r} is not in chart {self.name}")
        if default_code:
            res = self.resolve(default_code)
            return Resolution(res.code, res.reason, "vendor default" if res.code else res.how)
        hits = sorted({code for pattern, code in self.keyword_rules if description and pattern.search(description)})
        if len(hits) == 1:
            return Resolution(hits[0], None, "keyword")
        if len(hits) > 1:
            return Resolution(None, Reason.AMBIGUOUS_COST_CODE, f"description matches {', '.join(hits)}")
        return Resolution(None, Reason.MISSING_COST_CODE, "no code, no vendor default, no keyword rule matched")

    def resolve_frame(
        self, raw_codes: pd.Series, descriptions: pd.Series, default_code: str | None = None
    ) -> pd.DataFrame:
        """:meth:`resolve` over a column; codes are few, so each distinct triple is resolved once."""
        keys = pd.DataFrame({"raw": raw_codes.astype("string"), "desc": descriptions.astype("string")})
        # The description only matters when there is no code; blank it otherwise to keep keys few.
        has_code = keys["raw"].fillna("").str.strip() != ""
        keys.loc[has_code, "desc"] = pd.NA
        uniq = keys.drop_duplicates()
        out = []
        for raw, desc in uniq.itertuples(index=False):
            r = self.resolve(None if pd.isna(raw) else raw, None if pd.isna(desc) else desc, default_code)
            out.append((raw, desc, r.code, None if r.reason is None else r.reason.value, r.how))
        table = pd.DataFrame(out, columns=["raw", "desc", "cost_code", "reason", "how"])
        merged = keys.merge(table, on=["raw", "desc"], how="left", sort=False)
        merged.index = raw_codes.index
        return merged[["cost_code", "reason", "how"]]


_CODE_SHAPE = re.compile(r"^(\d{4})(?:[-. /_]?(\d{1,2}))?$")


def load_chart(path: str | Path) -> ChartOfAccounts:
    """Read a chart file; errors name the file and the entry at fault."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read chart of accounts: {exc}") from exc
    try:
        sections = tuple(
            Section(s["id"], s["name"], int(s["order"]), int(s["range"][0]), int(s["range"][1]),
                    bool(s.get("below_grand_total", False)))
            for s in doc["sections"]
        )
        accounts: dict[str, Account] = {}
        details: dict[str, DetailCode] = {}
        for a in doc["accounts"]:
            code = str(a["code"])
            num = int(code)
            section = next((s.id for s in sections if s.low <= num <= s.high), None)
            if section is None:
                raise ValueError(f"account {code} falls in no section")
            if code in accounts:
                raise ValueError(f"account {code} is listed twice")
            accounts[code] = Account(code, a["name"], section, a.get("fringe_account"), bool(a.get("fringe", False)))
            for nn, name in a["details"].items():
                dcode = f"{code}-{int(nn):02d}"
                details[dcode] = DetailCode(dcode, code, name)
        for a in accounts.values():
            if a.fringe_account and not accounts.get(a.fringe_account, Account("", "", "")).is_fringe:
                raise ValueError(f"account {a.code}: fringe account {a.fringe_account} is not a fringe account")
        rules = tuple((re.compile(r["pattern"]), str(r["code"])) for r in doc.get("keyword_rules", []))
        for _, code in rules:
            if code not in details:
                raise ValueError(f"keyword rule names unknown code {code}")
        eff = doc["effective_from"]
        return ChartOfAccounts(
            name=doc["chart"], version=str(doc["version"]),
            effective_from=eff if isinstance(eff, date) else date.fromisoformat(str(eff)),
            source=doc["source"], sample=bool(doc.get("sample", False)),
            sections=sections, accounts=accounts, details=details, keyword_rules=rules,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: invalid chart of accounts: {exc}") from exc


@cache
def _load_cached(path: str) -> ChartOfAccounts:
    return load_chart(path)


def get_chart(name_or_path: str | None = None) -> ChartOfAccounts:
    """The chart to use: an explicit name or path, else $PRODLIB_CHART, else the shipped sample."""
    ref = name_or_path or os.environ.get("PRODLIB_CHART") or DEFAULT_CHART
    p = Path(ref)
    if not p.suffix:
        p = CHARTS_DIR / f"{ref}.yaml"
    return _load_cached(str(p.resolve()))
