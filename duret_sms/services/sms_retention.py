"""The retention of SMS history: SMS and replies older than each company's retention go, and
the SMS text leaves the chatter copies and notifications with them; the last opt-out evidence
of each number stays."""

import logging

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, fields

from ..core import twilio_codes
from ..models.phone_blacklist import is_twilio_optout

_logger = logging.getLogger(__name__)

# Marks a chatter copy whose SMS text the retention removed (not stripped twice).
PURGED_CLASS = "o_duret_sms_purged"


class SmsRetention:
    """``SmsRetention(env)``: purges in ``env`` (the cron's)."""

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    def purge_history(self):
        """Delete SMS and replies older than each company's retention (months); opt-outs and
        consents stay (they are the proof the rules need). One company at a time, isolated.

        Only finished SMS go: queued, deferred or in-flight ones are kept whatever their age.
        SMS without company are the current (cron's) company's, as they are when sent.
        """
        companies = self.env["res.company"].sudo().search([("duret_sms_retention_months", ">", 0)])
        companies._duret_sms_run_isolated("retention", self.purge_company)

    def _company_domain(self, company, fname):
        # Records without company belong to the cron's company (sms.sms._duret_company()).
        if company == self.env.company:
            return ["|", (fname, "=", company.id), (fname, "=", False)]
        return [(fname, "=", company.id)]

    def purge_company(self, company):
        limit = fields.Datetime.now() - relativedelta(months=company.duret_sms_retention_months)
        old_sudo = self.sms.sudo().search(
            self._company_domain(company, "company_id")
            + [
                ("create_date", "<", limit),
                ("state", "in", ("pending", "sent", "error", "canceled")),
            ]
        )
        replies_sudo = (
            self.env["duret.sms.reply"]
            .sudo()
            .search([("company_id", "=", company.id), ("received_at", "<", limit)])
        )
        kept_replies_sudo, kept_sms_sudo = self._optout_evidence(replies_sudo, old_sudo)
        old_sudo -= kept_sms_sudo
        replies_sudo -= kept_replies_sudo
        _logger.info(
            "SMS retention: deleting %s SMS and %s replies of company %s",
            len(old_sudo),
            len(replies_sudo),
            company.id,
        )
        self._strip_copies(company, limit, old_sudo | kept_sms_sudo)
        # The evidence kept needs no text: the refusal (error 21610) and its date are the proof.
        kept_sms_sudo.filtered("body").write({"body": ""})
        old_sudo.unlink()
        replies_sudo.unlink()

    def _optout_evidence(self, replies_sudo, sms_sudo):
        """Among old replies and SMS, the last opt-out evidence of each number, kept so that a
        Twilio block is still recognised (``phone.blacklist._duret_twilio_blocked``): its last
        opt-in (START), its last opt-out since (one Twilio honours first), and its last SMS
        Twilio refused (21610) since. Returns ``(replies kept, SMS kept)``."""
        Reply = self.env["duret.sms.reply"].sudo()
        refused = sms_sudo.filtered(
            lambda s: s.twilio_error_code == twilio_codes.OPTED_OUT_CODE and s.number
        )
        numbers = set(refused.mapped("number")) | set(
            replies_sudo.filtered(lambda r: r.intent in ("opt_out", "opt_in")).mapped("number_from")
        )
        kept_replies, kept_sms = Reply.browse(), self.sms.sudo().browse()
        for number in numbers:
            last_in = Reply.search(
                [("number_from", "=", number), ("intent", "=", "opt_in")],
                order="received_at desc, id desc",
                limit=1,
            )
            since = [("received_at", ">", last_in.received_at)] if last_in else []
            optouts = Reply.search(
                [("number_from", "=", number), ("intent", "=", "opt_out"), *since],
                order="received_at desc, id desc",
            )
            twilio_level = optouts.filtered(is_twilio_optout)
            kept_replies |= last_in | (twilio_level or optouts)[:1]
            kept_sms |= self.sms.sudo().search(
                [
                    ("number", "=", number),
                    ("twilio_error_code", "=", twilio_codes.OPTED_OUT_CODE),
                    *([("write_date", ">", last_in.received_at)] if last_in else []),
                ],
                order="id desc",
                limit=1,
            )
        return kept_replies & replies_sudo, kept_sms & sms_sudo

    def _strip_copies(self, company, limit, sms_sudo):
        """Remove the SMS text from the chatter copies of old SMS (Odoo's SMS messages) and
        the reasons of their notifications (they may quote the text or the number's history)."""
        Message = self.env["mail.message"].sudo()
        messages_sudo = sms_sudo.mail_message_id | Message.search(
            self._company_domain(company, "record_company_id")
            + [
                ("message_type", "=", "sms"),
                ("date", "<", limit),
                ("body", "not ilike", PURGED_CLASS),
            ]
        )
        messages_sudo = messages_sudo.filtered(
            lambda m: m.message_type == "sms" and PURGED_CLASS not in (m.body or "")
        )
        if not messages_sudo:
            return
        messages_sudo.write(
            {
                "body": Markup('<p class="%s">%s</p>')
                % (PURGED_CLASS, _("SMS text deleted after the retention period.")),
            }
        )
        messages_sudo.notification_ids.filtered(
            lambda n: n.notification_type == "sms" and n.failure_reason
        ).write({"failure_reason": False})
