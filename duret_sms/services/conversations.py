"""Conversations: one SMS thread per customer number and company (``duret.sms.conversation``).

The model delegates here: finding or creating the thread of an inbound SMS, showing our
outbound SMS in it, sending what staff write there as an SMS, the out-of-hours answer."""

from datetime import timezone
from zoneinfo import ZoneInfo

from odoo import fields

from ..core import opening, windows


class Conversations:
    """``Conversations(env)``: the conversation logic in ``env``."""

    def __init__(self, env):
        self.env = env

    def post(self, conversations, super_post, **kwargs):
        """``message_post`` of a conversation: see ``duret.sms.conversation.message_post``."""
        return super_post(**kwargs)

    def next_opening_text(self, company, now=None):
        """When ``company`` sends customer SMS again, in French words for the automatic answer:
        "dès maintenant", "aujourd'hui dès 14 h", "demain dès 8 h", "lundi dès 8 h"."""
        if not company:
            return ""
        now = now or fields.Datetime.now()
        policy = company._duret_sms_policy("transactional")
        try:
            opens_at = windows.next_allowed(now, policy)
        except ValueError:
            return ""
        zone = ZoneInfo(policy.tz)

        def local(when):
            return when.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)

        return opening.opening_words(local(now), local(opens_at))
