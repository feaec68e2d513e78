"""The checks of a company's SMS settings (sending hours, reminder hour, Alsace-Moselle
holidays, caps and counts, no-show baseline). The ``_check_duret_sms_*`` constraints of
``res.company`` call them; each raises ValidationError with the message staff read."""

from odoo import _
from odoo.exceptions import ValidationError


class CompanySmsSettings:
    """``CompanySmsSettings(env)``: checks the ``res.company`` records passed in."""

    def __init__(self, env):
        self.env = env

    def check_hours(self, companies):
        for company in companies:
            for start, end in (
                (company.duret_sms_weekday_start, company.duret_sms_weekday_end),
                (company.duret_sms_saturday_start, company.duret_sms_saturday_end),
            ):
                if not 0 <= start < end <= 24:
                    raise ValidationError(
                        _("SMS sending hours must go from 0:00 to 24:00, start before end.")
                    )

    def check_reminder_hour(self, companies):
        for company in companies:
            if not 0 <= company.duret_sms_reminder_hour < 24:
                raise ValidationError(
                    _(
                        "The reminder hour of %(company)s must be between 00:00 and 23:59.",
                        company=company.name,
                    )
                )

    def check_alsace_moselle(self, companies):
        for company in companies.filtered("duret_sms_alsace_moselle"):
            if company.country_id and company.country_id.code != "FR":
                raise ValidationError(
                    _(
                        "Alsace-Moselle holidays only apply to French companies: untick them "
                        "for %(company)s or set its country to France.",
                        company=company.name,
                    )
                )

    def check_counts(self, companies):
        for company in companies:
            if (
                min(
                    company.duret_sms_cap_commercial,
                    company.duret_sms_cap_dunning,
                    company.duret_sms_retention_months,
                    company.duret_sms_dispatch_horizon,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "Weekly caps, history retention and the urgent dispatch horizon of "
                        "%(company)s cannot be negative (0 means no cap / no purge).",
                        company=company.name,
                    )
                )

    def check_noshow_baseline(self, companies):
        for company in companies:
            if not 0 <= company.duret_sms_noshow_baseline <= 100:
                raise ValidationError(_("The no-show rate is a percentage, from 0 to 100."))
