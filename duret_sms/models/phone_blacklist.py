from odoo import _, models
from odoo.tools import html2plaintext

from ..core import twilio_codes

# Twilio's default opt-out keywords: a customer who sends one of them alone is blocked by
# Twilio itself (error 21610 on every later SMS) until they send START, whatever Odoo does.
TWILIO_OPT_OUT_WORDS = {
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "REVOKE",
}


def is_twilio_optout(reply):
    """Whether Twilio itself opted the number out on this ``duret.sms.reply``: one of its
    default words alone, or its Advanced Opt-Out said so (``OptOutType`` STOP), whatever the
    keyword configured in the Messaging Service was."""
    return (
        reply.twilio_opt_out_type == "STOP"
        or (reply.body or "").strip().strip(".!").upper() in TWILIO_OPT_OUT_WORDS
    )


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

    def _duret_last_note(self):
        self.ensure_one()
        return self.message_ids.filtered(lambda m: m.body)[:1]

    def _duret_optout_since(self):
        """When the number was (last) put on the list: its last note, else its creation."""
        self.ensure_one()
        return self._duret_last_note().date or self.create_date

    def _duret_optout_why(self):
        self.ensure_one()
        note = self._duret_last_note()
        return html2plaintext(note.body).strip()[:300] if note else ""

    def _duret_twilio_blocked(self):
        """Whether Twilio itself blocks this number: it replied one of Twilio's opt-out words,
        or Twilio refused an SMS to it (error 21610), and it has not replied START since."""
        self.ensure_one()
        replies = self.env["duret.sms.reply"].sudo()  # officer ACL; facts about this number
        last_in = replies.search(
            [("number_from", "=", self.number), ("intent", "=", "opt_in")],
            order="received_at desc",
            limit=1,
        ).received_at
        optouts = replies.search(
            [("number_from", "=", self.number), ("intent", "=", "opt_out")]
            + ([("received_at", ">", last_in)] if last_in else [])
        )
        if any(is_twilio_optout(reply) for reply in optouts):
            return True
        refused = (
            self.env["sms.sms"]
            .sudo()
            .search_count(  # system ACL; facts only
                [
                    ("number", "=", self.number),
                    ("twilio_error_code", "=", twilio_codes.OPTED_OUT_CODE),
                ]
                + ([("write_date", ">", last_in)] if last_in else []),
                limit=1,
            )
        )
        return bool(refused)
