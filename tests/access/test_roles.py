"""roles.yaml: who holds which role on which production, read strictly into a RoleBook."""

from __future__ import annotations

import pytest

from prodlib.access.roles import DEPARTMENT_HEAD, ROLES, load_roles
from prodlib.errors import ConfigError
from prodlib.sample.writers import write_roles
from prodlib.taxonomy import get_chart

SMALL = """\
departments:
  - {id: camera, name: Camera, accounts: ["3300"]}
  - {id: grip, accounts: ["2500-01", "2500-02"]}
members:
  - id: P-1
    name: Dana Whitfield
    roles: [production_accountant]
    productions: [ALPHA]
  - id: P-2
    name: Sam Okafor
    roles: [department_head]
    productions: [ALPHA]
    departments: [camera]
  - id: P-3
    name: Lee Marchetti
    grants:
      - {role: upm, productions: [ALPHA]}
      - {role: studio_executive, productions: [ALPHA, BETA]}
"""


def write(tmp_path, text):
    p = tmp_path / "roles.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_small_production_s_roles(tmp_path):
    book = load_roles(write(tmp_path, SMALL), chart=get_chart())
    assert book.holds("P-1", "production_accountant", "ALPHA")
    assert not book.holds("P-1", "production_accountant", "BETA")  # another production
    assert not book.holds("P-1", "line_producer", "ALPHA")  # another role
    assert not book.holds("nobody", "auditor", "ALPHA")
    assert book.roles_of("P-3") == ("upm", "studio_executive")  # ROLES order, not file order
    assert book.roles_of("P-3", "BETA") == ("studio_executive",)
    assert book.productions_of("P-3", "studio_executive") == ("ALPHA", "BETA")
    assert [d.id for d in book.departments_of("P-2", "ALPHA")] == ["camera"]
    assert book.accounts_of("P-2", "ALPHA") == ("3300",)
    assert book.accounts_of("P-2", "BETA") == ()
    assert book.holders("upm", "ALPHA") == ("P-3",)
    camera = book.departments["camera"]
    assert camera.covers("3300-01") and camera.covers("3300") and not camera.covers("33000-01")
    assert not camera.covers("3400-01")
    assert book.departments["grip"].name == "grip"  # no name: its id
    assert book.departments["grip"].covers("2500-02") and not book.departments["grip"].covers("2500-03")


def test_an_input_folder_is_read_for_its_roles_yaml(tmp_path):
    write(tmp_path, SMALL)
    assert load_roles(tmp_path).holds("P-1", "production_accountant", "ALPHA")


@pytest.mark.parametrize("text, line, field, says", [
    (SMALL.replace("    productions: [ALPHA]\n  - id: P-2", "    productoins: [ALPHA]\n  - id: P-2"),
     8, "members[P-1].productoins", "did you mean 'productions'"),
    (SMALL.replace("roles: [production_accountant]", "roles: [accountant]"),
     7, "members[P-1].roles[0]", "'accountant' is not a role"),
    (SMALL.replace("departments: [camera]", "departments: [sound]"),
     13, "members[P-2].departments", "'sound' is not declared"),
    (SMALL.replace("    departments: [camera]\n", ""), 11, "members[P-2].roles", "needs departments"),
    (SMALL.replace("id: P-2", "id: P-1"), 9, "members[P-1].id", "listed twice"),
    (SMALL.replace('["3300"]', '["3399"]'), 2, "departments[camera].accounts[0]", "'3399' is not an account"),
    (SMALL.replace("{role: upm, productions: [ALPHA]}", "{role: upm, productions: [ALPHA], departments: [camera]}"),
     17, "members[P-3].grants[upm]", "scope a department_head only"),
    (SMALL + "extra: 1\n", 19, "extra", "unknown key"),
])
def test_a_wrong_roles_file_is_one_line_naming_file_line_and_key(tmp_path, text, line, field, says):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_roles(path, chart=get_chart())
    assert err.value.line == line and err.value.field == field, str(err.value)
    assert says in err.value.message and str(path) in str(err.value)
    assert err.value.exit_code == 2


def test_the_sample_writes_a_few_people_per_role(tmp_path):
    write_roles(tmp_path, "SAMPLE-INDIE")
    book = load_roles(tmp_path, chart=get_chart())
    for role in ROLES:
        assert book.holders(role, "SAMPLE-INDIE"), role
    assert book.productions_of("P-0501", "studio_executive") == ("SAMPLE-INDIE", "SAMPLE-INDIE-SEQUEL")
    assert book.accounts_of("P-0302", "SAMPLE-INDIE") == ("2500-01", "2500-02", "3200")
    assert all(book.departments_of(p, "SAMPLE-INDIE") for p in book.holders(DEPARTMENT_HEAD, "SAMPLE-INDIE"))
