"""sms.sms: the compliance gate every SMS of a Twilio/Sandbox company passes before hand-over."""

from datetime import timedelta

from odoo import _, api, fields, models

from ..core import gate, phone


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _duret_apply_sending_rules(self, company, now):
        """The compliance gate: every SMS of a Twilio/Sandbox company passes it before hand-over.

        The decisions are ``core.gate.decide_all``'s (read it for the rules); this method only
        gathers the facts (numbers, opt-outs, consents, recent capped SMS) and applies the
        decisions, with a reason staff can read. Returns the SMS that may go now; the others are
        cancelled, failed or deferred here.
        """
        policy = company._duret_sms_gate_policy()
        known = [
            number
            for sms in self
            if (number := phone.try_normalize(sms.number or "", region=policy.region))
        ]
        blacklist = self.env["phone.blacklist"].sudo()  # system-only ACL; read to filter
        opted_out = {
            record.number: record
            for record in blacklist.search([("number", "in", known), ("active", "=", True)])
        }
        decisions = gate.decide_all(
            [(sms, sms._duret_gate_facts()) for sms in self],
            policy,
            opted_out,
            self._duret_cap_history(company, known, now),
            now,
        )
        allowed = self.browse()
        for sms, decision in decisions:
            if decision.number and decision.number != sms.number:
                sms.number = decision.number
            if decision.action == gate.ALLOW:
                allowed |= sms
                continue
            reason = sms._duret_gate_reason(decision, opted_out)
            if decision.action == gate.DEFER:
                sms._duret_defer(decision.until, reason)
            elif decision.action == gate.CANCEL:
                sms._duret_set_canceled(decision.failure_type, reason)
            else:
                sms._duret_set_failed(decision.failure_type, reason)
        (self - allowed).mail_message_id._notify_message_notification_update()
        return allowed

    def _duret_gate_facts(self):
        self.ensure_one()
        return gate.SmsFacts(
            number=self.number,
            category=self.duret_category,
            consent=bool(self.partner_id.duret_sms_consent),
            optout_ack=self.duret_optout_ack,
        )

    def _duret_gate_reason(self, decision, opted_out):
        """The text staff read for a gate decision (a deferral's reason goes in parentheses)."""
        self.ensure_one()
        code, params = decision.code, decision.params
        if code == gate.NUMBER_MISSING:
            return _("The SMS has no phone number.")
        if code == gate.NUMBER_INVALID:
            return _("%(number)s is not a valid phone number.", number=params["number"])
        if code == gate.OPTED_OUT:
            return opted_out[decision.number]._duret_optout_reason()
        if code == gate.NO_CONSENT:
            return _(
                "No consent to commercial SMS recorded for %(who)s: not sent.",
                who=self.partner_id.display_name or params["number"],
            )
        if code == gate.OUTSIDE_HOURS:
            return _("outside sending hours")
        if code == gate.COMMERCIAL_CAP:
            return _(
                "Weekly limit of commercial SMS reached for %(number)s.", number=params["number"]
            )
        if code == gate.DUNNING_CAP:
            return _("weekly limit of dunning SMS")
        raise ValueError(f"Unknown gate reason {code!r}")

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
