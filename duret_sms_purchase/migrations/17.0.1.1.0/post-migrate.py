"""The template is ``noupdate``: an upgrade keeps its old text, whose placeholders call functions
(refused once staff edit it, issue 17 #1). Switch it to the text that reads ready-made fields,
in every language, only where nobody edited it."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_open

XMLID = "duret_sms_purchase.sms_template_purchase_urgent_confirmed"
OLD_BODY = (
    "URGENT Cde {{ object.name }} confirmée : {{ object.partner_id.name }}, "
    "livraison prévue le {{ format_datetime(object.date_planned, "
    "tz=object.company_id.duret_sms_tz or 'Europe/Paris', "
    "dt_format=\"dd/MM/yyyy 'à' HH'h'mm\") if object.date_planned else 'à "
    "confirmer' }}"
)


def _new_body():
    with file_open("duret_sms_purchase/data/sms_template_data.xml", "rb") as data:
        tree = etree.parse(data)
    return tree.find(
        ".//record[@id='sms_template_purchase_urgent_confirmed']/field[@name='body']"
    ).text


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref(XMLID, raise_if_not_found=False)
    if not template or template.with_context(lang="en_US").body != OLD_BODY:
        return
    # One value for every language: the text is French whatever the user's language.
    cr.execute(
        "UPDATE sms_template SET body = jsonb_build_object('en_US', %s::text) WHERE id = %s",
        [_new_body(), template.id],
    )
    template.invalidate_recordset(["body"])
