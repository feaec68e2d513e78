"""Benchmark: the appointment-reminder cron against a naive per-attendee loop.

Run against a SCRATCH database with duret_sms installed (it creates thousands of partners and
appointments, switches the main company to the Sandbox provider and commits):

    PYTHONPATH=/opt/odoo17 /tmp/venvtest/bin/python benchmarks/bench_reminders.py \
        -c /tmp/odoo-h5.conf -d h5_bench \
        [--count 10000] [--naive 1000]

It books ``--count`` appointments for the same day, then measures in one run:
- the cron's work (``calendar.attendee._duret_send_due_reminders`` at that day's reminder hour:
  batched rendering, one ``create`` of sms.sms per batch, one blacklist query per batch);
- a naive loop over ``--naive`` other appointments, one attendee at a time, the way Odoo's
  ``calendar_sms`` does it (blacklist search, template render and ``_message_sms`` per attendee);
and prints seconds and SQL queries per reminder for both. Goal: <= 10 queries per reminder and
the cron >= 5x faster per reminder than the naive loop.
"""

import argparse
import sys
import time as systime
from datetime import date, time, timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--naive", type=int, default=1000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.registry(args.database)

    from odoo.addons.duret_sms.core import windows

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        company.write(
            {
                "duret_sms_provider": "sandbox",
                "country_id": env.ref("base.fr").id,
                "duret_sms_tz": "Europe/Paris",
                "phone": "04 72 00 00 00",
            }
        )
        # A Wednesday at least a week ahead, reminded on the Tuesday at 17:00 Paris.
        day = date.today() + timedelta(days=7)
        while day.weekday() != 2:
            day += timedelta(days=1)
        technician = env.ref("base.user_admin")
        total = args.count + args.naive
        print(f"Booking {total} appointments on {day} ...", flush=True)
        started = systime.perf_counter()
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Client {i:05d}",
                    "mobile": f"+3361{i:07d}",
                    "street": f"{i % 90 + 1} rue des Lilas",
                    "zip": "69003",
                    "city": "Lyon",
                }
                for i in range(total)
            ]
        )
        events = env["calendar.event"]
        event_model = env["calendar.event"].with_context(
            no_mail_to_attendees=True, mail_create_nolog=True, mail_notrack=True
        )
        for chunk in range(0, total, 1000):
            vals = []
            for i, partner in enumerate(partners[chunk : chunk + 1000], start=chunk):
                start = windows.local_to_utc(day, time(8), "Europe/Paris") + timedelta(
                    minutes=(i % 60) * 10
                )
                vals.append(
                    {
                        "name": f"Intervention {i}",
                        "start": start,
                        "stop": start + timedelta(hours=1),
                        "user_id": technician.id,
                        "partner_ids": [Command.set([partner.id])],
                    }
                )
            events |= event_model.create(vals)
        cr.commit()
        print(f"  booked in {systime.perf_counter() - started:.1f} s", flush=True)

        attendees = events.attendee_ids
        naive_attendees = attendees.filtered(lambda a: a.partner_id in partners[args.count :])
        # Keep the naive sample out of the cron's way: it is reminded by the naive loop only.
        naive_attendees.write({"duret_reminder_state": "skipped"})
        cr.commit()
        now = windows.local_to_utc(day - timedelta(days=1), time(17), "Europe/Paris")

        env.invalidate_all()
        queries = cr.sql_log_count
        started = systime.perf_counter()
        env["calendar.attendee"]._duret_send_due_reminders(now)  # commits per batch
        cron_seconds = systime.perf_counter() - started
        cron_queries = cr.sql_log_count - queries
        reminded = env["calendar.attendee"].search_count(
            [("duret_reminder_state", "=", "done"), ("duret_reminder_channel", "=", "sms")]
        )

        env.invalidate_all()
        template = env.ref("duret_sms.sms_template_appointment_reminder")
        queries = cr.sql_log_count
        started = systime.perf_counter()
        for attendee in naive_attendees:
            partner = attendee.partner_id
            number = partner._phone_format(fname="mobile")
            if env["phone.blacklist"].sudo().search([("number", "=", number)]):
                continue
            body = template._render_field("body", attendee.ids)[attendee.id]
            attendee.event_id._message_sms(body, partner_ids=partner.ids, number_field="mobile")
            attendee.write({"duret_reminder_sent_at": now, "duret_reminder_channel": "sms"})
        cr.commit()
        naive_seconds = systime.perf_counter() - started
        naive_queries = cr.sql_log_count - queries
        naive_count = len(naive_attendees)

    per_cron = cron_seconds / max(reminded, 1)
    per_naive = naive_seconds / max(naive_count, 1)
    print(
        f"cron : {reminded} reminders in {cron_seconds:.2f} s "
        f"({per_cron * 1000:.2f} ms and {cron_queries / max(reminded, 1):.2f} SQL queries "
        f"per reminder)"
    )
    print(
        f"naive: {naive_count} reminders in {naive_seconds:.2f} s "
        f"({per_naive * 1000:.2f} ms and {naive_queries / max(naive_count, 1):.2f} SQL queries "
        f"per reminder)"
    )
    print(f"speed-up per reminder: {per_naive / per_cron:.1f}x")
    ok = cron_queries / max(reminded, 1) <= 10 and per_naive / per_cron >= 5
    print("GOAL MET" if ok else "GOAL NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
