from odoo import _, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Prefixed: mail already has twilio_account_sid/twilio_account_token settings (Discuss
    # ICE servers, stored as system parameters); reusing the names would override them.

    duret_sms_provider = fields.Selection(
        related="company_id.duret_sms_provider", readonly=False, required=True
    )
    duret_twilio_account_sid = fields.Char(
        "SMS Twilio Account SID", related="company_id.twilio_account_sid", readonly=False
    )
    duret_twilio_auth_token = fields.Char(
        related="company_id.twilio_auth_token", readonly=False, groups="base.group_system"
    )
    duret_twilio_from_number = fields.Char(related="company_id.twilio_from_number", readonly=False)
    duret_twilio_messaging_service_sid = fields.Char(
        related="company_id.twilio_messaging_service_sid", readonly=False
    )
    duret_sms_can_receive = fields.Boolean(related="company_id.duret_sms_can_receive")
    duret_sms_cron_error = fields.Text(related="company_id.duret_sms_cron_error")
    duret_sms_cron_error_at = fields.Datetime(related="company_id.duret_sms_cron_error_at")
    duret_sms_tz = fields.Selection(related="company_id.duret_sms_tz", readonly=False)
    duret_sms_weekday_start = fields.Float(
        related="company_id.duret_sms_weekday_start", readonly=False
    )
    duret_sms_weekday_end = fields.Float(related="company_id.duret_sms_weekday_end", readonly=False)
    duret_sms_saturday_start = fields.Float(
        related="company_id.duret_sms_saturday_start", readonly=False
    )
    duret_sms_saturday_end = fields.Float(
        related="company_id.duret_sms_saturday_end", readonly=False
    )
    duret_sms_allow_sunday = fields.Boolean(
        related="company_id.duret_sms_allow_sunday", readonly=False
    )
    duret_sms_allow_holidays = fields.Boolean(
        related="company_id.duret_sms_allow_holidays", readonly=False
    )
    duret_sms_alsace_moselle = fields.Boolean(
        related="company_id.duret_sms_alsace_moselle", readonly=False
    )
    duret_sms_cap_commercial = fields.Integer(
        related="company_id.duret_sms_cap_commercial", readonly=False
    )
    duret_sms_cap_dunning = fields.Integer(
        related="company_id.duret_sms_cap_dunning", readonly=False
    )
    duret_sms_dispatch_horizon = fields.Integer(
        related="company_id.duret_sms_dispatch_horizon", readonly=False
    )
    duret_sms_retention_months = fields.Integer(
        related="company_id.duret_sms_retention_months", readonly=False
    )
    duret_sms_reminder_hour = fields.Float(
        related="company_id.duret_sms_reminder_hour", readonly=False
    )
    duret_sms_cancel_alert = fields.Boolean(
        related="company_id.duret_sms_cancel_alert", readonly=False
    )

    def action_duret_sms_open_test_wizard(self):
        self.ensure_one()
        self.execute()  # save the credentials being edited before testing them
        return {
            "type": "ir.actions.act_window",
            "name": _("Send a test SMS"),
            "res_model": "duret.sms.test.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.company_id.id},
        }
