from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    duret_sms_staff = fields.Boolean(
        "Company Staff (SMS)",
        copy=False,
        readonly=True,
        help="A site manager or technician of the company who is not an Odoo user: may receive "
        "internal urgent SMS alerts. Set by the urgent dispatch and site alerts.",
    )

    def _duret_is_staff(self):
        """One of the company's own people: an internal user's contact, or flagged staff."""
        self.ensure_one()
        # Reading users (archived included) is not every employee's right; only a yes/no leaves.
        partner_sudo = self.sudo().with_context(active_test=False)
        return partner_sudo.duret_sms_staff or any(not user.share for user in partner_sudo.user_ids)

    def _duret_mark_staff(self):
        """Flag these contacts as the company's staff (bridges: site managers they alert)."""
        # The flag is not editable in the UI; the site alert path sets it on its recipients.
        to_mark_sudo = self.sudo().filtered(lambda partner: not partner.duret_sms_staff)
        to_mark_sudo.duret_sms_staff = True
