"""SQL is always parameterized (issue 8, security).

End to end: SQL metacharacters through every text field of every input kind, by ``prodlib run``, land
verbatim in the ledger and the quarantine, every table still exists, and the chain verifies. Statically:
no SQL in src/prodlib is built from data by an f-string, ``%`` or ``.format``; the few statements that
interpolate are listed here with what they interpolate (identifiers of our own schema, never a value).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import sqlalchemy as sa

from prodlib.cli import main
from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger.connection import make_engine

from .faults.production_set import FILES, write_production

SRC = Path(__file__).parents[1] / "src" / "prodlib"

HOSTILE = (
    "'; DROP TABLE journal_entries; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE batches;--",
    "back\\slash \\' \\\" \\\\ end\\",
    "\u2018curly\u2019 \u201cquotes\u201d \u2032prime\u2033 \uff07fullwidth\uff02",
    "%s %(x)s ? :name $1 {0} ${x}",
    "1; DELETE FROM quarantine WHERE 1=1",
)

#: kind -> the text fields (file headers) each row of the kind carries hostile text in.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "invoice": ("Vendor", "VendorName", "Invoice", "PO", "Description"),
    "purchase_order": ("PO", "Vendor", "Description"),
    "petty_cash": ("Envelope", "Custodian", "Description"),
    "timecard": ("Employee",),
    "payroll": ("Employee", "EmployeeName", "Episode"),
    "bank": ("TxnId", "Description", "Reference"),
    "budget": ("Description",),
}
EXTRA_COLUMNS = {"invoice": {"vendor_name": "VendorName", "po_number": "PO"},
                 "payroll": {"employee_name": "EmployeeName", "episode": "Episode"},
                 "bank": {"reference": "Reference"}}
#: The header of each kind's amount (a bad one quarantines the row at ingest, with its raw payload).
AMOUNT = {"timecard": "Call"}


def hostile_files() -> dict[str, tuple[str, dict[str, str], str]]:
    """The fault tests' production, each text field of each row a hostile string, plus one row per file
    whose amount (a timecard: its call time) is malformed and that carries every hostile string."""
    out = {}
    for name, (kind, columns, text) in FILES.items():
        columns = {**columns, **EXTRA_COLUMNS.get(kind, {})}
        rows = list(csv.DictReader(io.StringIO(text)))
        fields = TEXT_FIELDS[kind]
        for i, row in enumerate(rows):
            for j, f in enumerate(fields):
                row[f] = HOSTILE[(i + j) % len(HOSTILE)] + (f" {i}" if f in ("Invoice", "TxnId", "Envelope", "PO")
                                                           else "")
        bad = dict(rows[0])
        for j, f in enumerate(fields):
            bad[f] = HOSTILE[j % len(HOSTILE)] + " bad"
        bad[AMOUNT.get(kind, "Amount")] = "1e3"
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) + [h for h in fields if h not in rows[0]], lineterminator="\n")
        w.writeheader()
        w.writerows([*rows, bad])
        out[name] = (kind, columns, buf.getvalue())
    return out


def test_sql_metacharacters_in_every_text_field_land_verbatim(tmp_path: Path) -> None:
    files = hostile_files()
    root = write_production(tmp_path / "input", files)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(url).close()
    engine = make_engine(url)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"journal_entries", "journal_lines", "batches", "quarantine"} <= tables

    assert main(["run", "--input", str(root), "--db", url, "--quiet", "--remittance-out", ""]) == 0
    assert set(sa.inspect(engine).get_table_names()) == tables  # nothing dropped
    engine.dispose()
    assert verify_chain(url).ok
    led = Ledger.open(url)
    entries, quarantine = led.entries_frame(), led.quarantine_frame()
    led.close()

    # The bad row of every file is in the quarantine with each of its cells exactly as written.
    for name, (_, _, text) in files.items():
        bad = list(csv.DictReader(io.StringIO(text)))[-1]
        sid = name.removesuffix(".csv")
        payloads = [json.loads(p) for p in quarantine.loc[quarantine["source_id"] == sid, "payload"]]
        assert bad in payloads, (name, payloads)
    # The posted rows carry their hostile text verbatim into the journal: every invoice but the one on
    # the unknown code 9999-99, both petty cash receipts, the eight IATSE payroll lines.
    posts = {"grip": lambda r: r["Account"] != "9999-99", "petty": lambda r: True,
             "payroll": lambda r: r["Union"] == "IATSE"}
    for sid, field, header in (("grip", "description", "Description"), ("grip", "document_no", "Invoice"),
                               ("grip", "party_id", "Vendor"), ("petty", "description", "Description"),
                               ("petty", "document_no", "Envelope"), ("payroll", "party_id", "Employee")):
        rows = [r for r in csv.DictReader(io.StringIO(files[f"{sid}.csv"][2])) if posts[sid](r)][:-1]
        posted = set(entries.loc[(entries["source_id"] == sid) & (entries["kind"] == "posting"), field])
        assert {r[header] for r in rows} == posted, (sid, field)


# --- statically: which statements interpolate, and what ----------------------------------------

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|COPY|WITH|RAISE|TRUNCATE|GRANT|"
                       r"SET|BEGIN)\b", re.IGNORECASE)

#: (file, what is interpolated): each an identifier of prodlib's own schema or of its own SQL.
ALLOWED = {
    ("ledger/journal.py", "table.name"),  # bulk_insert: a Table object's name
    ("ledger/journal.py", "cols"),  # ... and its column names, from the caller's Table
    ("ledger/journal.py", "marks"),  # ... and one "?" per column
    ("ledger/migrations.py", "table"),  # append-only triggers, per table of the schema
    ("ledger/migrations.py", "name"),  # a trigger's name read from sqlite_master (our own triggers)
    ("ledger/migrations.py", "m[1]"),  # the message of our own trigger, re-tagged
    ("ledger/migrations.py", "t"),  # the tag of that trigger (a constant of migrations.py)
    ("ledger/seals.py", "', '.join(QUARANTINE_FIELDS)"),  # column names, a constant tuple
    ("ledger/seals.py", "table"),  # the exception queue's two tables, constants of seals.py
    ("ledger/seals.py", "key"),  # ... and their id columns
    # migration 10 (access): productions as tenants, roles and row-level security
    ("ledger/migrations.py", "', '.join(key)"),  # the new primary key: constant column names (_TENANT_KEYS)
    ("ledger/migrations.py", "cols"),  # the table's own column names, from schema.py
    ("ledger/migrations.py", "new.name"),  # the re-keyed copy's name: "<table>_v10"
    ("ledger/migrations.py", "pkey"),  # the primary key's name, read from pg_constraint (our own table's)
    ("ledger/migrations.py", "table.name"),  # a Table of schema.py
    ("ledger/tenants.py", "t"),  # the tables that say which productions a database holds (_HOLDERS)
    ("reports/load.py", "table"), ("reports/load.py", "key"), ("reports/load.py", "hash_col"),  # chain_stamp's
    # constant (table, id column, hash column) pairs
    ("access/rls.py", "name"),  # a prodlib group role's name (DB_ROLE: prodlib_<role id>), a view's name
    ("access/rls.py", "body"),  # a bond view's SELECT (BOND_VIEWS, constants)
    ("access/rls.py", "schema"),  # current_schema(), quoted as an identifier
    ("access/rls.py", "everyone"), ("access/rls.py", "_grantees(table)"),  # lists of DB_ROLE names
    ("access/rls.py", "', '.join(BOND_VIEWS)"),  # constant names (the views of BOND_VIEWS)
    ("access/rls.py", "DB_ROLE[BOND_REP]"), ("access/rls.py", "DB_ROLE[role]"),  # group role names
    ("access/rls.py", "t"), ("access/rls.py", "table"),  # LEDGER_TABLES
    ("access/rls.py", "role"),  # a role id of ROLES, in a policy's name
    ("access/rls.py", "expr"),  # a policy's USING: built from constants (ROLE_FILTERS, _held), no data
    ("access/grants.py", "DB_ROLE[role]"),  # a group role name
    ("access/grants.py", "login"),  # roles.yaml's db_user, quoted as an identifier by the dialect
    ("access/scoped.py", "DB_ROLE[role]"),  # SET LOCAL ROLE to a group role name (role checked against ROLES)
    # the query log (bondrep): the row count of a logged SELECT is the same statement counted, on the same
    # connection with the same parameters: SQL SQLAlchemy compiled for prodlib's own read, never data
    ("ledger/querylog.py", "statement"),
}


def interpolations() -> set[tuple[str, str]]:
    """Every (file, interpolated expression) of a SQL-looking f-string, ``%`` or ``.format`` in src/prodlib."""
    found: set[tuple[str, str]] = set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                head = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if SQL_START.match(head):
                    found |= {(rel, ast.unparse(v.value)) for v in node.values if isinstance(v, ast.FormattedValue)}
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                    and isinstance(node.left.value, str) and SQL_START.match(node.left.value):
                found.add((rel, "% " + ast.unparse(node.right)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                    and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) \
                    and SQL_START.match(node.func.value.value):
                found.add((rel, ".format " + ast.unparse(node)))
    return found


def test_no_sql_is_built_from_data() -> None:
    """A new interpolated statement fails here until it is reviewed and listed in ALLOWED."""
    assert interpolations() == ALLOWED


def test_the_scan_finds_an_interpolated_statement(tmp_path: Path, monkeypatch) -> None:
    """The scanner is not blind: a planted ``execute(f"... {value}")`` is found."""
    (tmp_path / "bad.py").write_text('def f(conn, v):\n    conn.execute(f"SELECT * FROM t WHERE x = \'{v}\'")\n'
                                     'q = "DELETE FROM t WHERE id = %s" % 5\n')
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    assert interpolations() == {("bad.py", "v"), ("bad.py", "% 5")}
