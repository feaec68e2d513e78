"""The static checks (scripts/static_checks.py, stage 1 of ./test.sh) catch what they promise.

Each test builds a small, clean fake repository in tmp_path (the real pyproject.toml, .pylintrc
and a one-addon tree), breaks one thing, and runs the checker as ./test.sh does: the checker must
exit 1 and name the problem. The clean fake repository and the real repository must pass.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKER = REPO / "scripts" / "static_checks.py"

MANIFEST = """\
{
    "name": "Fake SMS",
    "version": "17.0.1.0.0",
    "author": "Duret Électricité",
    "license": "LGPL-3",
    "depends": ["sms"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "views/res_partner_views.xml",
    ],
    "demo": ["demo/res_partner_demo.xml"],
    "installable": True,
}
"""

FILES = {
    "__init__.py": "from . import models\n",
    "core/__init__.py": "",
    "core/rules.py": '''\
        """A pure rule."""


        def is_short(text):
            """True when the text fits in one GSM-7 segment."""
            return len(text) <= 160
        ''',
    "models/__init__.py": "from . import res_partner\n",
    "models/res_partner.py": """\
        from odoo import fields, models

        from ..core.rules import is_short


        class ResPartner(models.Model):
            _inherit = "res.partner"

            fake_short_name = fields.Boolean(compute="_compute_fake_short_name")

            def _compute_fake_short_name(self):
                for partner in self:
                    partner.fake_short_name = is_short(partner.name or "")
        """,
    "security/ir.model.access.csv": (
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
    ),
    "views/res_partner_views.xml": """\
        <?xml version="1.0" encoding="utf-8"?>
        <odoo>
            <record id="res_partner_view_form" model="ir.ui.view">
                <field name="name">res.partner.form.fake</field>
                <field name="model">res.partner</field>
                <field name="inherit_id" ref="base.view_partner_form"/>
                <field name="arch" type="xml">
                    <field name="mobile" position="after">
                        <field name="fake_short_name"/>
                    </field>
                </field>
            </record>
        </odoo>
        """,
    "demo/res_partner_demo.xml": """\
        <?xml version="1.0" encoding="utf-8"?>
        <odoo>
            <record id="res_partner_demo" model="res.partner">
                <field name="name">Client démo</field>
            </record>
        </odoo>
        """,
    "static/description/icon.xml": "<svg/>\n",  # under static/: needs no manifest entry
    "tests/test_data.xml": "<odoo/>\n",  # under tests/: needs no manifest entry
}


@pytest.fixture
def fake_repo(tmp_path):
    """A clean repository with one addon, checked with the real tool configuration."""
    for name in ("pyproject.toml", ".pylintrc"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "requirements.txt").write_text("twilio>=9\nphonenumbers>=8.13  # parsing\n")
    addon = tmp_path / "duret_sms"
    write(addon / "__manifest__.py", MANIFEST)
    for name, content in FILES.items():
        write(addon / name, textwrap.dedent(content))
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def check(root, only=None):
    cmd = [sys.executable, str(CHECKER), "--root", str(root)]
    if only:
        cmd += ["--only", only]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def assert_fails(root, only, *expected):
    code, out = check(root, only)
    assert code == 1, out
    assert "static checks: FAILED" in out.splitlines()[-1], out
    for text in expected:
        assert text in out, out


def test_clean_fake_addon_passes_every_check(fake_repo):
    code, out = check(fake_repo)
    assert code == 0, out
    assert out.splitlines()[-1] == (
        "static checks: OK (ruff, ruff format, pylint-odoo, 4 XML files, 1 manifest)"
    )


def test_broken_xml_view_fails(fake_repo):
    view = fake_repo / "duret_sms/views/res_partner_views.xml"
    view.write_text(view.read_text().replace("</field>\n        </field>", "</field>\n"))
    assert_fails(fake_repo, "xml", "duret_sms/views/res_partner_views.xml:", "malformed XML")


def test_missing_data_file_fails(fake_repo):
    (fake_repo / "duret_sms/views/res_partner_views.xml").unlink()
    assert_fails(fake_repo, "manifest", "data file views/res_partner_views.xml does not exist")


def test_xml_file_not_in_manifest_fails(fake_repo):
    write(fake_repo / "duret_sms/views/forgotten_views.xml", "<odoo/>\n")
    assert_fails(
        fake_repo,
        "manifest",
        "duret_sms/views/forgotten_views.xml: not listed in the manifest's data or demo",
    )


def test_csv_file_not_in_manifest_fails(fake_repo):
    write(fake_repo / "duret_sms/data/extra.csv", "id,name\nx,y\n")
    assert_fails(fake_repo, "manifest", "duret_sms/data/extra.csv: not listed")


@pytest.mark.parametrize("version", ["1.0", "16.0.1.0.0", "17.0.1.0", "17.0.1.0.0-beta"])
def test_bad_manifest_version_fails(fake_repo, version):
    manifest = fake_repo / "duret_sms/__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"17.0.1.0.0"', f'"{version}"'))
    assert_fails(fake_repo, "manifest", f"version '{version}' does not match 17.0.x.y.z")


def test_unparsable_manifest_fails(fake_repo):
    manifest = fake_repo / "duret_sms/__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"sms"]', '"sms"'))
    assert_fails(fake_repo, "manifest", "does not parse as a Python literal")


def test_external_dependency_missing_from_requirements_fails(fake_repo):
    (fake_repo / "requirements.txt").write_text("twilio>=9\n")
    assert_fails(fake_repo, "manifest", "external dependency 'phonenumbers' is not in requirements")


@pytest.mark.parametrize(
    "line",
    [
        "import odoo",
        "from odoo import fields",
        "from odoo.tools import float_round",
        "import odoo.addons.sms",
        "from ..models import res_partner",
    ],
)
def test_odoo_import_inside_core_fails(fake_repo, line):
    rules = fake_repo / "duret_sms/core/rules.py"
    rules.write_text(
        rules.read_text().replace('"""A pure rule."""\n', f'"""A pure rule."""\n\n{line}\n')
    )
    assert_fails(fake_repo, "ruff", "duret_sms/core/rules.py:3:", "TID25")


def test_odoo_import_outside_core_is_allowed(fake_repo):
    # models/res_partner.py imports odoo and reaches into ..core: both fine outside core/.
    code, out = check(fake_repo, "ruff")
    assert code == 0, out


def test_pylint_odoo_mandatory_checks_run(fake_repo):
    model = fake_repo / "duret_sms/models/res_partner.py"
    model.write_text(
        model.read_text()
        + textwrap.indent(
            textwrap.dedent(
                """
                def _fake_purge(self, table):
                    self.env.cr.execute("DELETE FROM %s" % table)
                    self.env.cr.commit()
                """
            ),
            "    ",
        )
    )
    assert_fails(fake_repo, "pylint", "sql-injection", "invalid-commit")


def test_real_repository_passes():
    code, out = check(REPO)
    print(out)  # shown with the failure: the problems to fix
    assert code == 0, out.splitlines()[-1]
    assert out.splitlines()[-1].startswith("static checks: OK (ruff, ruff format, pylint-odoo, ")
