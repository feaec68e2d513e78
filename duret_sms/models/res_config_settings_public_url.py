from urllib.parse import urlsplit

from odoo import api, fields, models

from .res_company_public_url import PUBLIC_URL_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    duret_sms_public_url = fields.Char(
        "Public URL",
        config_parameter=PUBLIC_URL_PARAM,
        help="The address Twilio and your customers reach Odoo at (https://...). Delivery "
        "reports, replies, reminder and unsubscribe links use it; unlike web.base.url, it does "
        "not change when an administrator logs in through another address.",
    )
    duret_sms_public_url_insecure = fields.Boolean(
        "Public URL Not Secure", compute="_compute_duret_sms_public_url_insecure"
    )
    duret_sms_webhook_refused_at = fields.Datetime(
        related="company_id.duret_sms_webhook_refused_at"
    )
    duret_sms_webhook_refused_reason = fields.Char(
        related="company_id.duret_sms_webhook_refused_reason"
    )

    @api.depends("duret_sms_public_url")
    def _compute_duret_sms_public_url_insecure(self):
        for settings in self:
            url = settings.duret_sms_public_url or ""
            settings.duret_sms_public_url_insecure = bool(url) and urlsplit(url).scheme != "https"

    @api.model
    def get_values(self):
        values = super().get_values()
        if not values.get("duret_sms_public_url"):
            # Filled from web.base.url: saving the settings then makes it deliberate.
            values["duret_sms_public_url"] = self.env["res.company"]._duret_public_url()
        return values

    def set_values(self):
        for settings in self:
            settings.duret_sms_public_url = self.env["res.company"]._duret_check_public_url(
                settings.duret_sms_public_url
            )
        return super().set_values()
