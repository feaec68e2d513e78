from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .res_partner import CONSENT_SOURCES

KINDS = [
    ("grant", "Consent given"),
    ("withdraw", "Consent withdrawn"),
    ("opt_out", "Opted out of all SMS"),
    ("opt_in", "Opt-out lifted"),
]
CHANNELS = [*CONSENT_SOURCES, ("link", "Unsubscribe link"), ("twilio", "Twilio")]


class DuretSmsConsentEvent(models.Model):
    """One event of a number's SMS consent history: append-only proof (CNIL asks who, when
    and how), never purged by the history retention. Written by the code (sudo) only."""

    _name = "duret.sms.consent.event"
    _description = "SMS Consent Event"
    _order = "date desc, id desc"
    _rec_name = "number"

    number = fields.Char("Number", readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Contact", readonly=True, index="btree_not_null", ondelete="set null"
    )
    company_id = fields.Many2one("res.company", "Company", readonly=True, ondelete="set null")
    kind = fields.Selection(KINDS, "Event", required=True, readonly=True)
    channel = fields.Selection(CHANNELS, "Channel", readonly=True)
    declared_date = fields.Date(
        "Declared Date", readonly=True, help="The date given with the consent (form, import)."
    )
    note = fields.Char("Note", readonly=True)
    user_id = fields.Many2one(
        "res.users", "Recorded By", readonly=True, default=lambda self: self.env.uid
    )
    date = fields.Datetime("Date", required=True, readonly=True, default=fields.Datetime.now)

    @api.model_create_multi
    def create(self, vals_list):
        """Only the code records events, with the server's author and time."""
        if not self.env.su:
            raise AccessError(_("The SMS consent history is written by Odoo itself."))
        now = fields.Datetime.now()
        return super().create(
            [
                dict(vals, date=now, user_id=vals.get("user_id") or self.env.uid)
                for vals in vals_list
            ]
        )

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("The SMS consent history cannot be changed: it is the proof."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_proof(self):
        if not self.env.su:
            raise AccessError(_("The SMS consent history cannot be deleted: it is the proof."))

    @api.model
    def _duret_record(self, partners, kind, channel, numbers=None, company=None, **extra):
        """Append one event per number of ``partners`` (or per number of ``numbers`` when no
        contact is known). ``extra``: ``declared_date``, ``note``, ``user_id``."""
        company = company or self.env.company
        channels = dict(CHANNELS)
        vals_list = []
        for partner in partners:
            partner_numbers = partner._duret_sms_optout_numbers()[partner] or [False]
            vals_list += [
                {"partner_id": partner.id, "number": number} for number in partner_numbers
            ]
        known = {vals["number"] for vals in vals_list}
        vals_list += [{"number": n} for n in numbers or () if n and n not in known]
        common = {
            "kind": kind,
            "channel": channel if channel in channels else False,
            "company_id": company.id,
            **extra,
        }
        # Append-only history: the event model refuses every non-superuser write.
        return self.sudo().create([dict(vals, **common) for vals in vals_list])

    @api.model
    def _duret_last_consent_event(self, partner):
        """The latest grant or withdrawal about ``partner`` or one of its numbers."""
        numbers = partner._duret_sms_optout_numbers()[partner]
        domain = [("kind", "in", ("grant", "withdraw"))]
        who = [("partner_id", "=", partner.id)]
        if numbers:
            who = ["|", ("number", "in", numbers), *who]
        # Append-only: the last recorded is the latest (ids, not dates, give the order).
        return self.sudo().search(domain + who, order="id desc", limit=1)
