"""sms.sms: the queue runner that hands SMS over to Twilio or the sandbox."""

import logging
import threading
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import dispatch, encoding, twilio_codes

_logger = logging.getLogger(__name__)

# A hand-over with no Twilio answer after this delay is closed as interrupted (see
# _duret_recover_stale_handovers): it is never resent automatically.
STALE_HANDOVER = timedelta(hours=1)
# Transient failures (Twilio busy, 5xx, network down) are retried by later queue runs.
MAX_TRANSIENT_RETRIES = 5


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # ------------------------------------------------------------------
    # Queue runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_duret_send_queue(self, batch_size=None):
        """Hand queued SMS of Twilio/Sandbox companies over, batch by batch.

        Each batch is claimed (state ``process``, hand-over time) and committed before Twilio
        is called, then the answers are written and committed: a crash or a rollback after
        Twilio accepted a message can never make it go out twice.
        """
        self = self.sudo()  # sms.sms is a technical model (system ACL); this is the cron
        testing = getattr(threading.current_thread(), "testing", False)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].get_param("duret_sms.batch_size", 200)
        )
        self._duret_recover_stale_handovers()
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        for company in companies:
            try:
                link = company._duret_sms_link()
            except UserError as error:
                # Nothing can be sent: say why on the waiting SMS, and keep them queued.
                _logger.warning("SMS queue of company %s: %s", company.id, error)
                self.search(self._duret_queue_domain(company, fields.Datetime.now())).write(
                    {"duret_failure_reason": str(error)}
                )
                continue
            while True:
                batch = self._duret_claim_batch(company, batch_size)
                if not batch:
                    break
                jobs = batch._duret_prepare_jobs(company)
                if not testing:
                    # The hand-over is durable before any HTTP call. From here until Twilio
                    # has answered the cron reads and writes nothing, so a status callback
                    # updating these rows meanwhile cannot make the cron's transaction fail
                    # (odoo/odoo#264736).
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                batch._duret_hand_over(link, jobs)
                if not testing:
                    # Twilio's answers are recorded before the next batch is claimed.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                if len(batch) < batch_size:
                    break
        self._duret_schedule_next_run()

    @api.model
    def _duret_queue_domain(self, company, now):
        return [
            ("state", "=", "outgoing"),
            ("to_delete", "!=", True),
            ("company_id", "=", company.id),
            "|",
            ("duret_not_before", "=", False),
            ("duret_not_before", "<=", now),
        ]

    @api.model
    def _duret_claim_batch(self, company, limit):
        """Lock up to ``limit`` due SMS of ``company``, apply the sending rules, claim the rest.

        Returns the claimed SMS (state ``process``); SMS the rules defer or cancel are written
        here and not returned.
        """
        now = fields.Datetime.now()
        while True:
            candidates = self.search(
                self._duret_queue_domain(company, now), limit=limit, order="id"
            )
            if not candidates:
                return self.browse()
            self.env.cr.execute(
                "SELECT id FROM sms_sms WHERE id IN %s AND state = 'outgoing' "
                "FOR UPDATE SKIP LOCKED",
                [tuple(candidates.ids)],
            )
            locked = self.browse([row[0] for row in self.env.cr.fetchall()])
            allowed = locked._duret_apply_sending_rules(company, now)
            if allowed:
                allowed.write(
                    {
                        "state": "process",
                        "duret_handover_at": now,
                        "duret_provider": company.duret_sms_provider,
                        "failure_type": False,
                    }
                )
                allowed.sms_tracker_id._action_update_from_sms_state("process")
                return allowed
            if len(candidates) < limit:
                return self.browse()
            # every candidate was deferred or cancelled: look at the next ones

    def _duret_prepare_jobs(self, company):
        """Build the HTTP jobs while the ORM may still be used (threads must not touch it)."""
        base_url = self.browse().get_base_url()
        from_, service_sid = company._duret_twilio_sender()
        return [
            dispatch.SendJob(
                key=sms.id,
                to=sms.number,
                body=sms.body or "",
                from_=from_,
                messaging_service_sid=service_sid,
                status_callback=f"{base_url}/twilio/sms/status/{sms.uuid}",
            )
            for sms in self
        ]

    def _duret_hand_over(self, link, jobs):
        """Give the claimed SMS to the provider and record the answers.

        :param link: the company's ``TwilioLink`` (see ``res.company._duret_sms_link``), or
            None for the sandbox;
        :param jobs: from ``_duret_prepare_jobs``, built before the claim was committed.
        """
        if link is None:
            self._duret_sandbox_deliver()
            return
        outcomes = dispatch.send_all(
            link.gateway, jobs, concurrency=link.concurrency, backoff=link.backoff
        )
        # The answers are written in the same cursor the claim was committed in; the
        # records may have been updated meanwhile by a status callback, so read them again.
        self.invalidate_recordset()
        by_id = {sms.id: sms for sms in self}
        for outcome in outcomes:
            sms = by_id[outcome.key]
            if outcome.result is not None:
                sms._duret_record_accepted(outcome.result)
            else:
                sms._duret_record_error(outcome.error)
        self.mail_message_id._notify_message_notification_update()

    def _duret_sandbox_deliver(self):
        now = fields.Datetime.now()
        for sms in self:
            analysis = encoding.analyze(sms.body or "")
            sms.write(
                {
                    "twilio_sid": "SB" + sms.uuid,
                    "twilio_status": "delivered",
                    "state": "sent",
                    "failure_type": False,
                    "duret_failure_reason": False,
                    "duret_segments": analysis.segments,
                    "duret_encoding": analysis.encoding,
                    "duret_price": 0.0,
                    "duret_price_known": True,
                    "duret_status_at": now,
                }
            )
        self.sms_tracker_id._action_update_from_sms_state("sent")
        self.mail_message_id._notify_message_notification_update()

    def _duret_record_accepted(self, result):
        """Write Twilio's answer to a create request (status, SID, segments)."""
        self.ensure_one()
        vals = {"twilio_sid": result.sid, "duret_failure_reason": False}
        vals.update(self._duret_segment_vals(result.num_segments))
        self.write(vals)
        self._duret_apply_twilio_status(result.status, result.error_code)

    def _duret_segment_vals(self, num_segments):
        analysis = encoding.analyze(self.body or "")
        # Twilio answers "0" segments at first when a Messaging Service picks the sender.
        return {
            "duret_segments": num_segments or analysis.segments,
            "duret_encoding": analysis.encoding,
        }

    def _duret_record_error(self, error):
        """Record a failed hand-over: retry later, wait for Twilio, or fail for good."""
        self.ensure_one()
        if error.ambiguous:
            # Twilio may have accepted it: never resend. Its status callback (the uuid is in
            # the callback URL) will settle it; otherwise the stale hand-over recovery will.
            self.write(
                {
                    "duret_failure_reason": _(
                        "No answer from Twilio in time; the SMS may have been sent. Waiting "
                        "for its delivery report."
                    )
                }
            )
            return
        if error.retryable and self.duret_retry_count < MAX_TRANSIENT_RETRIES:
            retries = self.duret_retry_count + 1
            delay = timedelta(minutes=min(2**retries, 60))
            self.write(
                {
                    "state": "outgoing",
                    "duret_retry_count": retries,
                    "duret_not_before": fields.Datetime.now() + delay,
                    "duret_failure_reason": str(error),
                    "twilio_error_code": error.code or 0,
                }
            )
            self.sms_tracker_id._action_update_from_sms_state("outgoing")
            return
        self.twilio_error_code = error.code or 0
        self._duret_set_failed(error.info.failure_type, error.info.message)
        if error.code == twilio_codes.OPTED_OUT_CODE:
            self._duret_blacklist_opted_out()

    def _duret_set_failed(self, failure_type, reason):
        """Put the SMS in error with its reason, and its notification in exception/bounce."""
        self.write({"state": "error", "failure_type": failure_type, "duret_failure_reason": reason})
        trackers = self.sms_tracker_id
        if failure_type in self.BOUNCE_DELIVERY_ERRORS:
            trackers._update_sms_notifications(
                "bounce", failure_type=failure_type, failure_reason=reason
            )
        else:
            trackers._action_update_from_sms_state(
                "error", failure_type=failure_type, failure_reason=reason
            )

    def _duret_blacklist_opted_out(self):
        """Mirror Twilio's opt-out (error 21610) into Odoo's phone blacklist."""
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        for sms in self.filtered("number"):
            blacklist_sudo._add(
                [sms.number],
                message=_(
                    "Opted out at Twilio (error 21610: the recipient replied STOP); added "
                    "when SMS %(uuid)s was refused.",
                    uuid=sms.uuid,
                ),
            )

    @api.model
    def _duret_recover_stale_handovers(self):
        """Close hand-overs that got no Twilio answer at all (crash, lost reply).

        They are not resent (Twilio may have the message): staff see the reason and decide.
        """
        limit = fields.Datetime.now() - STALE_HANDOVER
        stale = self.sudo().search(
            [
                ("state", "=", "process"),
                ("twilio_sid", "=", False),
                ("duret_provider", "=", "twilio"),
                ("duret_handover_at", "<", limit),
            ]
        )
        for sms in stale:
            sms._duret_set_failed(
                "unknown",
                _(
                    "The hand-over to Twilio was interrupted and Twilio never reported on this "
                    "SMS: it may or may not have been sent. Check Twilio's logs before resending."
                ),
            )

    @api.model
    def _duret_schedule_next_run(self):
        """Wake the queue up when the first deferred SMS becomes due."""
        first = self.sudo().search(
            [("state", "=", "outgoing"), ("duret_not_before", "!=", False)],
            order="duret_not_before",
            limit=1,
        )
        if first and first.duret_not_before > fields.Datetime.now():
            self._duret_trigger_queue(at=first.duret_not_before)
