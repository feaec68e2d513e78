"""A company's SMS settings as the core's policies: sending hours per category (core
``windows.SendingPolicy``) and the compliance gate's hours and weekly caps (core
``gate.GatePolicy``). ``res.company._duret_sms_policy`` and ``_duret_sms_gate_policy`` are the
entry points."""

from datetime import time

from ..core import gate, windows


def float_to_time(value):
    """17.5 → time(17, 30); 24.0 → end of day (windows end exclusive)."""
    if value >= 24:
        return time.max
    minutes = round(value * 60)
    return time(minutes // 60, minutes % 60)


class SendingPolicies:
    """The sending policies of one company (``res.company`` record)."""

    def __init__(self, company):
        company.ensure_one()
        self.company = company

    def policy(self, category="transactional"):
        """Return the core ``SendingPolicy`` for SMS of ``category``.

        Internal urgent alerts (to staff) may go at any time; every other category follows
        the company's sending hours.
        """
        company = self.company
        if category == "internal_urgent":
            return windows.SendingPolicy(tz=company.duret_sms_tz, always=True)
        saturday = (
            float_to_time(company.duret_sms_saturday_start),
            float_to_time(company.duret_sms_saturday_end),
        )
        return windows.SendingPolicy(
            tz=company.duret_sms_tz,
            weekday=(
                float_to_time(company.duret_sms_weekday_start),
                float_to_time(company.duret_sms_weekday_end),
            ),
            saturday=saturday,
            sunday=saturday if company.duret_sms_allow_sunday else None,
            holiday=saturday if company.duret_sms_allow_holidays else None,
            country=(company.duret_sms_country_code or "FR").upper(),
            alsace_moselle=company.duret_sms_alsace_moselle,
        )

    def gate_policy(self):
        """Return the core ``GatePolicy`` (hours per category, weekly caps)."""
        company = self.company
        return gate.GatePolicy(
            # Through the model, where the policy of a category may be overridden.
            default=company._duret_sms_policy("transactional"),
            hours={"internal_urgent": company._duret_sms_policy("internal_urgent")},
            weekly_caps={
                "commercial": company.duret_sms_cap_commercial,
                "dunning": company.duret_sms_cap_dunning,
            },
            region=(company.duret_sms_country_code or "FR").upper(),
        )
