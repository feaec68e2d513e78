"""Contacts and their phone numbers: the mobile an SMS goes to, the Urgent SMS Mobile of staff,
and which contacts a number belongs to. ``res.partner._duret_sms_mobile`` and its siblings are
the entry points."""

from ..core import phone


def has_number(partner, number, default_region="FR"):
    """True when ``partner``'s mobile or phone is ``number`` (E.164): the stored
    ``phone_sanitized`` (the first valid of the two), else each normalised with the contact's
    own country (``default_region`` when it has none) and compared exactly."""
    if partner.phone_sanitized == number:
        return True
    region = (partner.country_id.code or default_region or "FR").upper()
    return any(
        phone.try_normalize(value, region=region) == number
        for value in (partner.mobile, partner.phone)
        if value
    )


class PartnerNumbers:
    """``PartnerNumbers(env)``: phone numbers of ``res.partner`` records, in E.164."""

    def __init__(self, env):
        self.env = env

    def find_by_number(self, partners, number, company):
        """Return the active contacts of ``company`` or shared ones whose mobile or phone is it.

        ``number`` is in E.164. The stored ``phone_sanitized`` only holds the first valid of
        mobile and phone, so candidates are searched on both fields by their last digits, then
        each number is normalised (with the contact's own country) and compared exactly.
        """
        if not number or not number.startswith("+") or len(number) < 8:
            return partners.browse()
        tail = number[-8:]
        candidates = partners.search(
            [
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
                "|",
                ("phone_sanitized", "=", number),
                ("phone_mobile_search", "like", tail),
            ]
        )
        region = company.country_id.code
        return candidates.filtered(lambda partner: has_number(partner, number, region))

    def last_sms_recipient(self, partners):
        """Among these contacts, the one who was last sent an SMS, or nothing if it is a tie."""
        sms_sudo = self.env["sms.sms"].sudo()  # technical model (system ACL): dates only
        latest = {}
        for partner in partners:
            sms = sms_sudo.search(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "in", ("process", "pending", "sent")),
                ],
                order="duret_handover_at desc nulls last, id desc",
                limit=1,
            )
            if sms:
                latest[partner] = (sms.duret_handover_at or sms.create_date, sms.id)
        if not latest:
            return partners.browse()
        best = max(latest.values())
        winners = [partner for partner, key in latest.items() if key[0] == best[0]]
        return winners[0] if len(winners) == 1 else partners.browse()

    def sms_mobile(self, partner, company=None):
        """Return this contact's mobile in E.164 (its Mobile, else its Phone if that is a
        mobile), or None: SMS to a landline fail (Twilio error 21614).

        Numbers without a country code are read in the contact's country, else the company's
        (``company`` or the current one), else France.
        """
        partner.ensure_one()
        company = company or self.env.company
        region = (partner.country_id.code or company.country_id.code or "FR").upper()
        for raw in (partner.mobile, partner.phone):
            if raw and phone.is_mobile(raw, region):
                return phone.normalize(raw, region)
        return None

    def urgent_number(self, partner, company=None):
        """The Urgent SMS Mobile an officer registered for this contact, in E.164, or None."""
        partner.ensure_one()
        # The field is the officers'; callers (dispatch, alerts) only need the number.
        partner_sudo = partner.sudo()
        raw = partner_sudo.duret_sms_urgent_mobile
        company = company or self.env.company
        region = (partner_sudo.country_id.code or company.country_id.code or "FR").upper()
        if raw and phone.is_mobile(raw, region):
            return phone.normalize(raw, region)
        return None

    def number_holders(self, partners, number):
        """Every contact (all companies, archived included) whose mobile or phone is
        ``number`` (E.164), as superuser: used to refuse staff alerts to customers' numbers."""
        if not number or not number.startswith("+") or len(number) < 8:
            return partners.browse()
        # Contacts of every company are looked at: a customer of another company is a customer.
        partners_sudo = partners.sudo().with_context(active_test=False)
        candidates = partners_sudo.search(
            [
                "|",
                ("phone_sanitized", "=", number),
                ("phone_mobile_search", "like", number[-8:]),
            ]
        )

        return candidates.filtered(lambda partner: has_number(partner, number))
