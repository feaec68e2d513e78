"""Turn a database installed with demo data into the duret_sms demo (run once, after install).

    odoo-bin shell -c <conf> -d <db> --no-http < scripts/demo_first_run.py

Used by run.sh (scripts/run_demo.py) and by the Docker quick start (docker/entrypoint.sh).
The demo records themselves (customers, technicians, appointments tomorrow, replies, SMS of
every status) are the addons' demo data, loaded with them; they stay inert in test databases
because the main company keeps Odoo's own SMS provider there. This script makes them live:
the main company becomes "Duret Électricité" in Lyon, sending through the **Sandbox**
provider (nothing leaves the machine), and the administrator reads Odoo in French.
Idempotent: running it again changes nothing more.
"""

import datetime

# ``env`` is given by ``odoo-bin shell``.
env = globals()["env"]
company = env.ref("base.main_company")
company.write(
    {
        "name": "Duret Électricité",
        "street": "12 rue Garibaldi",
        "zip": "69006",
        "city": "Lyon",
        "state_id": False,  # Odoo's demo company is in California
        "country_id": env.ref("base.fr").id,
        "phone": "+33478123456",
        "email": "contact@duret-electricite.example",
        "duret_sms_provider": "sandbox",
        "duret_sms_tz": "Europe/Paris",
    }
)
# A French company counts in euros: Settings, ROI, Analysis and the SMS history show "€" like
# the composer. Accounting refuses the change once journal items exist (Odoo's own demo
# invoices, when Invoicing was installed with its demo data before this first run): then the
# screens keep the company's currency, consistently, and this says so.
euro = env.ref("base.EUR")
euro.active = True
if company.currency_id != euro:
    try:
        with env.cr.savepoint():
            company.currency_id = euro
    except Exception as error:  # noqa: BLE001 - UserError from account, any other refusal
        print(f"duret_sms demo: the company keeps {company.currency_id.name}: {error}")
french = env["res.lang"]._activate_lang("fr_FR")
env.ref("base.user_admin").write({"lang": french.code, "tz": "Europe/Paris"})
# The calendar opens on the Duret appointments: the administrator's calendar shows the
# technicians' agendas next to their own (Odoo shows only one's own appointments at first).
for xmlid in (
    "duret_sms.res_users_technician_paul_demo",
    "duret_sms.res_users_technician_karim_demo",
):
    technician = env.ref(xmlid, raise_if_not_found=False)
    filters = env["calendar.filters"].with_context(active_test=False)
    admin = env.ref("base.user_admin")
    if technician and not filters.search_count(
        [("user_id", "=", admin.id), ("partner_id", "=", technician.partner_id.id)]
    ):
        filters.create(
            {"user_id": admin.id, "partner_id": technician.partner_id.id, "partner_checked": True}
        )
# Marc Leroy replied STOP (demo data): his number goes on Odoo's opt-out list.
marc = env.ref("duret_sms.res_partner_marc_leroy_demo", raise_if_not_found=False)
if marc:
    env["phone.blacklist"]._add([marc.mobile], message="STOP (SMS)")
# An SMS that waits in the queue, for a real reason: a second dunning reminder to the same
# number within 7 days is deferred by the compliance gate (at most one a week). The first one
# went two days ago; the second is handed to the queue, whose cron defers it.
jean = env.ref("duret_sms.res_partner_jean_dupuis_demo", raise_if_not_found=False)
# (The reporting demo has dunning SMS of its own, months old: look for this one's text.)
if jean and not env["sms.sms"].search_count([("body", "like", "FAC/2026/0051")]):
    dunning = env["sms.sms"].with_context(duret_sms_category="dunning")
    body = (
        "Duret Electricite : sauf erreur, la facture {ref} de 480,00 EUR reste impayée. "
        "Merci de nous appeler au 04 78 12 34 56."
    )
    dunning.create(
        {
            "number": jean.mobile,
            "partner_id": jean.id,
            "body": body.format(ref="FAC/2026/0042"),
            "state": "sent",
            "duret_provider": "sandbox",
            "duret_handover_at": env.cr.now() - datetime.timedelta(days=2),
        }
    )
    dunning.create(
        {"number": jean.mobile, "partner_id": jean.id, "body": body.format(ref="FAC/2026/0051")}
    ).send()
# Twilio's balance and this month's usage, simulated in Sandbox (SMS > Reporting > ROI).
company._duret_fetch_twilio_figures()
# run.sh reads it: the database is ready for the demo.
env["ir.config_parameter"].set_param("duret_sms.demo_first_run", "done")
env.cr.commit()
print(f"duret_sms demo ready: {company.name}, Sandbox provider, administrator in French")
