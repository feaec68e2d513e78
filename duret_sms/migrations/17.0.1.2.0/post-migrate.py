"""17.0.1.2.0: /rdv/ links use our own token (duret_rdv_token), not Odoo's invitation token.

Every attendee gets one (128 random bits), so that the short links already sent, which find
the attendee by its short token, keep opening its page. Links that carried Odoo's
access_token show "link not valid": that token also answers Odoo's own invitation routes.
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.duret_sms.services.rdv_pages import new_rdv_token


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    attendees = env["calendar.attendee"].with_context(active_test=False)
    for attendee in attendees.search([("duret_rdv_token", "=", False)]):
        attendee.duret_rdv_token = new_rdv_token()
