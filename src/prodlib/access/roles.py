"""Roles and their members as data: ``roles.yaml`` in the input folder, read into a :class:`RoleBook`.

Who holds which prodlib role on which production is the production's data, never code. The file
names departments (each a set of the chart's accounts or detail codes: camera is ``3300``) and
members (a person id, a name, and what they hold)::

    departments:
      - {id: camera, name: Camera, accounts: ["3300"]}
    members:
      - id: P-0101
        name: Dana Whitfield
        roles: [production_accountant]
        productions: [SAMPLE-INDIE]
      - id: P-0301
        name: Sam Okafor
        roles: [department_head]
        productions: [SAMPLE-INDIE]
        departments: [camera]
        db_user: sokafor             # optional: the PostgreSQL login row-level security knows them by
      - id: P-0501
        name: Lee Marchetti
        grants:                      # different roles on different productions
          - {role: upm, productions: [SAMPLE-INDIE]}
          - {role: studio_executive, productions: [SAMPLE-INDIE, SAMPLE-STUDIO]}

A member's ``roles`` x ``productions`` (with ``departments``) is one grant per role; ``grants`` adds
grants of their own. The file is read strictly (``prodlib.config``): an unknown key, an unknown role
id, a department nobody declared, a department head with no department, or a person id twice is one
error naming the file, the line and the key (exit 2). With a chart, every department account must
be one of its accounts or detail codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator

from prodlib.config import Flag, Strict, Text, YamlDocument, load_model, shown
from prodlib.errors import ConfigError
from prodlib.taxonomy import ChartOfAccounts

#: The prodlib roles, in the order reports list them (the vocabulary shared by access, overrides, reports).
PRODUCTION_ACCOUNTANT = "production_accountant"
PAYROLL_PROCESSOR = "payroll_processor"
DEPARTMENT_HEAD = "department_head"
LINE_PRODUCER = "line_producer"
UPM = "upm"
STUDIO_EXECUTIVE = "studio_executive"
BOND_REP = "bond_rep"
AUDITOR = "auditor"
ROLES: tuple[str, ...] = (PRODUCTION_ACCOUNTANT, PAYROLL_PROCESSOR, DEPARTMENT_HEAD, LINE_PRODUCER, UPM,
                          STUDIO_EXECUTIVE, BOND_REP, AUDITOR)


def _role_id(value: Any) -> str:
    if value not in ROLES:
        raise ValueError(f"{shown(value)} is not a role (roles: {', '.join(ROLES)})")
    return value


#: A role id as roles.yaml writes it: one of :data:`ROLES`.
RoleId = Annotated[str, BeforeValidator(_role_id)]

#: The file's name in the input folder.
ROLES_FILE = "roles.yaml"


@dataclass(frozen=True)
class Department:
    """A department a department head is scoped to.

    Attributes:
      id: the department's id as roles.yaml names it (``camera``).
      name: its name as reports print it.
      accounts: the chart's account numbers (``3300``: every detail of it) or detail codes
        (``3300-02``) the department's costs land on.
    """

    id: str
    name: str
    accounts: tuple[str, ...]

    def covers(self, code: str) -> bool:
        """True when a cost code (detail ``3300-01`` or account ``3300``) is one of this department's."""
        return any(code == a or code.startswith(a + "-") for a in self.accounts)


@dataclass(frozen=True)
class Grant:
    """One role a person holds on some productions.

    Attributes:
      role: the role id (one of :data:`ROLES`).
      productions: the production ids it holds on.
      departments: for a department head, the ids of the departments it is scoped to; else empty.
    """

    role: str
    productions: tuple[str, ...]
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Member:
    """A person in roles.yaml.

    Attributes:
      id: the person's id (what ``--person`` and approvals name).
      name: the person's name.
      grants: what they hold, one grant per role (a role held twice is merged into one grant).
      db_user: the PostgreSQL login bound to the person (row-level security knows them by it), or None.
    """

    id: str
    name: str
    grants: tuple[Grant, ...]
    db_user: str | None = None


@dataclass(frozen=True)
class RoleBook:
    """Everyone's roles, productions and department scopes, as roles.yaml declares them.

    Attributes:
      members: person id -> :class:`Member`, in file order.
      departments: department id -> :class:`Department`, in file order.
      source: the file the book was read from ("" for a book built in code).
    """

    members: dict[str, Member]
    departments: dict[str, Department]
    source: str = ""

    def member(self, person: str) -> Member | None:
        """The member with this person id, or None."""
        return self.members.get(person)

    def grants_of(self, person: str) -> tuple[Grant, ...]:
        """Every grant the person holds (empty for someone not in the book)."""
        m = self.members.get(person)
        return m.grants if m else ()

    def roles_of(self, person: str, production_id: str | None = None) -> tuple[str, ...]:
        """The role ids the person holds (on ``production_id`` when given), in :data:`ROLES` order."""
        held = {g.role for g in self.grants_of(person) if production_id is None or production_id in g.productions}
        return tuple(r for r in ROLES if r in held)

    def holds(self, person: str, role: str, production_id: str) -> bool:
        """True when ``person`` holds ``role`` on ``production_id``."""
        return any(g.role == role and production_id in g.productions for g in self.grants_of(person))

    def productions_of(self, person: str, role: str) -> tuple[str, ...]:
        """The productions on which ``person`` holds ``role``, sorted."""
        return tuple(sorted({p for g in self.grants_of(person) if g.role == role for p in g.productions}))

    def departments_of(self, person: str, production_id: str) -> tuple[Department, ...]:
        """The departments a department head ``person`` is scoped to on ``production_id``."""
        ids = [d for g in self.grants_of(person)
               if g.role == DEPARTMENT_HEAD and production_id in g.productions for d in g.departments]
        return tuple(self.departments[d] for d in dict.fromkeys(ids))

    def accounts_of(self, person: str, production_id: str) -> tuple[str, ...]:
        """The accounts and detail codes of the person's departments on ``production_id`` (sorted)."""
        return tuple(sorted({a for d in self.departments_of(person, production_id) for a in d.accounts}))

    def holders(self, role: str, production_id: str) -> tuple[str, ...]:
        """The person ids holding ``role`` on ``production_id``, in file order."""
        return tuple(p for p in self.members if self.holds(p, role, production_id))


EMPTY = RoleBook(members={}, departments={})


# --- the file -------------------------------------------------------------------------------

class _Department(Strict):
    entry_key: ClassVar[str | None] = "id"
    id: Text
    name: Text = ""
    accounts: tuple[Text, ...]


class _Grant(Strict):
    entry_key: ClassVar[str | None] = "role"
    role: RoleId
    productions: tuple[Text, ...]
    departments: tuple[Text, ...] = ()


class _Member(Strict):
    entry_key: ClassVar[str | None] = "id"
    id: Text
    name: Text
    roles: tuple[RoleId, ...] = ()
    productions: tuple[Text, ...] = ()
    departments: tuple[Text, ...] = ()
    grants: tuple[_Grant, ...] = ()
    db_user: Text | None = None


class RolesFile(Strict):
    """roles.yaml as written.

    Attributes:
      version: the file's version, as its author keeps it.
      sample: true when the people are a sample, not a production's crew.
      source: where the list comes from (the production office, the studio's directory).
      departments: the departments department heads are scoped to.
      members: the people and what they hold.
    """

    version: Text = ""
    sample: Flag = False
    source: Text = ""
    departments: tuple[_Department, ...] = ()
    members: tuple[_Member, ...] = ()


def _grants(doc: YamlDocument, i: int, m: _Member, departments: dict[str, Department]) -> tuple[Grant, ...]:
    where = ("members", i)
    if (m.productions or m.departments) and not m.roles:
        raise doc.error("productions and departments need roles (or use grants:)", (*where, "roles"), RolesFile)
    if m.roles and not m.productions:
        raise doc.error("roles need the productions they hold on", (*where, "productions"), RolesFile)
    raw = [(r, m.productions, m.departments, (*where, "roles"), (*where, "departments")) for r in m.roles]
    raw += [(g.role, g.productions, g.departments, (*where, "grants", j), (*where, "grants", j, "departments"))
            for j, g in enumerate(m.grants)]
    if not raw:
        raise doc.error("holds no role (give roles: and productions:, or grants:)", where, RolesFile)
    merged: dict[str, tuple[list[str], list[str]]] = {}
    for role, prods, depts, at, at_depts in raw:
        if not prods:
            raise doc.error(f"role {role} holds on no production", at, RolesFile)
        for d in depts:
            if d not in departments:
                raise doc.error(f"department {d!r} is not declared under departments:", at_depts, RolesFile)
        if depts and role != DEPARTMENT_HEAD:
            raise doc.error(f"departments scope a department_head only, not {role}", at, RolesFile)
        if role == DEPARTMENT_HEAD and not depts:
            raise doc.error("a department_head needs departments:", at, RolesFile)
        p, d = merged.setdefault(role, ([], []))
        p.extend(x for x in prods if x not in p)
        d.extend(x for x in depts if x not in d)
    return tuple(Grant(r, tuple(p), tuple(d)) for r, (p, d) in merged.items())


def role_book(doc: YamlDocument, parsed: RolesFile, chart: ChartOfAccounts | None = None) -> RoleBook:
    """The :class:`RoleBook` of a parsed roles.yaml; cross-entry problems name the file and line."""
    departments: dict[str, Department] = {}
    for i, d in enumerate(parsed.departments):
        where = ("departments", i)
        if d.id in departments:
            raise doc.error("department declared twice", (*where, "id"), RolesFile)
        if not d.accounts:
            raise doc.error("a department needs at least one account", (*where, "accounts"), RolesFile)
        for j, a in enumerate(d.accounts):
            known = chart is None or a in chart.accounts or a in chart.details
            if not known:
                raise doc.error(f"{a!r} is not an account or detail code of chart {chart.name}",
                                (*where, "accounts", j), RolesFile)
        departments[d.id] = Department(d.id, d.name or d.id, tuple(d.accounts))
    members: dict[str, Member] = {}
    for i, m in enumerate(parsed.members):
        if m.id in members:
            raise doc.error("person id listed twice", ("members", i, "id"), RolesFile)
        if m.db_user is not None and any(o.db_user == m.db_user for o in members.values()):
            raise doc.error("database login bound to two people", ("members", i, "db_user"), RolesFile)
        members[m.id] = Member(m.id, m.name, _grants(doc, i, m, departments), m.db_user)
    return RoleBook(members, departments, str(doc.path))


def roles_path(input_dir: str | Path) -> Path:
    """Where an input folder keeps its roles: ``<input>/roles.yaml``."""
    return Path(input_dir) / ROLES_FILE


def load_roles(path: str | Path, chart: ChartOfAccounts | None = None) -> RoleBook:
    """Read roles.yaml (or the one in an input folder) strictly; a bad file is a ConfigError (exit 2)."""
    p = Path(path)
    if p.is_dir():
        p = roles_path(p)
    parsed, doc = load_model(p, RolesFile, ConfigError)
    return role_book(doc, parsed, chart)
