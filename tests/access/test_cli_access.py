"""``prodlib access show|sync``: roles.yaml shown, written to the database; a bad file is exit 2."""

from __future__ import annotations

import sqlite3

from prodlib.cli import main
from tests.access.books import ROLES_YAML
from tests.faults.production_set import FILES, write_production


def _folder(tmp_path, roles: str = ROLES_YAML):
    root = write_production(tmp_path / "in", {"grip.csv": FILES["grip.csv"]})
    (root / "roles.yaml").write_text(roles)
    return root


def test_show_and_sync_the_roles_of_an_input_folder(tmp_path, capsys):
    root = _folder(tmp_path)
    assert main(["access", "show", "--input", str(root), "--person", "P-CAM"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["P-CAM      Sam Okafor               department_head        ALPHA departments camera"]
    db = tmp_path / "studio.db"
    assert main(["access", "sync", "--input", str(root), "--db", f"sqlite:///{db}"]) == 0
    # 8 people; one grant each, the executive's two productions two: 9 rows
    assert "8 people, 9 grants written" in capsys.readouterr().out
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM access_members").fetchone() == (8,)
    assert con.execute("SELECT production_id, role, account FROM access_grants WHERE person_id = 'P-CAM'"
                       ).fetchall() == [("ALPHA", "department_head", "3300")]
    con.close()
    # a second sync with one person fewer: their grants are gone, nothing doubled
    (root / "roles.yaml").write_text(ROLES_YAML.replace(
        "  - {id: P-BOND, name: Howard Pell, roles: [bond_rep], productions: [ALPHA], db_user: access_bond}\n", ""))
    assert main(["access", "sync", "--input", str(root), "--db", f"sqlite:///{db}"]) == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM access_grants").fetchone() == (8,)
    assert con.execute("SELECT COUNT(*) FROM access_grants WHERE person_id = 'P-BOND'").fetchone() == (0,)
    con.close()


def test_a_misspelled_key_in_roles_yaml_is_exit_2_naming_file_line_and_key(tmp_path, capsys):
    root = _folder(tmp_path, ROLES_YAML.replace("departments: [camera]", "department: [camera]"))
    assert main(["access", "show", "--input", str(root)]) == 2
    err = capsys.readouterr().err
    assert "roles.yaml, line 6, field 'members[P-CAM].department': unknown key; did you mean 'departments'?" in err
