"""17.0.1.0.1: the dunning SMS's payment link is at the SMS Public URL in every language.

The template is noupdate and its French translation still built the link from
``get_base_url()`` (web.base.url, which Odoo rewrites when an administrator logs in through
another host name). Only that expression is replaced: the rest of an edited text stays.
"""

from odoo import SUPERUSER_ID, api

OLD = "object.get_base_url() + object.get_portal_url()"
NEW = "object.company_id._duret_public_url(object.get_portal_url())"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("duret_sms_account.sms_template_invoice_dunning", raise_if_not_found=False)
    if not template:
        return
    for lang, _name in env["res.lang"].get_installed():
        body = template.with_context(lang=lang).body or ""
        if OLD in body:
            template.with_context(lang=lang).body = body.replace(OLD, NEW)
