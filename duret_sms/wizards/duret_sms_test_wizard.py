from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import phone
from ..core.gateway import GatewayError
from ..tools.twilio_texts import translate_reason, twilio_status_label


class DuretSmsTestWizard(models.TransientModel):
    _name = "duret.sms.test.wizard"
    _description = "Send a test SMS through Twilio"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    number = fields.Char("Mobile Number", required=True)
    body = fields.Text(
        "Message",
        required=True,
        default=lambda self: _("Test SMS from Odoo: the Twilio connection works."),
    )
    result_state = fields.Selection(
        [("success", "Accepted"), ("error", "Refused")], "Result", readonly=True
    )
    result_message = fields.Text("Twilio's Answer", readonly=True)
    sms_id = fields.Many2one("sms.sms", "Test SMS", readonly=True)

    @api.model
    def _duret_plain_error(self, error):
        """Say in plain words what a Twilio refusal means for the administrator."""
        messages = {
            20003: _(
                "Twilio refused the credentials (error 20003): check the Account SID and the "
                "Auth Token in the Twilio Console."
            ),
            21408: _(
                "This country is not enabled on the Twilio account (error 21408): enable it "
                "under Messaging > Settings > Geo permissions."
            ),
            21211: _("Twilio says the number is not valid (error 21211)."),
            21212: _("The sender is not valid for this account (error 21212)."),
            21606: _(
                "This sender cannot send SMS (error 21606): use another number or a "
                "Messaging Service."
            ),
            21610: _("This number replied STOP: Twilio will not send to it (error 21610)."),
            21614: _("This number cannot receive SMS: landline or invalid (error 21614)."),
            20429: _("Twilio is busy (error 20429): try again in a minute."),
        }
        return messages.get(error.code) or translate_reason(self.env, str(error), error.code)

    def action_send(self):
        """Send one SMS synchronously, outside the queue, and show Twilio's answer."""
        self.ensure_one()
        company = self.company_id
        if company.duret_sms_provider != "twilio":
            raise UserError(_("Choose Twilio as SMS provider and save before testing it."))
        region = (company.country_id.code or "FR").upper()
        try:
            number = phone.normalize(self.number, region=region)
        except phone.PhoneNumberError as error:
            raise UserError(
                _("%(number)s is not a valid phone number.", number=self.number)
            ) from error
        gateway = company._duret_twilio_gateway()
        from_, service_sid = company._duret_twilio_sender()
        # Recorded in the SMS history like any other SMS (status callbacks and price included),
        # but handed over here rather than by the queue: the administrator waits for the answer.
        # sms.sms is a system model; this wizard is for administrators only.
        sms_sudo = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": number,
                    "body": self.body,
                    "company_id": company.id,
                    "state": "process",
                    "duret_provider": "twilio",
                    "duret_handover_at": fields.Datetime.now(),
                }
            )
        )
        try:
            result = gateway.send(
                number,
                self.body,
                from_=from_,
                messaging_service_sid=service_sid,
                status_callback=company._duret_public_url(f"/twilio/sms/status/{sms_sudo.uuid}"),
            )
        except GatewayError as error:
            sms_sudo.twilio_error_code = error.code if isinstance(error.code, int) else 0
            sms_sudo._duret_set_failed(error.info.failure_type, str(error))
            self.write(
                {
                    "result_state": "error",
                    "result_message": self._duret_plain_error(error),
                    "sms_id": sms_sudo.id,
                }
            )
        else:
            sms_sudo._duret_record_accepted(result)
            self.write(
                {
                    "result_state": "success",
                    "result_message": _(
                        "Twilio accepted the SMS (SID %(sid)s, status: %(status)s). It is in the "
                        "SMS history.",
                        sid=result.sid,
                        status=twilio_status_label(self.env, result.status),
                    ),
                    "sms_id": sms_sudo.id,
                }
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Send a test SMS"),
        }

    def action_open_sms(self):
        self.ensure_one()
        return self.sms_id._duret_form_action()
