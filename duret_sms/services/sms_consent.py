"""Commercial SMS consent as proof: who may set it, what the server stamps, and the
withdrawal that sticks. ``res.partner``'s create/write delegate here."""

from odoo import _, fields
from odoo.exceptions import AccessError, UserError

CONSENT_GROUP = "duret_sms.duret_sms_group_consent"
# Fields that make the proof: only the SMS Consent group (or the code, as superuser) sets them.
PROTECTED_FIELDS = (
    "duret_sms_consent",
    "duret_sms_consent_source",
    "duret_sms_consent_date",
    "duret_sms_consent_user_id",
    "duret_sms_consent_declared_date",
)
# Stamped by the server, whatever the request says.
STAMPED_FIELDS = ("duret_sms_consent_date", "duret_sms_consent_user_id")
# The consent wizard's explicit grant: an object no RPC request can put in a context.
EXPLICIT_GRANT = object()
EXPLICIT_GRANT_KEY = "duret_sms_explicit_grant"


class SmsConsent:
    """``SmsConsent(partners)``: consent changes on these ``res.partner`` records."""

    def __init__(self, partners):
        self.partners = partners
        self.env = partners.env

    def check_right(self, withdrawal=False):
        """Raise AccessError unless the user may record consent (SMS Consent group).

        A plain withdrawal (the customer said "no more", on the phone or at the counter) is
        open to every employee: it only ever protects the customer, and it is recorded with
        its author and time like a grant."""
        if self.env.su or self.env.user.has_group(CONSENT_GROUP):
            return
        if withdrawal and self.env.user._is_internal():
            return
        raise AccessError(
            _(
                "Only members of the SMS Consent group can record a contact's consent to "
                "commercial SMS (every employee can record a withdrawal)."
            )
        )

    def explicit(self):
        return self.env.context.get(EXPLICIT_GRANT_KEY) is EXPLICIT_GRANT

    def stamp(self, vals):
        """``vals`` that set the consent, completed by the server: when and by whom (always the
        server's), how (``staff`` unless given). A date given with them is the declared one."""
        vals = dict(vals)
        declared = vals.pop("duret_sms_consent_date", False)
        vals.pop("duret_sms_consent_user_id", None)
        if "duret_sms_consent" not in vals:
            return vals
        if vals["duret_sms_consent"]:
            if declared and not vals.get("duret_sms_consent_declared_date"):
                vals["duret_sms_consent_declared_date"] = fields.Date.to_date(
                    fields.Datetime.to_datetime(declared) or declared
                )
            vals.update(
                duret_sms_consent_date=fields.Datetime.now(),
                duret_sms_consent_source=vals.get("duret_sms_consent_source") or "staff",
                duret_sms_consent_user_id=self.env.uid,
            )
            return vals
        return dict(vals, **dict.fromkeys(PROTECTED_FIELDS[1:], False))

    def check_not_withdrawn(self):
        """Refuse a plain grant of consent to a contact who withdrew it (UserError): only the
        consent wizard, with the new consent's source, may record it again."""
        if self.explicit():
            return
        events = self.env["duret.sms.consent.event"]
        for partner in self.partners:
            last = events._duret_last_consent_event(partner)
            if last.kind == "withdraw":
                raise UserError(
                    _(
                        "%(name)s withdrew their consent to commercial SMS on %(date)s: it "
                        "can only be recorded again with the Record SMS Consent action and "
                        "the source of the new consent.",
                        name=partner.display_name,
                        date=fields.Date.to_string(fields.Date.context_today(partner, last.date)),
                    )
                )

    def record_events(self, consent, source=None, declared_date=False):
        """Append the grant or withdrawal of these contacts to the consent history."""
        context = self.env.context
        channel = source if consent else context.get("duret_sms_consent_channel") or "staff"
        self.env["duret.sms.consent.event"]._duret_record(
            self.partners,
            "grant" if consent else "withdraw",
            channel,
            declared_date=declared_date or False,
            note=context.get("duret_sms_consent_note") or False,
        )
