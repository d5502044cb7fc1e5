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
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import field_validator

from prodlib.config import Flag, IsoDate, Strict, Text, Whole, load_model
from prodlib.reasons import Reason

CHARTS_DIR = Path(__file__).parent / "data" / "charts"
DEFAULT_CHART = "feature_us_sample"


@dataclass(frozen=True)
class Section:
    """A section of the chart: above the line, below the line, post, other, or below the grand total.

    Attributes:
      id: the section's id (``ATL``, ``BTL``, ``POST``, ``OTHER``, ...), as cost reports subtotal it.
      name: its name as reports print it.
      order: its place in chart order.
      low, high: the range of account numbers it holds (inclusive).
      below_grand_total: True for lines such as contingency and bond fee, added after the grand total.
    """

    id: str
    name: str
    order: int
    low: int
    high: int
    below_grand_total: bool = False


@dataclass(frozen=True)
class Account:
    """An account of the chart (``2500``), the level a cost report's lines are.

    Attributes:
      code: the four-digit account number.
      name: its name (``Grip``).
      section: the id of the section it belongs to.
      fringe_account: the account its wages' fringes are charged to (its x900), None when wages may not
        be charged to it.
      is_fringe: True for a fringe account itself.
    """

    code: str
    name: str
    section: str
    fringe_account: str | None = None
    is_fringe: bool = False


@dataclass(frozen=True)
class DetailCode:
    """A detail code (``2500-02``): where a line of a document lands.

    Attributes:
      code: the normalized detail code.
      account: the account it rolls up to (``2500``).
      name: its name.
    """

    code: str  # "2500-02"
    account: str  # "2500"
    name: str


@dataclass(frozen=True)
class Resolution:
    """Where a line lands: a detail code, or the reason it cannot land anywhere.

    Attributes:
      code: the detail code, None when the line cannot land.
      reason: why it cannot (UNKNOWN_COST_CODE, AMBIGUOUS_COST_CODE, MISSING_COST_CODE), else None.
      how: how it landed ("code", "account", "vendor default", "keyword") or why it failed.
    """

    code: str | None
    reason: Reason | None = None
    how: str = ""  # "code", "account", "vendor default", "keyword", or why it failed


@dataclass(frozen=True)
class ChartOfAccounts:
    """A chart of accounts, loaded from its YAML file: sections, accounts, detail codes, keyword rules.

    Attributes:
      name: the chart's name (``feature_us_sample``).
      version: its version, as the file says.
      effective_from: the date from which it applies.
      source: where its layout comes from.
      sample: True when the chart is a sample, not a studio's own.
      sections: the sections in chart order.
      accounts: account number -> :class:`Account`.
      details: detail code -> :class:`DetailCode`.
      keyword_rules: (pattern, detail code) pairs that place a line without a code by its description.
    """

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
        """:meth:`resolve` over a column; codes are few, so each distinct triple is resolved once (the
        distinct (code, description) pairs found by factorizing each column, not by a merge)."""
        raw = raw_codes.astype("string")
        desc = descriptions.astype("string")
        # The description only matters when there is no code; blank it otherwise to keep keys few.
        has_code = (raw.fillna("").str.strip() != "").to_numpy(dtype=bool)
        if has_code.any():
            desc = desc.where(~has_code, pd.NA)
        raw_at, raw_uniq = pd.factorize(raw, use_na_sentinel=False)
        desc_at, desc_uniq = pd.factorize(desc, use_na_sentinel=False)
        pair = raw_at.astype(np.int64) * max(len(desc_uniq), 1) + desc_at
        _, first, of_row = np.unique(pair, return_index=True, return_inverse=True)
        codes, reasons, hows = [], [], []
        for r_at, d_at in zip(raw_at[first].tolist(), desc_at[first].tolist(), strict=True):
            r, d = raw_uniq[r_at], desc_uniq[d_at]
            res = self.resolve(None if pd.isna(r) else r, None if pd.isna(d) else d, default_code)
            codes.append(res.code)
            reasons.append(None if res.reason is None else res.reason.value)
            hows.append(res.how)
        of_row = np.asarray(of_row).reshape(-1)
        table = pd.DataFrame({"cost_code": codes, "reason": reasons, "how": hows}, dtype=None if codes else object)
        out = table.take(of_row)
        out.index = raw_codes.index
        return out


_CODE_SHAPE = re.compile(r"^(\d{4})(?:[-. /_]?(\d{1,2}))?$")


class _Section(Strict):
    entry_key: ClassVar[str | None] = "id"
    id: Text
    name: Text
    order: Whole
    range: tuple[Whole, Whole]
    below_grand_total: Flag = False


class _Account(Strict):
    entry_key: ClassVar[str | None] = "code"
    code: Text
    name: Text
    fringe_account: Text | None = None
    fringe: Flag = False
    details: dict[str, Text]

    @field_validator("code", "fringe_account")
    @classmethod
    def _four_digits(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}", value):
            raise ValueError(f"{value!r} is not a four-digit account code")
        return value

    @field_validator("details", mode="before")
    @classmethod
    def _detail_numbers(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for nn, name in value.items():
            if isinstance(nn, bool) or not re.fullmatch(r"\d{1,2}", str(nn)):
                raise ValueError(f"detail number {nn!r} is not one or two digits")
            out[f"{int(nn):02d}"] = name
        return out


class _KeywordRule(Strict):
    pattern: Text
    code: Text

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern is not a regular expression: {exc}") from None
        return value


class ChartFile(Strict):
    """A chart file as written (``data/charts/*.yaml`` or the production's own).

    Attributes:
      chart, version, effective_from, source, sample: the chart's name, version, date, source line
        and whether it is a sample.
      sections: ATL/BTL/... with their account-number ranges.
      accounts: each account with its name, fringe account and detail codes (``"01": name``).
      keyword_rules: description patterns that give a code to lines that arrive without one.
    """

    chart: Text
    version: Text
    effective_from: IsoDate
    source: Text
    sample: Flag = False
    sections: tuple[_Section, ...]
    accounts: tuple[_Account, ...]
    keyword_rules: tuple[_KeywordRule, ...] = ()


def load_chart(path: str | Path) -> ChartOfAccounts:
    """Read a chart file strictly; every mistake is a :class:`ConfigError` naming the file, line and entry."""
    path = Path(path)
    doc, located = load_model(path, ChartFile)
    sections = tuple(Section(s.id, s.name, s.order, s.range[0], s.range[1], s.below_grand_total)
                     for s in doc.sections)
    accounts: dict[str, Account] = {}
    details: dict[str, DetailCode] = {}
    for i, a in enumerate(doc.accounts):
        num = int(a.code)
        section = next((s.id for s in sections if s.low <= num <= s.high), None)
        if section is None:
            raise located.error(f"account {a.code} falls in no section", ("accounts", i), ChartFile)
        if a.code in accounts:
            raise located.error(f"account {a.code} is listed twice", ("accounts", i), ChartFile)
        accounts[a.code] = Account(a.code, a.name, section, a.fringe_account, a.fringe)
        for nn, name in a.details.items():
            details[f"{a.code}-{nn}"] = DetailCode(f"{a.code}-{nn}", a.code, name)
    for i, a in enumerate(doc.accounts):
        if a.fringe_account and not accounts.get(a.fringe_account, Account("", "", "")).is_fringe:
            raise located.error(f"account {a.code}: fringe account {a.fringe_account} is not a fringe account",
                                ("accounts", i, "fringe_account"), ChartFile)
    for i, r in enumerate(doc.keyword_rules):
        if r.code not in details:
            raise located.error(f"keyword rule names unknown code {r.code}", ("keyword_rules", i, "code"), ChartFile)
    return ChartOfAccounts(
        name=doc.chart, version=doc.version, effective_from=doc.effective_from, source=doc.source,
        sample=doc.sample, sections=sections, accounts=accounts, details=details,
        keyword_rules=tuple((re.compile(r.pattern), r.code) for r in doc.keyword_rules),
    )


@cache
def _load_cached(path: str) -> ChartOfAccounts:
    return load_chart(path)


def chart_location(ref: str | None, base: Path | None = None) -> str:
    """Where a chart reference points: a shipped chart's name as is, else an absolute file path.

    ``ref`` is a shipped chart's name (no suffix, no folder) or a path, relative to ``base`` (the
    folder of the file that names it). No ``ref``: $PRODLIB_CHART, relative to the working directory,
    else the shipped sample.
    """
    if not ref:
        ref, base = os.environ.get("PRODLIB_CHART") or DEFAULT_CHART, Path.cwd()
    p = Path(ref)
    if not p.suffix and len(p.parts) == 1:
        return ref
    return str(((base or Path.cwd()) / p.expanduser()).resolve())


def chart_file(location: str) -> Path:
    """The file of a :func:`chart_location`: a shipped chart's file, or the path itself."""
    p = Path(location)
    return CHARTS_DIR / f"{location}.yaml" if not p.suffix and len(p.parts) == 1 else p


def get_chart(name_or_path: str | None = None) -> ChartOfAccounts:
    """The chart to use: an explicit name or path, else $PRODLIB_CHART, else the shipped sample.

    A relative path here is relative to the working directory; production.yaml's ``chart:`` arrives
    already resolved against its own folder (:func:`prodlib.production.load_production`).
    """
    return _load_cached(str(chart_file(chart_location(name_or_path)).resolve()))
