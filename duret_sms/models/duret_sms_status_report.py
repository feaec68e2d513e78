"""Twilio's delivery reports, recorded by the status webhook and applied by a cron.

The webhook ``POST /twilio/sms/status/<uuid>`` answers every report Twilio sends (two or more
per SMS) and must stay almost as cheap as Odoo's ``/web/health`` (issue 21): after checking the
signature it only inserts one row here (``record``) and answers 200. The cron *SMS: apply
Twilio delivery reports* applies the pending rows in batches (``SmsStatus.apply_reports``):
status (forward only), error code and reason, opt-out on error 21610, the chatter
notification and the bus. It is triggered by the first report that finds no trigger pending
and runs every minute otherwise: a report shows in Odoo within seconds, a minute at worst.
"""

from odoo import api, fields, models

from ..services.sms_status import SmsStatus

# One statement: find the SMS among those of the companies that signed the report (and, once
# its SID is known, of that message only), record the report (a repeated one is kept once), and
# trigger the applying cron unless a trigger is already pending (each would wake the cron).
RECORD_SQL = """
WITH sms AS (
    SELECT id, twilio_sid FROM sms_sms
     WHERE uuid = %(uuid)s
       AND COALESCE(company_id, (SELECT company_id FROM res_users WHERE id = %(uid)s))
           = ANY(%(company_ids)s)
       AND (twilio_sid IS NULL OR %(message_sid)s IS NULL OR twilio_sid = %(message_sid)s)
     LIMIT 1
), report AS (
    INSERT INTO duret_sms_status_report (sms_id, status, error_code, message_sid, received_at)
    SELECT id, %(status)s, %(error_code)s,
           CASE WHEN twilio_sid IS NULL THEN %(message_sid)s END, now() at time zone 'UTC'
      FROM sms
    ON CONFLICT (sms_id, status) DO NOTHING
    RETURNING id
), cron_trigger AS (
    INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date,
                                 write_date)
    SELECT %(cron_id)s, now() at time zone 'UTC', 1, 1, now() at time zone 'UTC',
           now() at time zone 'UTC'
     WHERE EXISTS (SELECT 1 FROM report)
       AND NOT EXISTS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = %(cron_id)s)
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM sms), EXISTS (SELECT 1 FROM cron_trigger)
"""


class DuretSmsStatusReport(models.Model):
    _name = "duret.sms.status.report"
    _description = "Twilio delivery report waiting to be applied"
    _log_access = False
    _order = "id"

    sms_id = fields.Many2one("sms.sms", "SMS", required=True, ondelete="cascade", index=True)
    status = fields.Char("Twilio Status", required=True)
    error_code = fields.Integer("Twilio Error Code")
    message_sid = fields.Char("Twilio SID")
    received_at = fields.Datetime("Received On", required=True)

    _sql_constraints = [
        ("sms_status_uniq", "unique(sms_id, status)", "A report is recorded once per status."),
    ]

    @api.model
    def _duret_record(self, sms_uuid, company_ids, message_sid, status, error_code):
        """Record one report signed by ``company_ids`` in one statement (raw SQL: the webhook's
        only query), and wake the applying cron after the commit when no trigger was pending.

        Return whether the SMS was found (among those companies' SMS and, once its SID is
        known, as message ``message_sid``).
        """
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "duret_sms.ir_cron_sms_status_reports", raise_if_not_found=True
        )
        self.env.cr.execute(
            RECORD_SQL,
            {
                "uuid": sms_uuid,
                "company_ids": list(company_ids),
                # An SMS without company is the webhook user's company's (``env.company``),
                # read in the statement: reading the user in Python is a query of its own.
                "uid": self.env.uid,
                "message_sid": message_sid or None,
                "status": status,
                "error_code": error_code or 0,
                "cron_id": cron_id,
            },
        )
        found, triggered = self.env.cr.fetchone()
        if triggered:
            self.env.cr.postcommit.add(self.env["ir.cron"].browse(cron_id)._notifydb)
        return found

    @api.model
    def _cron_duret_apply(self, limit=500):
        SmsStatus(self.env).apply_reports(limit=limit)
