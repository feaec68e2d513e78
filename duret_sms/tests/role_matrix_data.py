"""Who can do what (issue 17): the expected outcome of each sensitive action for each role.

Plain data, no odoo import: ``test_role_matrix.py`` checks every cell inside Odoo, and
``scripts/role_matrix.py`` prints the table of ``docs/production.md`` from it without Odoo.
"""

# Outcomes. A send that is "cancelled" never leaves (refusing it outright is as good); a
# "deferred" send waits for the sending hours; NOT_CHECKED marks a cell the rule leaves open.
ALLOWED = "allowed"
REFUSED = "refused"
CANCELLED = "cancelled"
DEFERRED = "deferred"
NOT_CHECKED = "n/a"

# (key, label in the table, who it is in Odoo)
ROLES = [
    ("public", "Public", "no session: webhooks, customer pages (the public user)"),
    ("portal", "Portal customer", "base.group_portal"),
    ("employee", "Employee", "base.group_user"),
    ("salesperson", "Salesperson", "sales_team.group_sale_salesman (bridge duret_sms_sales_team)"),
    (
        "sms_marketing",
        "SMS Marketing user",
        "mass_mailing.group_mass_mailing_user (bridge duret_sms_mass_mailing)",
    ),
    ("technician", "Technician", "duret_sms.duret_sms_group_technician"),
    ("officer", "SMS Officer", "duret_sms.duret_sms_group_officer"),
    ("admin", "Administrator", "base.group_system"),
]
ROLE_KEYS = [key for key, _label, _who in ROLES]
INTERNAL = ["employee", "salesperson", "sms_marketing", "technician", "officer", "admin"]
# Who holds duret_sms.duret_sms_group_consent (salespeople and SMS Marketing users through the
# bridges, officers and administrators by implication).
CONSENT_GROUP = ["salesperson", "sms_marketing", "officer", "admin"]


def _row(allowed=(), default=REFUSED, **cells):
    """{role: outcome}: ``allowed`` roles are ALLOWED, ``cells`` name others, the rest
    get ``default``."""
    row = {role: default for role in ROLE_KEYS}
    row.update(dict.fromkeys(allowed, ALLOWED))
    row.update(cells)
    return row


# (key, label in the table, what the test does as the role)
ACTIONS = [
    (
        "template_edit_code",
        "Edit an SMS template with code",
        "write a template body holding an expression that calls methods "
        "(`{{ object.env.company.sudo().twilio_auth_token }}`)",
    ),
    (
        "template_edit_wording",
        "Edit an SMS template's wording (placeholders only)",
        "write a template body with `{{ object.name }}` only",
    ),
    (
        "template_render_code",
        "Have one's own code rendered (SMS composer)",
        "send from the mass SMS composer a text holding code that reads the Auth Token: "
        "allowed means the token came out in an SMS",
    ),
    (
        "template_code_run_by_system",
        "Have code run by the system (superuser) through a template",
        "write code into a template, then let the system render it (reminders, auto-replies): "
        "allowed means the Auth Token came out",
    ),
    (
        "send_optout",
        "Send an SMS to an opted-out number",
        "chatter SMS and SMS composer, with the internal urgent category asked for in the "
        "context, to a customer whose mobile is opted out; then the queue runs",
    ),
    (
        "send_optout_urgent_dispatch",
        "Urgent dispatch to a technician whose mobile is an opted-out customer's",
        "urgent dispatch wizard; the technician's contact carries the number of a customer "
        "who opted out (urgent alerts are exempt for staff numbers only)",
    ),
    (
        "send_optout_mailing_test",
        "SMS Marketing test SMS to an opted-out number",
        "the mailing's Test button (`mailing.sms.test`) to an opted-out number",
    ),
    (
        "send_outside_hours",
        "Send an SMS outside the sending hours",
        "chatter SMS and composer, urgent category asked for, to a customer on Sunday at 03:00",
    ),
    (
        "consent_set",
        "Record a contact's SMS consent",
        "tick Commercial SMS Consent on a contact who never had it",
    ),
    (
        "consent_set_wizard",
        "Record SMS consent with the consent wizard",
        "Record SMS Consent wizard, consent given",
    ),
    (
        "consent_forge_proof",
        "Record consent with someone else's name or an old date",
        "write consent with another user as author and a 2020 date: "
        "allowed means the forged proof was kept",
    ),
    (
        "consent_withdraw",
        "Withdraw a contact's SMS consent",
        "one click: untick the consent of a contact who has it",
    ),
    (
        "consent_revive_field",
        "Revive a withdrawn consent by ticking the box",
        "tick the consent again on a contact who withdrew it",
    ),
    (
        "consent_revive_wizard",
        "Revive a withdrawn consent with the consent wizard",
        "Record SMS Consent wizard on a contact who withdrew it",
    ),
    (
        "optout_lift",
        "Lift an SMS opt-out",
        "Lift SMS Opt-out wizard, with a reason",
    ),
    (
        "read_auth_token",
        "Read the Twilio Auth Token",
        "read `res.company.twilio_auth_token`",
    ),
    (
        "read_twilio_figures",
        "Read the Twilio balance and usage",
        "read the company's Twilio balance, SMS count and cost this month",
    ),
    (
        "read_twilio_ids",
        "Read the Twilio identifiers",
        "read the company's Twilio Account SID and Messaging Service SID",
    ),
    (
        "link_reply",
        "Link an SMS reply to a contact",
        "set the contact of a reply from an unknown number (same company)",
    ),
    (
        "link_reply_other_company",
        "Link a reply to another company's contact",
        "set, on a reply of company A, a contact of company B (the user is in both)",
    ),
    (
        "en_route",
        "Tell an appointment's customer the technician is on the way",
        "the *En route* button (15 min) on an appointment of the company, inside the hours",
    ),
    (
        "conversation_read",
        "Read an SMS conversation of someone else's appointment",
        "read a conversation (and its messages) whose technician and assignee are other people",
    ),
    (
        "conversation_read_own",
        "Read the SMS conversations of one's appointments",
        "read a conversation whose technician is the user, and one assigned to the user",
    ),
    (
        "conversation_answer",
        "Answer an SMS conversation of someone else's appointment",
        "post a comment (`message_post`, `mail.mt_comment`) on it: allowed means an SMS to its "
        "number was created",
    ),
    (
        "conversation_answer_own",
        "Answer an SMS conversation of one's appointment",
        "post a comment on a conversation whose technician is the user: allowed means an SMS "
        "to its number was created",
    ),
    (
        "conversation_assign_done",
        "Assign an SMS conversation or mark it done",
        "*Assign to me*, then *Mark as done*, on a conversation of someone else's appointment",
    ),
    (
        "conversation_done_own",
        "Mark an SMS conversation of one's appointment done",
        "*Mark as done* on a conversation whose technician is the user",
    ),
    (
        "change_public_url",
        "Change the Public URL",
        "Settings > SMS > Public URL, or the system parameter `duret_sms.public_url`",
    ),
    (
        "webhook_unsigned",
        "Post to the Twilio webhooks without a valid signature",
        "HTTP POST to /twilio/sms/receive and /twilio/sms/status/<uuid> without "
        "X-Twilio-Signature (logged in as the role, except public)",
    ),
]
ACTION_KEYS = [key for key, _label, _how in ACTIONS]

MATRIX = {
    # Only administrators write code in templates; officers write the wording with placeholders.
    "template_edit_code": _row(allowed=["admin"]),
    "template_edit_wording": _row(allowed=["officer", "admin"]),
    "template_render_code": _row(allowed=["admin"]),
    # Whatever the author, the system never runs staff-written code as superuser; whether an
    # administrator's code may is an implementation choice.
    "template_code_run_by_system": _row(admin=NOT_CHECKED),
    # Opted-out numbers get nothing, from anyone, whatever category is asked for.
    "send_optout": _row(**dict.fromkeys(INTERNAL, CANCELLED)),
    "send_optout_urgent_dispatch": _row(**dict.fromkeys(INTERNAL, CANCELLED)),
    "send_optout_mailing_test": _row(sms_marketing=CANCELLED, admin=CANCELLED),
    # Outside the hours, customer SMS wait, whoever sends them (urgent alerts go to staff only).
    "send_outside_hours": _row(**dict.fromkeys(INTERNAL, DEFERRED)),
    # Only the consent group records consent, and the server stamps who and when.
    "consent_set": _row(allowed=CONSENT_GROUP),
    "consent_set_wizard": _row(allowed=CONSENT_GROUP),
    "consent_forge_proof": _row(),
    # Withdrawing is one click for anyone acting for the customer; reviving needs the wizard.
    "consent_withdraw": _row(allowed=INTERNAL),
    "consent_revive_field": _row(),
    "consent_revive_wizard": _row(allowed=CONSENT_GROUP),
    # Lifting an opt-out is the SMS Officers' call.
    "optout_lift": _row(allowed=["officer", "admin"]),
    "read_auth_token": _row(allowed=["admin"]),
    # Customers and the public see no Twilio figures or identifiers; officers see the balance
    # (return on investment), administrators everything; other staff: the rule is open.
    "read_twilio_figures": _row(
        **dict(dict.fromkeys(INTERNAL, NOT_CHECKED), officer=ALLOWED, admin=ALLOWED)
    ),
    "read_twilio_ids": _row(**dict(dict.fromkeys(INTERNAL, NOT_CHECKED), admin=ALLOWED)),
    "link_reply": _row(allowed=["officer", "admin"]),
    "link_reply_other_company": _row(),
    # Whoever may change the appointment may tell its customer (a service SMS: the gate applies).
    "en_route": _row(allowed=INTERNAL),
    # Conversations (issue 21): SMS Officers read, answer and handle all of their companies';
    # a technician reads and answers those of their appointments (or assigned to them) only,
    # and leaves assigning and closing them to the office.
    "conversation_read": _row(allowed=["officer", "admin"]),
    "conversation_read_own": _row(allowed=["technician", "officer", "admin"]),
    "conversation_answer": _row(allowed=["officer", "admin"]),
    "conversation_answer_own": _row(allowed=["technician", "officer", "admin"]),
    "conversation_assign_done": _row(allowed=["officer", "admin"]),
    "conversation_done_own": _row(allowed=["officer", "admin"]),
    "change_public_url": _row(allowed=["admin"]),
    "webhook_unsigned": _row(),
}

SYMBOLS = {
    ALLOWED: "✅ allowed",
    REFUSED: "⛔ refused",
    CANCELLED: "⛔ cancelled",
    DEFERRED: "⏸ deferred",
    NOT_CHECKED: "·",
}


def markdown_table(matrix=None):
    """The matrix as a Markdown table: one row per action, one column per role."""
    matrix = matrix or MATRIX
    labels = dict((key, label) for key, label, _how in ACTIONS)
    header = ["Action"] + [label for _key, label, _who in ROLES]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for action in ACTION_KEYS:
        cells = [labels[action]] + [SYMBOLS[matrix[action][role]] for role in ROLE_KEYS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def check_matrix(matrix=None):
    """Problems with the table's shape: every action, every role, known outcomes only."""
    matrix = matrix or MATRIX
    problems = []
    if set(matrix) != set(ACTION_KEYS):
        problems.append(f"actions differ: {sorted(set(matrix) ^ set(ACTION_KEYS))}")
    for action, row in matrix.items():
        if set(row) != set(ROLE_KEYS):
            problems.append(f"{action}: roles differ: {sorted(set(row) ^ set(ROLE_KEYS))}")
        unknown = set(row.values()) - set(SYMBOLS)
        if unknown:
            problems.append(f"{action}: unknown outcomes {sorted(unknown)}")
    return problems
