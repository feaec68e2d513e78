"""The compliance gate every SMS of a Twilio/Sandbox company passes before hand-over: gathers
the facts (numbers, opt-outs, consents, recent capped SMS) and applies the pure decision of
``core/gate.py``, with a reason staff can read."""

from datetime import timedelta

from odoo import _, fields

from ..core import gate, phone
from .sms_urgent import urgent_number_allowed


class SmsGate:
    """``SmsGate(env)``: the records passed in are read and written in their own environment;
    ``env`` gives the language of the reasons written (the queue's: the company's)."""

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    def apply(self, smss, company, now):
        """The compliance gate: every SMS of a Twilio/Sandbox company passes it before hand-over.

        The decisions are ``core.gate.decide_all``'s (read it for the rules); this method only
        gathers the facts (numbers, opt-outs, consents, recent capped SMS) and applies the
        decisions, with a reason staff can read. Returns those of ``smss`` that may go now; the
        others are cancelled, failed or deferred here. Called through
        ``sms.sms._duret_apply_sending_rules``, which bridges extend.
        """
        policy = company._duret_sms_gate_policy()
        known = [
            number
            for sms in smss
            if (number := phone.try_normalize(sms.number or "", region=policy.region))
        ]
        blacklist = self.env["phone.blacklist"].sudo()  # system-only ACL; read to filter
        opted_out = {
            record.number: record
            for record in blacklist.search([("number", "in", known), ("active", "=", True)])
        }
        decisions = gate.decide_all(
            [(sms, self._facts(sms)) for sms in smss],
            policy,
            opted_out,
            self._cap_history(company, known, now),
            now,
        )
        allowed = smss.browse()
        for sms, decision in decisions:
            if decision.number and decision.number != sms.number:
                sms.number = decision.number
            if decision.action == gate.ALLOW and not self._expires_before(sms, now):
                allowed |= sms
                continue
            if decision.action in (gate.ALLOW, gate.DEFER) and self._expires_before(
                sms, decision.until or now
            ):
                # An arrival time announced after the arrival helps nobody: cancelled, not late.
                sms._duret_set_canceled("sms_expired", self._expired_reason(sms, decision))
                continue
            reason = self._reason(sms, decision, opted_out)
            if decision.action == gate.DEFER:
                self._defer(sms, decision.until, reason)
            elif decision.action == gate.CANCEL:
                sms._duret_set_canceled(decision.failure_type, reason)
            else:
                sms._duret_set_failed(decision.failure_type, reason)
        (smss - allowed).mail_message_id._notify_message_notification_update()
        return allowed

    def _facts(self, sms):
        sms.ensure_one()
        category = sms.duret_category
        # Keyed on the number, checked again at hand-over: an internal urgent SMS whose number
        # is not (or no longer) its staff member's Urgent SMS Mobile, or is also a customer's,
        # follows the rules of a service SMS (sending hours).
        if category == "internal_urgent" and not urgent_number_allowed(
            sms.env, sms.partner_id, sms.number, sms._duret_company()
        ):
            category = "transactional"
        return gate.SmsFacts(
            number=sms.number,
            category=category,
            consent=bool(sms.partner_id.duret_sms_consent),
            optout_ack=sms.duret_optout_ack,
            answers_at=sms.duret_answers_inbound_at or None,
        )

    @staticmethod
    def _expires_before(sms, when):
        """True when ``sms`` is pointless at ``when`` (see ``sms.sms.duret_expires_at``)."""
        return bool(sms.duret_expires_at) and when >= sms.duret_expires_at

    def _expired_reason(self, sms, decision):
        tz = sms._duret_company().duret_sms_tz or "UTC"
        at = fields.Datetime.context_timestamp(sms.with_context(tz=tz), sms.duret_expires_at)
        if decision.action == gate.DEFER:
            return _(
                "Not sent: the sending hours only open after %(time)s, the time it announces "
                "(outside sending hours).",
                time=at.strftime("%H:%M"),
            )
        return _(
            "Not sent: %(time)s, the time it announces, has passed.", time=at.strftime("%H:%M")
        )

    def _reason(self, sms, decision, opted_out):
        """The text staff read for a gate decision (a deferral's reason goes in parentheses)."""
        sms.ensure_one()
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
                who=sms.partner_id.display_name or params["number"],
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

    def _cap_history(self, company, numbers, now):
        """Hand-over times of capped SMS per (number, category) over the last 7 days."""
        history = {}
        if not numbers:
            return history
        recent = self.sms.search(
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

    def _defer(self, sms, when, why):
        """Keep ``sms`` queued until ``when`` (naive UTC), with a visible reason."""
        tz = sms._duret_company().duret_sms_tz or "UTC"
        local = fields.Datetime.context_timestamp(sms.with_context(tz=tz), when)
        sms.write(
            {
                "duret_not_before": when,
                "duret_failure_reason": _(
                    "Deferred until %(when)s (%(why)s).",
                    when=local.strftime("%d/%m/%Y %H:%M"),
                    why=why,
                ),
            }
        )

    def reason_in_user_lang(self, sms):
        """Why the sending rules cancelled ``sms``, said again in the reader's language (the
        stored reason is in the language of the queue's user); None when not one of those."""
        sms.ensure_one()
        if sms.state != "canceled":
            return None
        if sms.failure_type == "sms_blacklist":
            # phone.blacklist has a system-only ACL: this number's entry, to say why.
            entry = self.env["phone.blacklist"].sudo().search([("number", "=", sms.number)])
            return entry._duret_optout_reason() if len(entry) == 1 else None
        if sms.failure_type == "sms_optout" and sms.duret_category == "commercial":
            return _(
                "No consent to commercial SMS recorded for %(who)s: not sent.",
                who=sms.partner_id.display_name or sms.number,
            )
        return None
