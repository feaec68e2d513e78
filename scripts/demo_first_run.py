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

# ``env`` is given by ``odoo-bin shell``.
env = globals()["env"]
company = env.ref("base.main_company")
company.write(
    {
        "name": "Duret Électricité",
        "street": "12 rue Garibaldi",
        "zip": "69006",
        "city": "Lyon",
        "country_id": env.ref("base.fr").id,
        "phone": "+33478123456",
        "email": "contact@duret-electricite.example",
        "duret_sms_provider": "sandbox",
        "duret_sms_tz": "Europe/Paris",
    }
)
french = env["res.lang"]._activate_lang("fr_FR")
env.ref("base.user_admin").write({"lang": french.code, "tz": "Europe/Paris"})
env.cr.commit()
print(f"duret_sms demo ready: {company.name}, Sandbox provider, administrator in French")
