"""Templates (SMS and e-mail) last changed by someone who is not an administrator render with
field placeholders only from now on (issue 17 #1): mark those changed before the upgrade."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    admins = env.ref("base.group_system").users | env.ref("base.user_root")
    for model in ("sms.template", "mail.template"):
        staff_edited = (
            env[model].with_context(active_test=False).search([("write_uid", "not in", admins.ids)])
        )
        # A plain SQL update: writing through the ORM would set write_uid to the superuser.
        if staff_edited:
            cr.execute(
                f"UPDATE {env[model]._table} SET duret_restricted = TRUE WHERE id IN %s",  # noqa: S608
                [tuple(staff_edited.ids)],
            )
            staff_edited.invalidate_recordset(["duret_restricted"])
