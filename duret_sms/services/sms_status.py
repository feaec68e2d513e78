"""What Twilio says about an SMS: delivery reports (status callbacks), the answer to a send
request, and the price/status reconciliation cron that asks Twilio again later."""

import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, fields
from odoo.tools import mute_logger

from ..core import encoding, twilio_codes
from ..core.gateway import GatewayError
from .company_crons import cron_commit, in_test_transaction
from .sms_commit import write_committed
from .twilio_webhooks import WebhookSigners

_logger = logging.getLogger(__name__)

# What another transaction writing the same SMS raises (Odoo's HTTP requests retry on these).
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)

# What a delivery report reads of its SMS, and sms.sms.write (urgent and reminder SMS) too.
CALLBACK_FIELDS = [
    "uuid",
    "state",
    "twilio_sid",
    "company_id",
    "mail_message_id",
    "number",
    "partner_id",
    "duret_category",
    "duret_is_reminder",
]


class SmsStatus:
    """Record Twilio's statuses, SIDs, segments and prices on ``sms.sms`` records.

    ``SmsStatus(env)``: the records passed in are read and written in their own environment;
    ``env`` serves the searches and the texts (their language).
    """

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    # ------------------------------------------------------------------
    # Statuses
    # ------------------------------------------------------------------

    def set_canceled(self, smss, failure_type, reason):
        """Cancel before hand-over (rules), with the reason on the SMS and its notification."""
        smss.write(
            {"state": "canceled", "failure_type": failure_type, "duret_failure_reason": reason}
        )
        smss.sms_tracker_id._action_update_from_sms_state(
            "canceled", failure_type=failure_type, failure_reason=reason
        )

    def set_failed(self, smss, failure_type, reason):
        """Put the SMS in error with its reason, and its notification in exception/bounce."""
        smss.write({"state": "error", "failure_type": failure_type, "duret_failure_reason": reason})
        trackers = smss.sms_tracker_id
        if failure_type in smss.BOUNCE_DELIVERY_ERRORS:
            trackers._update_sms_notifications(
                "bounce", failure_type=failure_type, failure_reason=reason
            )
        else:
            trackers._action_update_from_sms_state(
                "error", failure_type=failure_type, failure_reason=reason
            )

    def apply_twilio_status(self, sms, twilio_status, error_code=None):
        """Move ``sms`` forward to what Twilio reports; never backwards.

        Twilio does not guarantee the order of status callbacks ("delivered" may arrive before
        "sent"), so a report that would move the SMS back is ignored. Returns whether it moved.
        The SMS's notification follows (``sms.tracker``), which tells the chatters that show
        it (bus) when its status changes.
        """
        sms.ensure_one()
        new_state = twilio_codes.TWILIO_STATUS_TO_SMS_STATE.get(twilio_status or "")
        if not new_state or not twilio_codes.is_forward(sms.state, new_state):
            return False
        vals = {"twilio_status": twilio_status, "duret_status_at": fields.Datetime.now()}
        if new_state == "error":
            info = twilio_codes.error_info(error_code)
            sms.write(dict(vals, twilio_error_code=error_code or 0))
            sms._duret_set_failed(info.failure_type, info.message)
            if error_code == twilio_codes.OPTED_OUT_CODE:
                self.blacklist_opted_out(sms)
        else:
            sms.write(dict(vals, state=new_state, failure_type=False))
            self.trackers(sms)._action_update_from_sms_state(new_state)
        return True

    def trackers(self, sms):
        """The ``sms.tracker`` of ``sms`` and its notification, read in one query (Odoo's
        ``sms.sms.sms_tracker_id`` searches, then reads: a delivery report pays each one)."""
        # sms.tracker is technical (no access for users); this is the tracker of this SMS.
        return (
            sms.env["sms.tracker"]
            .sudo()
            .search_fetch([("sms_uuid", "=", sms.uuid)], ["mail_notification_id"])
        )

    def handle_callback(self, sms_uuid, url, params, signature):
        """Record one Twilio status callback; return "ok", "forbidden" or "not_found".

        The webhook's whole work (issue 21: a delivery report must cost about what a forged
        one costs): the signature check against the cached signers (no query), then one
        statement finding the SMS among the signing companies' and recording the report
        (``duret.sms.status.report._duret_record``). The report is applied by the cron
        *SMS: apply Twilio delivery reports* (:meth:`apply_reports`), within seconds.

        :param url: the URL Twilio called (``res.company._duret_public_url``), or a list of
            candidate URLs, for the signature;
        :param params: every POST parameter, unchanged.
        """
        signers = WebhookSigners(self.env)
        company_ids = signers.signing_companies(url, params, signature)
        if not company_ids:
            return "forbidden"  # before any query: a forged report costs nothing more
        status = params.get("MessageStatus") or params.get("SmsStatus")
        message_sid = params.get("MessageSid")
        if status in twilio_codes.TWILIO_STATUS_TO_SMS_STATE:
            try:
                error_code = int(params.get("ErrorCode") or 0) or None
            except ValueError:
                error_code = None
            found = self.env["duret.sms.status.report"]._duret_record(
                sms_uuid, company_ids, message_sid, status[:32], error_code
            )
            if found:
                return "ok"
        # Not recorded (rare): say why. Raw SQL as above (no ORM read of the row).
        self.env.cr.execute(
            "SELECT id, company_id, twilio_sid FROM sms_sms WHERE uuid = %s LIMIT 1", [sms_uuid]
        )
        row = self.env.cr.fetchone()
        if not row:
            # Not ours, or deleted: signed by a company that receives SMS, or refused.
            return "not_found" if signers.company(url, params, signature) else "forbidden"
        sms_id, company_id, twilio_sid = row
        if (company_id or self.env.company.id) not in company_ids:
            return "forbidden"
        if twilio_sid and message_sid not in (None, twilio_sid):
            _logger.warning("Status callback for SMS %s names another message", sms_id)
            return "forbidden"
        return "ok"  # a status Odoo does nothing with (an inbound status, garbage)

    def apply_reports(self, limit=500):
        """Apply the recorded delivery reports, oldest first, ``limit`` at a time until none is
        left (a batch is committed before the next is read, outside tests).

        Each report moves its SMS forward only (a late "sent" never undoes "delivered", in
        whichever order reports arrive or are applied), records the SID when the report came
        before the hand-over's answer, and updates the chatter notification; the chatters are
        told once per batch (bus). A report whose SMS another transaction is writing is kept
        for a run 5 s later; one that fails otherwise is logged and dropped (Twilio's final
        status also comes back with the price reconciliation cron).
        """
        reports_model = self.env["duret.sms.status.report"].sudo()
        while True:
            reports = reports_model.search_fetch(
                [], ["sms_id", "status", "error_code", "message_sid"], limit=limit
            )
            if not reports:
                return
            done = self.apply_report_batch(reports)
            if done:
                self.env.cr.execute(
                    "DELETE FROM duret_sms_status_report WHERE id IN %s", [tuple(done)]
                )
            reports_model.invalidate_model()
            cron_commit(self.env)
            if len(done) < len(reports):
                # A report met a concurrent write of its SMS (the queue recording Twilio's
                # answer): kept, and applied by a run a few seconds later, on a fresh snapshot.
                self.env.ref("duret_sms.ir_cron_sms_status_reports")._trigger(
                    fields.Datetime.now() + timedelta(seconds=5)
                )
                return
            if len(reports) < limit:
                return

    def apply_report_batch(self, reports):
        """Apply ``reports``; return the ids of those done with (applied, or failed for good).

        A report whose SMS another transaction is writing (serialization failure, lock,
        deadlock) is not done: it stays for the next run.
        """
        # Read every SMS of the batch at once; the chatters are told after the batch.
        smss = reports.sms_id.with_context(sms_skip_msg_notification=True)
        smss.fetch(CALLBACK_FIELDS)
        moved = self.sms.sudo()
        done = []
        for report in reports:
            sms = report.sms_id.with_context(sms_skip_msg_notification=True)
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    if report.message_sid and not sms.twilio_sid:
                        # The report arrived before the hand-over's answer was recorded.
                        sms.twilio_sid = report.message_sid
                    if self.apply_twilio_status(sms, report.status, report.error_code or None):
                        moved |= sms
            except CONCURRENCY_ERRORS:
                _logger.info(
                    "Twilio report %s of SMS %s: SMS being written, later", report.id, sms.id
                )
                sms.invalidate_recordset()
                continue
            except Exception:  # noqa: BLE001 -- one report never blocks the others
                _logger.exception("Could not apply Twilio report %s of SMS %s", report.id, sms.id)
            done.append(report.id)
        if moved.mail_message_id:
            moved.mail_message_id._notify_message_notification_update()
        return done

    def record_accepted(self, sms, result):
        """Write Twilio's answer to a create request (status, SID, segments)."""
        sms.ensure_one()
        vals = {"twilio_sid": result.sid}
        if sms.state == "process":
            vals["duret_failure_reason"] = False
        vals.update(self.segment_vals(sms, result.num_segments))
        sms.write(vals)
        self.apply_twilio_status(sms, result.status, result.error_code)

    def segment_vals(self, sms, num_segments):
        analysis = encoding.analyze(sms.body or "")
        # Twilio answers "0" segments at first when a Messaging Service picks the sender.
        return {
            "duret_segments": num_segments or analysis.segments,
            "duret_encoding": analysis.encoding,
        }

    def blacklist_opted_out(self, smss):
        """Mirror Twilio's opt-out (error 21610) into Odoo's phone blacklist."""
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        for sms in smss.filtered("number"):
            blacklist_sudo._add(
                [sms.number],
                message=_(
                    "Opted out at Twilio (error 21610: the recipient replied STOP); added "
                    "when SMS %(uuid)s was refused.",
                    uuid=sms.uuid,
                ),
            )
            self.env["duret.sms.consent.event"]._duret_record(
                sms.partner_id,
                "opt_out",
                "twilio",
                numbers=[sms.number],
                company=sms._duret_company(),
                note=_("Refused by Twilio (error 21610)"),
            )

    # ------------------------------------------------------------------
    # Price and status reconciliation (cron)
    # ------------------------------------------------------------------

    def fetch_prices(self, limit=200):
        """Fetch from Twilio what it did not know at send time: price, final status.

        Company by company (one company's failure is recorded on it and never stops the
        others), at most ``limit`` SMS a run. The environment is the cron's, in sudo.
        """
        now = fields.Datetime.now()
        todo = self.sms.search(
            [
                ("duret_provider", "=", "twilio"),
                # Only a company still on Twilio can be asked (one switched to the Sandbox or
                # back to Odoo IAP keeps its old SMS as they are: nothing to report as failed).
                ("company_id.duret_sms_provider", "=", "twilio"),
                ("twilio_sid", "!=", False),
                ("duret_price_known", "=", False),
                ("duret_handover_at", "<", now - timedelta(minutes=5)),
                ("duret_handover_at", ">", now - timedelta(days=30)),
            ],
            limit=limit,
            order="duret_handover_at",
        )
        work = {
            company: [(sms.id, sms.twilio_sid) for sms in records]
            for company, records in todo.grouped("company_id").items()
        }
        companies = self.env["res.company"].concat(*work) if work else self.env["res.company"]
        companies._duret_sms_run_isolated(
            "prices", lambda company: self.fetch_company_prices(company, work[company])
        )

    def fetch_company_prices(self, company, sids):
        """Ask Twilio about ``sids`` (``[(sms id, Twilio SID)]``) of ``company``; record it.

        The rows to ask about were read before; the read transaction ends, the HTTP calls run
        with no transaction open, then each answer is written in its own short transaction on
        a fresh read, so a delivery report racing the cron never loses it.

        :raise UserError: when the company's Twilio settings are incomplete.
        """
        gateway = company._duret_twilio_gateway()
        cron_commit(self.env)  # no transaction stays open during the HTTP calls
        answers = []
        for sms_id, sid in sids:
            try:
                answers.append((sms_id, gateway.fetch(sid)))
            except GatewayError as error:
                _logger.info("Could not fetch Twilio message %s: %s", sid, error)
        for sms_id, result in answers:
            if in_test_transaction():
                self.record_fetched(self.sms.browse(sms_id), result)
            else:
                write_committed(
                    self.sms,
                    sms_id,
                    lambda sms, result=result: self.record_fetched(sms, result),
                )
        if in_test_transaction():
            self.sms.browse(
                [sms_id for sms_id, _result in answers]
            ).mail_message_id._notify_message_notification_update()

    def record_fetched(self, sms, result):
        """Write what Twilio's API says about ``sms`` now (status forward only, price)."""
        sms.ensure_one()
        self.apply_twilio_status(sms, result.status, result.error_code)
        vals = self.segment_vals(sms, result.num_segments)
        if result.price is not None:
            vals.update(
                duret_price=result.price,
                duret_price_unit=(result.price_unit or "").upper(),
                duret_price_known=True,
            )
        elif result.status in ("failed", "canceled"):
            vals["duret_price_known"] = True  # never charged: stop asking
        sms.write(vals)
        if vals.get("duret_price_unit"):
            self.activate_currency(vals["duret_price_unit"])

    def activate_currency(self, code):
        """Prices show with their currency's symbol only when Odoo has that currency active
        (the web client knows active currencies only): Twilio's billing currency is."""
        # res.currency is writable by accountants/administrators only; this is Twilio's answer.
        currency_sudo = (
            self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", code), ("active", "=", False)], limit=1)
        )
        if currency_sudo:
            currency_sudo.active = True
