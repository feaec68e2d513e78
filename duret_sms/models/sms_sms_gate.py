"""sms.sms: the compliance gate every SMS of a Twilio/Sandbox company passes before hand-over."""

from datetime import timedelta

from odoo import _, api, fields, models

from ..core import caps, phone, windows


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _duret_apply_sending_rules(self, company, now):
        """The compliance gate: every SMS of a Twilio/Sandbox company passes it before hand-over.

        In order: a usable number; the opt-out list (every category but internal urgent staff
        alerts and the single opt-out confirmation); consent for commercial SMS; the sending
        hours of the category (outside them the SMS is deferred, never dropped); the weekly
        caps of commercial and dunning SMS. Returns the SMS that may go now; the others are
        cancelled, failed or deferred here, each with its reason.
        """
        region = (company.country_id.code or "FR").upper()
        numbers = {}
        for sms in self:
            numbers[sms.id] = phone.try_normalize(sms.number or "", region=region)
        known = [n for n in numbers.values() if n]
        blacklist = self.env["phone.blacklist"].sudo()  # system-only ACL; read to filter
        opted_out = {
            record.number: record
            for record in blacklist.search([("number", "in", known), ("active", "=", True)])
        }
        history = self._duret_cap_history(company, known, now)
        allowed = self.browse()
        for sms in self:
            number = numbers[sms.id]
            category = sms.duret_category
            if not sms.number:
                sms._duret_set_failed("sms_number_missing", _("The SMS has no phone number."))
                continue
            if not number:
                sms._duret_set_failed(
                    "sms_number_format",
                    _("%(number)s is not a valid phone number.", number=sms.number),
                )
                continue
            if number != sms.number:
                sms.number = number
            if number in opted_out and category != "internal_urgent" and not sms.duret_optout_ack:
                sms._duret_set_canceled("sms_blacklist", opted_out[number]._duret_optout_reason())
                continue
            if category == "commercial" and not sms.partner_id.duret_sms_consent:
                sms._duret_set_canceled(
                    "sms_optout",
                    _(
                        "No consent to commercial SMS recorded for %(who)s: not sent.",
                        who=sms.partner_id.display_name or number,
                    ),
                )
                continue
            if not sms.duret_optout_ack:
                policy = company._duret_sms_policy(category)
                if not windows.is_allowed(now, policy):
                    sms._duret_defer(windows.next_allowed(now, policy), _("outside sending hours"))
                    continue
            cap = sms._duret_weekly_cap(company)
            if cap:
                sent_at = history.setdefault((number, category), [])
                free_at = caps.next_allowed_by_cap(sent_at, now, max_count=cap)
                if free_at and category == "commercial":
                    # A promotion that cannot go this week is stale next week: cancel it.
                    sms._duret_set_canceled(
                        "sms_duplicate",
                        _("Weekly limit of commercial SMS reached for %(number)s.", number=number),
                    )
                    continue
                if free_at:
                    # A dunning reminder still matters next week: defer it, never lose it.
                    policy = company._duret_sms_policy(category)
                    sms._duret_defer(
                        windows.next_allowed(free_at, policy), _("weekly limit of dunning SMS")
                    )
                    continue
                sent_at.append(now)
            allowed |= sms
        (self - allowed).mail_message_id._notify_message_notification_update()
        return allowed

    def _duret_weekly_cap(self, company):
        self.ensure_one()
        return {
            "commercial": company.duret_sms_cap_commercial,
            "dunning": company.duret_sms_cap_dunning,
        }.get(self.duret_category, 0)

    @api.model
    def _duret_cap_history(self, company, numbers, now):
        """Hand-over times of capped SMS per (number, category) over the last 7 days."""
        history = {}
        if not numbers:
            return history
        recent = self.search(
            [
                ("company_id", "=", company.id),
                ("number", "in", numbers),
                ("duret_category", "in", ("commercial", "dunning")),
                ("state", "in", ("process", "pending", "sent")),
                ("duret_handover_at", ">", now - timedelta(days=7)),
            ]
        )
        for sms in recent:
            history.setdefault((sms.number, sms.duret_category), []).append(sms.duret_handover_at)
        return history

    def _duret_defer(self, when, why):
        """Keep the SMS queued until ``when`` (naive UTC), with a visible reason."""
        tz = self._duret_company().duret_sms_tz or "UTC"
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), when)
        self.write(
            {
                "duret_not_before": when,
                "duret_failure_reason": _(
                    "Deferred until %(when)s (%(why)s).",
                    when=local.strftime("%d/%m/%Y %H:%M"),
                    why=why,
                ),
            }
        )

    def _duret_set_canceled(self, failure_type, reason):
        """Cancel before hand-over (rules), with the reason on the SMS and its notification."""
        self.write(
            {"state": "canceled", "failure_type": failure_type, "duret_failure_reason": reason}
        )
        self.sms_tracker_id._action_update_from_sms_state(
            "canceled", failure_type=failure_type, failure_reason=reason
        )
