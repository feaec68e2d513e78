from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError


class DuretSmsOptoutLiftWizard(models.TransientModel):
    _name = "duret.sms.optout.lift.wizard"
    _description = "Lift SMS Opt-out"

    partner_id = fields.Many2one("res.partner", "Contact", required=True, readonly=True)
    optout_since = fields.Date(related="partner_id.duret_sms_optout_since")
    optout_reason = fields.Char(related="partner_id.duret_sms_optout_reason")
    reason = fields.Text(
        "Why",
        required=True,
        help='E.g. "The customer asked by phone on 12/03 to receive the reminders again." '
        "Kept in the contact's and the opt-out list's history.",
    )

    def action_lift(self):
        """Take the contact's numbers off the opt-out list, with the reason as a trace.

        Raises UserError when Twilio itself blocks the number (only START from the customer
        lifts that) or when the contact is not opted out.
        """
        self.ensure_one()
        self.partner_id._duret_check_lift_right()
        partner = self.partner_id
        if partner.duret_sms_optout_at_twilio:
            raise UserError(partner._duret_twilio_optout_message())
        numbers = partner._duret_sms_optout_numbers()[partner]
        # phone.blacklist has a system-only ACL: only this contact's numbers are taken off.
        blacklist_sudo = self.env["phone.blacklist"].sudo()
        entries = blacklist_sudo.search([("number", "in", numbers)]) if numbers else blacklist_sudo
        if not entries:
            raise UserError(_("%(name)s is not on the SMS opt-out list.", name=partner.name))
        trace = _(
            "SMS opt-out lifted by %(user)s: %(reason)s",
            user=self.env.user.name,
            reason=self.reason,
        )
        blacklist_sudo._remove(entries.mapped("number"))
        note = Markup("<p>%s</p>") % trace
        entries.message_post(body=note, subtype_xmlid="mail.mt_note")
        partner.message_post(body=note, subtype_xmlid="mail.mt_note")
        self.env["duret.sms.consent.event"]._duret_record(
            partner, "opt_in", "staff", numbers=entries.mapped("number"), note=self.reason[:200]
        )
        return {"type": "ir.actions.act_window_close"}
