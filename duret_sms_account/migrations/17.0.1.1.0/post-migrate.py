"""The template is ``noupdate``: an upgrade keeps its old text, whose placeholders call functions
(refused once staff edit it, issue 17 #1). Switch it to the text that reads ready-made fields,
in every language, only where nobody edited it."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_open

XMLID = "duret_sms_account.sms_template_invoice_dunning"
OLD_BODY = (
    "{{ object.company_id.name }} : sauf erreur, la facture {{ object.name "
    "}} ({{ ('%.2f' % object.amount_residual).replace('.', ',') }} {{ "
    "object.currency_id.symbol }}) est échue depuis le {{ "
    "format_date(object.invoice_date_due, date_format='dd/MM/yyyy') }}. "
    "Réglez-la en ligne : {{ "
    "object.company_id._duret_public_url(object.get_portal_url()) }}{{ (' ou "
    "par virement, IBAN ' + object.partner_bank_id.acc_number) if "
    "object.partner_bank_id else '' }}{{ ('. Questions : ' + "
    "object.company_id.phone) if object.company_id.phone else '' }}. Si "
    "c'est déjà fait, merci d'ignorer ce message."
)


def _new_body():
    with file_open("duret_sms_account/data/sms_template_data.xml", "rb") as data:
        tree = etree.parse(data)
    record = tree.find(".//record[@id='sms_template_invoice_dunning']")
    return record.find("field[@name='body']").text


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
