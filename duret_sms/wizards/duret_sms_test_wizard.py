from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import phone
from ..core.gateway import GatewayError


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
        return messages.get(error.code) or str(error)

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
        try:
            result = gateway.send(number, self.body, from_=from_, messaging_service_sid=service_sid)
        except GatewayError as error:
            self.write({"result_state": "error", "result_message": self._duret_plain_error(error)})
        else:
            self.write(
                {
                    "result_state": "success",
                    "result_message": _(
                        "Twilio accepted the SMS (SID %(sid)s, status %(status)s).",
                        sid=result.sid,
                        status=result.status,
                    ),
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
