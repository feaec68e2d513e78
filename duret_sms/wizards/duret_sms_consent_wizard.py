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
        self.partner_ids._duret_sms_set_consent(given, self.source, note=self.note)
        return {"type": "ir.actions.act_window_close"}
