from odoo import api, models


class UrgentAlertPath:
    """Context marker of the code paths meant to send internal urgent alerts (urgent dispatch,
    cancellation alert to the technician, site alerts of the bridges).

    A class, not a string: a context that arrives over RPC (JSON) can never hold it, so neither
    the SMS composer nor an RPC call can claim it.
    """


def urgent_alert_context():
    """The context an internal urgent alert is created with (``record.with_context(**...)``)."""
    return {"duret_sms_category": "internal_urgent", "duret_sms_urgent_path": UrgentAlertPath}


class SmsSms(models.Model):
    _inherit = "sms.sms"

    @api.model_create_multi
    def create(self, vals_list):
        """Decide the category on the server: *internal urgent* skips the opt-out list, the
        sending hours and consent, so it is kept only for the company's own people and only
        from the code paths meant to send it; anything else becomes transactional."""
        resolved = []
        for vals in vals_list:
            category = vals.get("duret_category") or self.env.context.get("duret_sms_category")
            if category == "internal_urgent" and not self._duret_may_send_urgent(
                vals.get("partner_id")
            ):
                vals = dict(vals, duret_category="transactional")
            resolved.append(vals)
        return super().create(resolved)

    def write(self, vals):
        if vals.get("duret_category") == "internal_urgent":
            ok = self.filtered(lambda sms: sms._duret_may_send_urgent(sms.partner_id.id))
            if ok != self:
                (self - ok).write(dict(vals, duret_category="transactional"))
                return super(SmsSms, ok).write(vals) if ok else True
        return super().write(vals)

    @api.model
    def _duret_may_send_urgent(self, partner_id):
        """Tell whether an internal urgent SMS to contact ``partner_id`` may be created here."""
        if self.env.context.get("duret_sms_urgent_path") is not UrgentAlertPath:
            return False
        return bool(partner_id) and self.env["res.partner"].browse(partner_id)._duret_is_staff()
