from odoo import api, fields, models

from .calendar_attendee import ANSWERS, ATTENDANCE

CANCEL_NOTICE = [
    ("lt24", "Less than 24 hours before"),
    ("d1_3", "1 to 3 days before"),
    ("gt3", "More than 3 days before"),
]


class DuretSmsReminderReport(models.Model):
    """Reminder effectiveness: one row per customer of an appointment.

    An appointment counts as held once it has started, unless the customer cancelled it; its
    no-show rate is the share of held appointments recorded *Customer absent* (a visit nobody
    recorded counts as attended: no-shows are never guessed). The baseline is the company's
    no-show rate without reminders (Settings).
    """

    _name = "duret.sms.reminder.report"
    _description = "Reminder Effectiveness"
    _auto = False
    _rec_name = "date"
    _order = "date desc"

    date = fields.Datetime("Appointment Date", readonly=True)
    event_id = fields.Many2one("calendar.event", "Appointment", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Technician", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    reminder = fields.Selection(
        [("sms", "Reminded by SMS"), ("email", "Reminded by email"), ("none", "Not reminded")],
        "Reminder",
        readonly=True,
    )
    answer = fields.Selection(ANSWERS, "Customer Answer", readonly=True)
    attendance = fields.Selection(ATTENDANCE, "Visit", readonly=True)
    cancel_notice = fields.Selection(CANCEL_NOTICE, "Cancelled", readonly=True)
    appointment_count = fields.Integer("Appointments", readonly=True)
    reminded_sms_count = fields.Integer("Reminded by SMS", readonly=True)
    reminded_email_count = fields.Integer("Reminded by Email", readonly=True)
    not_reminded_count = fields.Integer("Not Reminded", readonly=True)
    confirmed_count = fields.Integer("Confirmed", readonly=True)
    cancelled_count = fields.Integer("Cancelled by Customer", readonly=True)
    cancel_hours_before = fields.Float(
        "Cancelled Hours Before (avg)",
        readonly=True,
        group_operator="avg",
        help="How long before the appointment customers cancelled, on average.",
    )
    held_count = fields.Integer(
        "Held", readonly=True, help="Appointments that have started and were not cancelled."
    )
    no_show_count = fields.Integer("No-shows", readonly=True)
    no_show_rate = fields.Float(
        "No-show Rate (%)",
        readonly=True,
        group_operator="avg",
        help="No-shows among held appointments.",
    )
    baseline_rate = fields.Float(
        "Baseline No-show Rate (%)",
        readonly=True,
        group_operator="avg",
        help="The no-show rate without reminders, set in Settings.",
    )
    rating = fields.Float(
        "Rating (avg)",
        readonly=True,
        group_operator="avg",
        help="The customers' 1-5 rating from the thank-you SMS, over the visits rated.",
    )
    rated_count = fields.Integer("Rated Visits", readonly=True)

    @api.model
    def _duret_now_sql(self):
        # The ORM's clock (frozen in tests), not the database's now().
        return fields.Datetime.to_string(fields.Datetime.now())

    @property
    def _table_query(self):
        now = self._duret_now_sql()
        return f"""
            SELECT a.id,
                e.start AS date,
                e.id AS event_id,
                a.partner_id,
                e.user_id,
                company.id AS company_id,
                CASE WHEN a.duret_reminder_state = 'done'
                    THEN a.duret_reminder_channel ELSE 'none' END AS reminder,
                a.duret_customer_answer AS answer,
                a.duret_attendance AS attendance,
                CASE WHEN a.duret_customer_answer != 'cancelled' THEN NULL
                    WHEN e.start - a.duret_answer_at < interval '24 hours' THEN 'lt24'
                    WHEN e.start - a.duret_answer_at <= interval '72 hours' THEN 'd1_3'
                    ELSE 'gt3' END AS cancel_notice,
                1 AS appointment_count,
                CASE WHEN a.duret_reminder_state = 'done'
                    AND a.duret_reminder_channel = 'sms' THEN 1 ELSE 0 END AS reminded_sms_count,
                CASE WHEN a.duret_reminder_state = 'done'
                    AND a.duret_reminder_channel = 'email' THEN 1 ELSE 0 END
                    AS reminded_email_count,
                CASE WHEN COALESCE(a.duret_reminder_state, '') != 'done' THEN 1 ELSE 0 END
                    AS not_reminded_count,
                CASE WHEN a.duret_customer_answer = 'confirmed' THEN 1 ELSE 0 END
                    AS confirmed_count,
                CASE WHEN a.duret_customer_answer = 'cancelled' THEN 1 ELSE 0 END
                    AS cancelled_count,
                CASE WHEN a.duret_customer_answer = 'cancelled'
                    THEN EXTRACT(EPOCH FROM e.start - a.duret_answer_at) / 3600.0
                    END AS cancel_hours_before,
                CASE WHEN held.held THEN 1 ELSE 0 END AS held_count,
                CASE WHEN held.held AND a.duret_attendance = 'absent' THEN 1 ELSE 0 END
                    AS no_show_count,
                CASE WHEN held.held AND a.duret_attendance = 'absent' THEN 100.0
                    WHEN held.held THEN 0.0 END AS no_show_rate,
                company.duret_sms_noshow_baseline AS baseline_rate,
                NULLIF(a.duret_rating, 0)::float AS rating,
                CASE WHEN COALESCE(a.duret_rating, 0) > 0 THEN 1 ELSE 0 END AS rated_count
            FROM calendar_attendee a
            JOIN calendar_event e ON e.id = a.event_id
            LEFT JOIN res_users tech ON tech.id = e.user_id
            LEFT JOIN res_users creator ON creator.id = e.create_uid
            -- Every row has a company (the record rule lets no row without one through): the
            -- technician's, else (no technician) the company of whoever booked it, else the
            -- first company.
            JOIN res_company company ON company.id = COALESCE(
                tech.company_id,
                creator.company_id,
                (SELECT MIN(id) FROM res_company)
            )
            CROSS JOIN LATERAL (
                SELECT e.start <= '{now}'::timestamp
                    AND COALESCE(a.duret_customer_answer, 'none') != 'cancelled'
                    AND a.state != 'declined' AS held
            ) held
            WHERE e.active
                AND NOT EXISTS (
                    SELECT 1 FROM res_users u WHERE u.partner_id = a.partner_id AND NOT u.share
                )
        """
