from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.res_partner import CONSENT_SOURCES


class DuretSmsConsentWizard(models.TransientModel):
    _name = "duret.sms.consent.wizard"
    _description = "Record SMS Consent"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    consent = fields.Selection(
        [("given", "Consent given"), ("withdrawn", "Consent withdrawn")],
        "Commercial SMS",
        default="given",
        required=True,
    )
    source = fields.Selection(
        [s for s in CONSENT_SOURCES if s[0] != "staff"], "Consent Source", required=True
    )
    note = fields.Char("Note", help="Kept in each contact's history, e.g. the form's reference.")
    # A consent given while the number is on the opt-out list (the customer replied STOP or
    # used the unsubscribe link) would contradict the customer's later word: skipped.
    optout_partner_ids = fields.Many2many(
        "res.partner",
        string="Opted Out (Skipped)",
        compute="_compute_optout_partner_ids",
        help="Contacts whose number is on the SMS opt-out list: no consent is recorded for them "
        "until an SMS officer lifts the opt-out.",
    )

    @api.depends("partner_ids", "consent")
    def _compute_optout_partner_ids(self):
        for wizard in self:
            wizard.optout_partner_ids = (
                wizard.partner_ids.filtered("duret_sms_optout")
                if wizard.consent == "given"
                else False
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "partner_ids" in fields_list
            and self.env.context.get("active_model") == "res.partner"
            and self.env.context.get("active_ids")
        ):
            values["partner_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return values

    def action_apply(self):
        """Record the consent (or its withdrawal) on every selected contact, with a trace."""
        self.ensure_one()
        if not self.partner_ids:
            raise UserError(_("Select the contacts first."))
        given = self.consent == "given"
        skipped = self.optout_partner_ids
        partners = self.partner_ids - skipped
        if not partners:
            raise UserError(
                _(
                    "Nothing recorded: every selected contact opted out of all SMS (replied STOP "
                    "or used the unsubscribe link). An SMS officer must lift the opt-out first."
                )
            )
        partners._duret_sms_set_consent(given, self.source, note=self.note)
        if not skipped:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "message": _(
                    "Consent recorded for %(done)s contact(s). Skipped, opted out of all SMS: "
                    "%(names)s.",
                    done=len(partners),
                    names=", ".join(skipped.mapped("display_name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
