"""The reminder template is ``noupdate``: an upgrade keeps the old two-segment text. Switch it to
the one-segment text (and its new name), in every language, only where nobody edited it."""

from lxml import etree

from odoo import SUPERUSER_ID, api, fields
from odoo.tools import file_open

XMLID = "duret_sms.sms_template_appointment_reminder"
OLD_BODY = (
    "Bonjour {{ object.duret_rdv_customer }}, rappel de votre RDV "
    "{{ object.duret_rdv_company_name }} le {{ object.duret_rdv_when }}"
    "{{ object.duret_rdv_address and (', ' + object.duret_rdv_address) or '' }}, avec "
    "{{ object.duret_rdv_technician }}. Confirmer ou annuler : {{ object.duret_rdv_url }}"
    "{{ object.duret_rdv_company_phone and (' Pour modifier : ' + object.duret_rdv_company_phone)"
    " or '' }}"
)


def _new_values():
    with file_open("duret_sms/data/sms_template_data.xml", "rb") as data:
        tree = etree.parse(data)
    record = tree.find(".//record[@id='sms_template_appointment_reminder']")
    return {name: record.find(f"field[@name='{name}']").text for name in ("name", "body")}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # Appointments booked before the upgrade get their short link too.
    ahead = env["calendar.attendee"].search(
        [("duret_short_token", "=", False), ("event_id.stop", ">=", fields.Datetime.now())]
    )
    ahead._duret_ensure_short_token()
    template = env.ref(XMLID, raise_if_not_found=False)
    if not template or template.with_context(lang="en_US").body != OLD_BODY:
        return
    values = _new_values()
    # One value for every language: the text is French whatever the user's language.
    cr.execute(
        "UPDATE sms_template SET body = jsonb_build_object('en_US', %s::text), "
        "name = jsonb_build_object('en_US', %s::text) WHERE id = %s",
        [values["body"], values["name"], template.id],
    )
    template.invalidate_recordset(["body", "name"])
