"""The role matrix (issue 17) without Odoo: its shape, the rules it states, and the table in
docs/production.md. The Odoo test TestRoleMatrix checks each cell against the addon."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import role_matrix  # noqa: E402 - script beside the repository's tests, not a package

data = role_matrix.load_data()
MATRIX = data.MATRIX


def test_data_module_never_imports_odoo():
    source = role_matrix.DATA.read_text(encoding="utf-8")
    assert "import odoo" not in source and "from odoo" not in source


def test_every_action_has_every_role():
    assert data.check_matrix() == []


def test_docs_table_is_up_to_date():
    assert role_matrix.main(["--check"]) == 0


def roles_with(action, outcome):
    return {role for role, value in MATRIX[action].items() if value == outcome}


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("read_auth_token", {"admin"}),
        ("template_edit_code", {"admin"}),
        ("template_edit_wording", {"officer", "admin"}),
        ("optout_lift", {"officer", "admin"}),
        ("link_reply", {"officer", "admin"}),
        ("change_public_url", {"admin"}),
        ("consent_set", set(data.CONSENT_GROUP)),
        ("consent_revive_wizard", set(data.CONSENT_GROUP)),
        ("consent_withdraw", set(data.INTERNAL)),
        ("consent_revive_field", set()),
        ("consent_forge_proof", set()),
        ("link_reply_other_company", set()),
        ("webhook_unsigned", set()),
        # Issue 21: a technician reads and answers the conversations of their appointments only.
        ("conversation_read", {"officer", "admin"}),
        ("conversation_read_own", {"technician", "officer", "admin"}),
        ("conversation_answer", {"officer", "admin"}),
        ("conversation_answer_own", {"technician", "officer", "admin"}),
        ("conversation_assign_done", {"officer", "admin"}),
    ],
)
def test_the_rules_of_issue_17(action, allowed):
    assert roles_with(action, data.ALLOWED) == allowed


def test_nothing_leaves_for_opted_out_numbers_and_nothing_goes_at_night():
    for action in ("send_optout", "send_optout_mailing_test", "send_outside_hours"):
        assert roles_with(action, data.ALLOWED) == set(), action
    assert roles_with("send_optout", data.CANCELLED) == set(data.INTERNAL)
    assert roles_with("send_outside_hours", data.DEFERRED) == set(data.INTERNAL)


def test_customers_and_public_read_no_twilio_figures_nor_identifiers():
    for action in ("read_auth_token", "read_twilio_figures", "read_twilio_ids"):
        assert MATRIX[action]["public"] == MATRIX[action]["portal"] == data.REFUSED


def test_markdown_table_has_a_row_per_action_and_a_column_per_role():
    lines = data.markdown_table().splitlines()
    assert len(lines) == 2 + len(data.ACTIONS)
    assert all(line.count("|") == len(data.ROLES) + 2 for line in lines)
