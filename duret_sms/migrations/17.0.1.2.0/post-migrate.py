"""17.0.1.2.0 (issue 17).

#1: templates (SMS and e-mail) last changed by someone who is not an administrator render with
field placeholders only from now on: mark those changed before the upgrade.

#16: /rdv/ links use our own token (duret_rdv_token), not Odoo's invitation token. Every
attendee gets one (128 random bits), so that the short links already sent, which find the
attendee by its short token, keep opening its page. Links that carried Odoo's access_token show
"link not valid": that token also answers Odoo's own invitation routes.
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.duret_sms.services.rdv_pages import new_rdv_token


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    _restrict_staff_edited_templates(env)
    _give_rdv_tokens(env)


def _restrict_staff_edited_templates(env):
    admins = env.ref("base.group_system").users | env.ref("base.user_root")
    for model in ("sms.template", "mail.template"):
        staff_edited = (
            env[model].with_context(active_test=False).search([("write_uid", "not in", admins.ids)])
        )
        # A plain SQL update: writing through the ORM would set write_uid to the superuser.
        if staff_edited:
            env.cr.execute(
                f"UPDATE {env[model]._table} SET duret_restricted = TRUE WHERE id IN %s",  # noqa: S608
                [tuple(staff_edited.ids)],
            )
            staff_edited.invalidate_recordset(["duret_restricted"])


def _give_rdv_tokens(env):
    attendees = env["calendar.attendee"].with_context(active_test=False)
    for attendee in attendees.search([("duret_rdv_token", "=", False)]):
        attendee.duret_rdv_token = new_rdv_token()
