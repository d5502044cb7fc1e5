"""Who a report is rendered for: what each role's reports may contain (issue 11, item 6).

The policy is data (``prodlib/data/access/report_audiences.yaml``, strict model): per role, the
reports rendered, whether person-level pay may appear, whether the exceptions report lists its rows, and
whether the role's reads are written to the query log. The builders take an :class:`Audience` and
leave out what it may not see (library code, not hidden notebook cells); every report's header, CSV
and stamp name the role it was rendered for.

Who *holds* a role (members, productions, departments) is ``roles.yaml``'s business
(:mod:`prodlib.access`); this module only answers "what does this role's report show".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from prodlib.config import Strict, load_model
from prodlib.errors import InputError
from prodlib.resources import package_folder

#: The project's role ids (fixed vocabulary, BRIEF), in the order ``--help`` lists them.
ROLE_IDS = ("production_accountant", "payroll_processor", "department_head", "line_producer", "upm",
            "studio_executive", "bond_rep", "auditor")
#: The role a report is rendered for when none is named: everything, as before roles existed.
DEFAULT_ROLE = "production_accountant"
#: The column every report CSV ends with: the role it was rendered for.
ROLE_COLUMN = "rendered_for_role"


class RoleError(InputError):
    """A role id that is not one of :data:`ROLE_IDS`, or a role that cannot be served as asked."""


class _RolePolicy(Strict):
    label: str
    reports: tuple[str, ...]
    person_pay: bool
    exception_rows: bool
    exception_kinds: tuple[str, ...] = ()
    logged: bool
    department_scope: bool = False


class _PolicyFile(Strict):
    version: str
    effective_from: date
    source: str
    verified: bool
    roles: dict[str, _RolePolicy]


@dataclass(frozen=True)
class Audience:
    """The role a report is rendered for, and what that role's report may contain.

    Attributes:
      role: the role id (one of :data:`ROLE_IDS`).
      label: the role as a person reads it ("completion bond representative").
      person: the person the report is rendered for ("" when not named; logged roles always name one).
      reports: the report stems rendered for the role.
      person_pay: person-level pay (names, employee ids, per-person rates, gross, fringes) may appear.
      exception_rows: the exceptions report lists its rows (where, detail, raw row or finding, assignee);
        False: counts by kind, reason, source and age, and the amounts at stake, only.
      exception_kinds: the input kinds whose exceptions the role sees (a quarantined row's input kind;
        a reconciliation finding has none); empty: every exception.
      logged: every query of the role's reading session goes to the query log.
      department_scope: the cost report is cut to the person's department's accounts.
      accounts: for a department-scoped role, the accounts (``3300``) and detail codes
        (``2500-01``) of the person's departments, from roles.yaml (:func:`member_scope`).
    """

    role: str
    label: str
    person: str
    reports: tuple[str, ...]
    person_pay: bool
    exception_rows: bool
    exception_kinds: tuple[str, ...]
    logged: bool
    department_scope: bool
    accounts: tuple[str, ...] = ()

    def sees(self, report: str) -> bool:
        return report in self.reports

    def covers(self, code: str) -> bool:
        """A cost code (``3300-02``) or account (``3300``) the role may see: any, unless department-scoped."""
        if not self.department_scope:
            return True
        return any(code == a or str(code).startswith(a + "-") for a in self.accounts)

    @property
    def caption(self) -> str:
        """``bond_rep (completion bond representative)``, with the person when named."""
        who = f", for {self.person}" if self.person else ""
        return f"{self.role} ({self.label}{who})"


def policy_path() -> Path:
    return package_folder("data") / "access" / "report_audiences.yaml"


@cache
def _policies(path: Path) -> dict[str, _RolePolicy]:
    model, doc = load_model(path, _PolicyFile)
    unknown = sorted(set(model.roles) - set(ROLE_IDS))
    missing = sorted(set(ROLE_IDS) - set(model.roles))
    if unknown or missing:
        raise RoleError(path, f"roles must be exactly {', '.join(ROLE_IDS)} (unknown: {unknown}, missing: {missing})",
                        field="roles")
    return dict(model.roles)


def audience(role: str = DEFAULT_ROLE, person: str = "", path: Path | None = None,
             accounts: tuple[str, ...] = ()) -> Audience:
    """The :class:`Audience` of ``role`` (RoleError, exit 2, for an unknown role id)."""
    role = role or DEFAULT_ROLE
    if role not in ROLE_IDS:
        raise RoleError("--role", f"{role!r} is not a role; roles: {', '.join(ROLE_IDS)}")
    p = _policies(path or policy_path())[role]
    return Audience(role=role, label=p.label, person=person, reports=p.reports, person_pay=p.person_pay,
                    exception_rows=p.exception_rows, exception_kinds=p.exception_kinds, logged=p.logged,
                    department_scope=p.department_scope, accounts=tuple(accounts))


def member_scope(roles_file: Path, person: str, role: str, production_id: str) -> tuple[str, ...]:
    """Check in roles.yaml (:mod:`prodlib.access`) that ``person`` holds ``role`` on ``production_id``
    (RoleError, exit 2, if not); returns their departments' accounts (empty unless a department head)."""
    from prodlib.access import load_roles

    book = load_roles(roles_file)
    if not book.holds(person, role, production_id):
        raise RoleError(roles_file, f"{person!r} does not hold the {role} role on production {production_id!r}",
                        field="members")
    return book.accounts_of(person, production_id)
