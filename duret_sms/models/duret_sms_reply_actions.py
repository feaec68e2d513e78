"""What the office does from a reply: answer it, call back, put a name on the number."""

from odoo import _, api, fields, models

from ..core import phone


class DuretSmsReply(models.Model):
    _inherit = "duret.sms.reply"

    duret_title = fields.Char("Sender", compute="_compute_duret_title")

    @api.depends("partner_id", "number_from")
    def _compute_duret_title(self):
        for reply in self:
            reply.duret_title = reply.partner_id.name or reply.number_from

    def write(self, vals):
        result = super().write(vals)
        if vals.get("partner_id"):
            # A number linked to a contact once is that contact on its other replies too.
            self._duret_link_same_number()
        return result

    def _duret_link_same_number(self):
        for reply in self.filtered("partner_id"):
            others = self.search(
                [
                    ("number_from", "=", reply.number_from),
                    ("partner_id", "=", False),
                    ("company_id", "=", reply.company_id.id),
                ]
            )
            if others:
                others.write({"partner_id": reply.partner_id.id})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_duret_reply(self):
        """Open Odoo's SMS composer addressed to the sender of this reply: on the contact's
        chatter when the number is the contact's, to the bare number otherwise."""
        self.ensure_one()
        context = {"default_body": ""}
        field = self._duret_partner_number_field()
        if field:
            context.update(
                default_composition_mode="comment",
                default_res_model="res.partner",
                default_res_id=self.partner_id.id,
                default_number_field_name=field,
            )
        else:
            context.update(default_composition_mode="numbers", default_numbers=self.number_from)
        return {
            "type": "ir.actions.act_window",
            "name": _("Reply by SMS"),
            "res_model": "sms.composer",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_duret_call(self):
        """Call the sender back (tel: link: the phone or softphone of the user answers it)."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"tel:{self.number_from}", "target": "self"}

    def _duret_partner_number_field(self):
        """The field of the linked contact that holds the number of this reply, if any."""
        self.ensure_one()
        partner = self.partner_id
        if not partner:
            return False
        region = (self.company_id.country_id.code or "FR").upper()
        for field in ("mobile", "phone"):
            number = partner[field]
            if number and phone.try_normalize(number, region=region) == self.number_from:
                return field
        return False
