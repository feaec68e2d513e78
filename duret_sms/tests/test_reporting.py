from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.duret_sms.services.sms_cost import SmsCost

# Known data: the figures below are worked out by hand from it.
NOW = datetime(2026, 6, 15, 10, 0)  # a Monday


@tagged("post_install", "-at_install")
class ReportingCase(TransactionCase):
    """A company of its own, so that demo data never changes the figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.company = cls.env["res.company"].create(
            {
                "name": "Duret Reporting",
                "currency_id": cls.eur.id,
                "duret_sms_provider": "sandbox",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.customer = cls.env["res.partner"].create({"name": "Camille Martin"})

    def sms(self, when, **vals):
        values = {
            "number": "+33612345678",
            "body": "Rappel",
            "company_id": self.company.id,
            "partner_id": self.customer.id,
            "state": "sent",
            "duret_provider": "twilio",
            "twilio_sid": "SM" + str(len(vals)) + when.isoformat(),
            "duret_segments": 1,
            "duret_handover_at": when,
            "duret_status_at": when,
        }
        values.update(vals)
        record = self.env["sms.sms"].sudo().create(values)
        self.env.cr.execute("UPDATE sms_sms SET create_date = %s WHERE id = %s", [when, record.id])
        return record

    def report(self, domain=(), groupby=(), aggregates=("sms_count:sum",)):
        self.env.flush_all()
        return self.env["duret.sms.report"]._read_group(
            [("company_id", "=", self.company.id), *domain], list(groupby), list(aggregates)
        )


class TestSmsAnalysis(ReportingCase):
    def test_one_estimate_for_the_analysis_and_the_composer(self):
        """The analysis and the composer price an unpriced SMS the same way: the last price
        per segment for the company and the destination country, within 90 days."""
        june = datetime(2026, 6, 9, 17, 0)
        self.sms(june - timedelta(days=2), duret_price=0.076, duret_price_unit="EUR",
                 duret_price_known=True)  # fmt: skip
        self.sms(june - timedelta(days=1), number="+32470123456", duret_price=0.2,
                 duret_price_unit="EUR", duret_price_known=True, duret_segments=2)  # fmt: skip
        # Older than 90 days before the estimate: not a price of today any more.
        self.sms(june - timedelta(days=120), number="+41791234567", duret_price=0.5,
                 duret_price_unit="EUR", duret_price_known=True)  # fmt: skip
        pending = {
            number: self.sms(june, number=number, state="pending", duret_segments=3)
            for number in ("+33612345678", "+32470123456", "+41791234567")
        }
        self.env.flush_all()
        cost = self.env["sms.sms"].with_company(self.company)
        with freeze_time(june):
            for number, expected in (
                ("+33612345678", 0.076),
                ("+32470123456", 0.1),
                ("+41791234567", None),
            ):
                with self.subTest(number=number):
                    row = self.env["duret.sms.report"].search([("id", "=", pending[number].id)])
                    price = cost._duret_segment_price(self.company, number)
                    if expected is None:
                        self.assertIsNone(price)
                        self.assertFalse(row.cost_estimated)
                        continue
                    self.assertAlmostEqual(price[0], expected)
                    self.assertEqual(price[1], self.eur)
                    self.assertTrue(row.cost_estimated)
                    self.assertAlmostEqual(row.cost, 3 * expected)
            # Without a number, the company's country (France) is assumed.
            self.assertAlmostEqual(cost._duret_segment_price(self.company)[0], 0.076)

    def test_calling_code_of_each_country(self):
        cost = SmsCost(self.env)
        for number, code in (
            ("+33612345678", "33"),
            ("+33712345678", "33"),
            ("+32470123456", "32"),
            ("+14155550100", "1"),
            ("+79161234567", "7"),
            ("+447911123456", "44"),
            ("+212612345678", "212"),
            ("+352621123456", "352"),
            ("+8801712345678", "880"),
            ("+590690123456", "590"),
        ):
            with self.subTest(number=number):
                self.assertEqual(cost._calling_code(self.company, number), code)

    def test_cost_sums_estimates_and_delivery_rate(self):
        may = datetime(2026, 5, 10, 17, 0)
        june = datetime(2026, 6, 9, 17, 0)
        # Priced by Twilio: 0.076 EUR a segment, the last French price known.
        self.sms(may, duret_price=0.076, duret_price_unit="EUR", duret_price_known=True)
        self.sms(
            may,
            duret_segments=2,
            duret_price=0.152,
            duret_price_unit="EUR",
            duret_price_known=True,
        )
        # Not priced yet: 3 segments x 0.076 (the last price per segment for +33), estimated.
        estimated = self.sms(june, state="pending", duret_segments=3)
        # Failed after hand-over, charged by Twilio (undelivered).
        self.sms(
            june,
            state="error",
            failure_type="sms_not_delivered",
            twilio_status="undelivered",
            duret_price=0.076,
            duret_price_unit="EUR",
            duret_price_known=True,
        )
        # Never handed over (rules): no cost, not in the delivery rate.
        self.sms(
            june,
            state="canceled",
            failure_type="sms_blacklist",
            duret_provider=False,
            twilio_sid=False,
            duret_handover_at=False,
        )
        # A Belgian number: no Belgian price known, so no estimate.
        self.sms(june, number="+32470123456", state="pending")

        total = self.report(
            aggregates=["sms_count:sum", "segments:sum", "cost:sum", "estimated_cost:sum"]
        )
        self.assertEqual(total[0][:2], (6, 9))
        self.assertAlmostEqual(total[0][2], 0.076 + 0.152 + 0.228 + 0.076)
        self.assertAlmostEqual(total[0][3], 0.228)
        by_month = dict(self.report(groupby=["date:month"], aggregates=["cost:sum"]))
        self.assertAlmostEqual(sum(by_month.values()), 0.532)
        rows = self.env["duret.sms.report"].search([("id", "=", estimated.id)])
        self.assertTrue(rows.cost_estimated)
        self.assertEqual(rows.currency_id, self.eur)

        # Delivery rate: 2 delivered, 1 failed after hand-over; pending and cancelled left out.
        [(rate, delivered, failed)] = self.report(
            aggregates=["delivery_rate:avg", "delivered_count:sum", "failed_count:sum"]
        )
        self.assertAlmostEqual(rate, 200 / 3)
        self.assertEqual((delivered, failed), (2, 1))
        by_category = self.report(groupby=["category"], aggregates=["sms_count:sum"])
        self.assertEqual(by_category, [("transactional", 6)])
        by_failure = dict(self.report(groupby=["failure_type"], aggregates=["sms_count:sum"]))
        self.assertEqual(by_failure["sms_blacklist"], 1)

    def test_price_in_another_currency_is_converted(self):
        self.env["res.currency.rate"].create(
            [
                {"name": "2026-01-01", "rate": rate, "currency_id": currency.id}
                | {"company_id": self.company.id}
                for currency, rate in ((self.eur, 1.0), (self.usd, 1.25))
            ]
        )
        self.sms(
            datetime(2026, 5, 10), duret_price=0.10, duret_price_unit="USD", duret_price_known=True
        )
        # Estimated from the USD price, converted too: 2 x 0.10 USD = 0.16 EUR.
        self.sms(datetime(2026, 5, 11), state="pending", duret_segments=2)
        [(cost, estimated)] = self.report(aggregates=["cost:sum", "estimated_cost:sum"])
        self.assertAlmostEqual(cost, 0.08 + 0.16)
        self.assertAlmostEqual(estimated, 0.16)

    def test_office_staff_read_the_analysis_others_do_not(self):
        self.sms(
            datetime(2026, 5, 10), duret_price=0.076, duret_price_unit="EUR", duret_price_known=True
        )
        users = self.env["res.users"].create(
            [
                {
                    "name": name,
                    "login": f"reporting.{name}",
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                    "groups_id": [Command.set([self.env.ref(group).id])],
                }
                for name, group in (
                    ("officer", "duret_sms.duret_sms_group_officer"),
                    ("employee", "base.group_user"),
                )
            ]
        )
        officer, employee = users
        self.env.flush_all()
        report = self.env["duret.sms.report"]
        self.assertEqual(report.with_user(officer).search_count([]), 1)
        roi = self.env["duret.sms.roi"].with_user(officer).create({})
        self.assertEqual(roi.company_id, self.company)
        with self.assertRaises(AccessError):
            report.with_user(employee).search_count([])
        with self.assertRaises(AccessError):
            self.env["duret.sms.roi"].with_user(employee).create({})

    def test_sandbox_costs_nothing(self):
        self.sms(datetime(2026, 5, 10), duret_provider="sandbox", duret_price_known=True)
        [(count, cost)] = self.report(aggregates=["sms_count:sum", "cost:sum"])
        self.assertEqual((count, cost), (1, 0.0))


class TestAttendanceAndReminders(ReportingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand.reporting",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )

    def appointment(self, start, customers=None, reminder=None, answer=None, answer_at=None):
        customers = customers or self.customer
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Intervention",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": self.technician.id,
                    "partner_ids": [Command.set((customers | self.technician.partner_id).ids)],
                }
            )
        )
        attendees = event.attendee_ids.filtered(lambda a: a.partner_id in customers)
        if reminder:
            attendees.write({"duret_reminder_state": "done", "duret_reminder_channel": reminder})
        if answer:
            attendees.write(
                {
                    "duret_customer_answer": answer,
                    "duret_answer_at": answer_at,
                    "state": "declined" if answer == "cancelled" else "accepted",
                }
            )
        return event

    def test_no_show_recorded_on_the_appointment(self):
        start = datetime(2026, 6, 15, 8, 0)
        event = self.appointment(start)
        with freeze_time(start - timedelta(minutes=5)), self.assertRaises(UserError):
            event.action_duret_mark_absent()  # not started: nobody can know yet
        with freeze_time(start + timedelta(minutes=20)):
            self.assertTrue(event.duret_attendance_open)
            event.action_duret_mark_absent()
        attendee = event.attendee_ids.filtered("duret_is_customer")
        self.assertEqual(attendee.duret_attendance, "absent")
        self.assertEqual(attendee.duret_attendance_at, start + timedelta(minutes=20))
        self.assertEqual(attendee.duret_attendance_user_id, self.env.user)
        self.assertEqual(event.duret_attendance, "absent")
        self.assertIn("Customer absent", event.message_ids[0].body)
        technician = event.attendee_ids - attendee
        with freeze_time(start + timedelta(minutes=20)), self.assertRaises(UserError):
            technician.action_duret_mark_done()  # staff are not customers
        attendee.action_duret_attendance_reset()
        self.assertFalse(event.duret_attendance)
        attendee.do_decline()  # cancelled: nothing left to record
        with freeze_time(start + timedelta(minutes=20)):
            self.assertFalse(event.duret_attendance_open)
            with self.assertRaises(UserError):
                event.action_duret_mark_done()

    def test_several_customers_one_absent(self):
        start = datetime(2026, 6, 15, 8, 0)
        other = self.env["res.partner"].create({"name": "Jean Dupont"})
        event = self.appointment(start, self.customer | other)
        with freeze_time(start + timedelta(hours=1)):
            event.action_duret_mark_done()
            event.attendee_ids.filtered(lambda a: a.partner_id == other).action_duret_mark_absent()
        self.assertEqual(event.duret_attendance, "absent")

    def test_reminder_effectiveness(self):
        june = datetime(2026, 6, 1, 8, 0)
        # 10 reminded by SMS, 2 of them absent; 4 not reminded, 2 absent; one cancelled by SMS
        # 30 hours before, one reminded by email who confirmed; one next month (not held yet).
        for i in range(10):
            event = self.appointment(june + timedelta(days=i), reminder="sms")
            if i < 2:
                with freeze_time(NOW):
                    event.action_duret_mark_absent()
        for i in range(4):
            event = self.appointment(june + timedelta(days=i, hours=2))
            if i < 2:
                with freeze_time(NOW):
                    event.action_duret_mark_absent()
        cancelled_at = datetime(2026, 6, 3, 8, 0)
        self.appointment(
            cancelled_at + timedelta(hours=30),
            reminder="sms",
            answer="cancelled",
            answer_at=cancelled_at,
        )
        self.appointment(
            june + timedelta(days=5, hours=4),
            reminder="email",
            answer="confirmed",
            answer_at=june,
        )
        self.appointment(datetime(2026, 7, 2, 8, 0), reminder="sms")
        self.env.flush_all()
        with freeze_time(NOW):
            report = self.env["duret.sms.reminder.report"]
            domain = [("company_id", "=", self.company.id), ("date", "<", "2026-07-01")]
            [row] = report._read_group(
                domain,
                [],
                [
                    "appointment_count:sum",
                    "reminded_sms_count:sum",
                    "reminded_email_count:sum",
                    "not_reminded_count:sum",
                    "confirmed_count:sum",
                    "cancelled_count:sum",
                    "cancel_hours_before:avg",
                    "held_count:sum",
                    "no_show_count:sum",
                    "no_show_rate:avg",
                    "baseline_rate:avg",
                ],
            )
            self.assertEqual(row[:6], (16, 11, 1, 4, 1, 1))
            self.assertAlmostEqual(row[6], 30.0)
            self.assertEqual(row[7:9], (15, 4))
            self.assertAlmostEqual(row[9], 400 / 15)
            self.assertAlmostEqual(row[10], 15.0)  # the default baseline
            rates = dict(report._read_group(domain, ["reminder"], ["no_show_rate:avg"]))
            self.assertAlmostEqual(rates["sms"], 20.0)  # 2 of 10 held
            self.assertAlmostEqual(rates["none"], 50.0)  # 2 of 4
            self.assertAlmostEqual(rates["email"], 0.0)
            notice = dict(report._read_group(domain, ["cancel_notice"], ["cancelled_count:sum"]))
            self.assertEqual(notice["d1_3"], 1)

            # The dashboard, with the defaults (15 %, 150 EUR a trip, 1 EUR a month).
            roi = self.env["duret.sms.roi"].create({"company_id": self.company.id})
            self.assertEqual(roi.date, date(2026, 6, 15))
            self.assertEqual(roi.month_label, "June 2026")
            self.assertEqual(roi.month_appointments, 15)
            self.assertEqual(roi.month_no_shows, 4)
            self.assertAlmostEqual(roi.month_no_show_rate, 400 / 15)
            # Measured 26.7 % > 15 %: no no-show avoided, a loss shown as it is.
            self.assertAlmostEqual(roi.month_avoided, 15 * (15 - 400 / 15) / 100)
            self.assertAlmostEqual(roi.month_savings, roi.month_avoided * 150, places=2)
            self.assertAlmostEqual(roi.reminded_no_show_rate, 200 / 11)
            self.assertAlmostEqual(roi.not_reminded_no_show_rate, 50.0)
            self.assertAlmostEqual(roi.month_number_cost, 1.0)
            self.assertAlmostEqual(roi.year_number_cost, 12.0)


class TestRoi(ReportingCase):
    def test_study_table_with_the_defaults(self):
        """The study's case: 15 % → 10 % no-shows; 0.076 EUR SMS; 1 EUR number; 150 EUR trip."""
        technician = self.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand.roi",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        customers = self.env["res.partner"].create([{"name": f"Client {i}"} for i in range(20)])
        start = datetime(2026, 6, 1, 7, 0)
        events = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                [
                    {
                        "name": "Intervention",
                        "start": start + timedelta(hours=i),
                        "stop": start + timedelta(hours=i + 1),
                        "user_id": technician.id,
                        "partner_ids": [Command.set([c.id, technician.partner_id.id])],
                    }
                    for i, c in enumerate(customers)
                ]
            )
        )
        with freeze_time(NOW):
            events[:2].action_duret_mark_absent()  # 10 %
            for event in events:
                self.sms(
                    datetime(2026, 5, 31, 15, 0) + timedelta(minutes=event.id % 50),
                    duret_price=0.076,
                    duret_price_unit="EUR",
                    duret_price_known=True,
                    twilio_sid=f"SM{event.id}",
                )
            roi = self.env["duret.sms.roi"].create(
                {"company_id": self.company.id, "date": date(2026, 6, 1)}
            )
            self.assertEqual(roi.month_appointments, 20)
            self.assertAlmostEqual(roi.month_no_show_rate, 10.0)
            self.assertAlmostEqual(roi.month_avoided, 1.0)  # 20 x (15 % - 10 %)
            self.assertAlmostEqual(roi.month_savings, 150.0, places=2)
            self.assertAlmostEqual(roi.month_sms_cost, 0.0, places=2)  # the SMS went in May
            self.assertAlmostEqual(roi.month_net, 150.0 - 1.0, places=2)
            # Year: 20 SMS so far + the last 30 days' pace (all 20) over 199.6 days left.
            days_left = (datetime(2027, 1, 1) - NOW).total_seconds() / 86400
            self.assertAlmostEqual(roi.year_sms_cost, 1.52 + 1.52 * days_left / 30, places=2)
            self.assertEqual(roi.year_appointments, round(20 + 20 * days_left / 30))
            self.assertAlmostEqual(
                roi.year_net, roi.year_avoided * 150 - roi.year_sms_cost - 12, places=1
            )
            may = self.env["duret.sms.roi"].create(
                {"company_id": self.company.id, "date": date(2026, 5, 20)}
            )
            self.assertEqual(may.month_sms_count, 20)
            self.assertAlmostEqual(may.month_sms_cost, 1.52, places=2)


class TestReminderReportCompanies(ReportingCase):
    """Issue 17, item 15: every row of the reminder report carries a company, so the company
    rule keeps appointments (private ones included) to their own company."""

    def test_appointment_without_technician_stays_in_its_company(self):
        other = self.env["res.company"].create(
            {"name": "Duret Sud", "duret_sms_provider": "sandbox"}
        )
        booker = self.env["res.users"].create(
            {
                "name": "Office Sud",
                "login": "office.sud.reporting",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "groups_id": [Command.set([self.env.ref("base.group_user").id])],
            }
        )
        officer = self.env["res.users"].create(
            {
                "name": "Officer Nord",
                "login": "officer.nord.reporting",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("duret_sms.duret_sms_group_officer").id])],
            }
        )
        start = datetime(2026, 6, 15, 8, 0)
        event = (
            self.env["calendar.event"]
            .with_user(booker)
            .sudo()  # booked by Office Sud (create_uid), whatever the calendar's own rules
            .with_context(no_mail_to_attendees=True, allowed_company_ids=other.ids)
            .create(
                {
                    "name": "Private visit",
                    "privacy": "private",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": False,
                    "partner_ids": [Command.set(self.customer.ids)],
                }
            )
        )
        self.env.flush_all()
        report = self.env["duret.sms.reminder.report"].sudo()
        rows = report.search([("event_id", "=", event.id)])
        self.assertEqual(rows.company_id, other, "the company of whoever booked it")
        self.assertFalse(report.search([("company_id", "=", False)]))
        officer_report = self.env["duret.sms.reminder.report"].with_user(officer)
        self.assertFalse(officer_report.search([("event_id", "=", event.id)]))
