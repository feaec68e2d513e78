from odoo import _, fields, models

CONSENT_SOURCES = [
    ("staff", "Recorded by staff"),
    ("web", "Web form"),
    ("sms", "SMS reply"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Commercial SMS need the person's prior, free and informed consent (CPCE L34-5, CNIL);
    # date and source are kept as proof, and survive the SMS history retention purge.
    duret_sms_consent = fields.Boolean(
        "Commercial SMS Consent",
        tracking=True,
        copy=False,
        help="The contact agreed to receive commercial SMS. Service SMS (appointments, "
        "invoices) do not need it.",
    )
    duret_sms_consent_date = fields.Datetime("Consent Given On", copy=False, readonly=True)
    duret_sms_consent_source = fields.Selection(
        CONSENT_SOURCES, "Consent Source", copy=False, readonly=True
    )

    def write(self, vals):
        if "duret_sms_consent" in vals and "duret_sms_consent_source" not in vals:
            vals = dict(
                vals,
                duret_sms_consent_date=fields.Datetime.now() if vals["duret_sms_consent"] else False,
                duret_sms_consent_source="staff" if vals["duret_sms_consent"] else False,
            )
        return super().write(vals)

    def _duret_sms_set_consent(self, consent, source):
        """Record (or withdraw) commercial SMS consent with its source, as proof."""
        self.write(
            {
                "duret_sms_consent": consent,
                "duret_sms_consent_date": fields.Datetime.now() if consent else False,
                "duret_sms_consent_source": source if consent else False,
            }
        )
        label = dict(CONSENT_SOURCES)[source]
        for partner in self:
            partner.message_post(
                body=_("Commercial SMS consent given (%(source)s).", source=label)
                if consent
                else _("Commercial SMS consent withdrawn (%(source)s).", source=label),
                subtype_xmlid="mail.mt_note",
            )
