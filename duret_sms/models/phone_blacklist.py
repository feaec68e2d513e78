from odoo import _, models
from odoo.tools import html2plaintext


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    def _duret_optout_reason(self):
        """Say since when and why this number is on the opt-out list (for cancelled SMS)."""
        self.ensure_one()
        last_note = self.message_ids.filtered(lambda m: m.body)[:1]
        why = html2plaintext(last_note.body).strip() if last_note else ""
        since = self.create_date.strftime("%d/%m/%Y") if self.create_date else "?"
        if why:
            return _(
                "%(number)s is on the SMS opt-out list since %(date)s: %(why)s",
                number=self.number,
                date=since,
                why=why[:200],
            )
        return _(
            "%(number)s is on the SMS opt-out list since %(date)s.", number=self.number, date=since
        )
