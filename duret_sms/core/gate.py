"""The compliance gate: may this SMS go now? A pure decision, no database, no clock.

The caller (``sms.sms`` in the addon) gathers the facts about one SMS, the company's policy, the
opt-out list, the recent hand-overs of capped categories and the current instant; :func:`decide`
answers with one :class:`Decision`: ``allow``, ``defer`` (until an instant), ``cancel`` or
``fail``, each with a reason *code* and its parameters. Human text is the caller's business (it
translates the codes), so this module holds no French and no English sentences.

The rules, in order (the first that applies decides):

1. a number is required (``number_missing``) and must be a valid phone number
   (``number_invalid``);
2. the opt-out list applies to every category, internal urgent staff alerts included, but
   never to the one SMS confirming an opt-out (``opted_out``);
3. commercial SMS need the recipient's consent (``no_consent``);
4. outside the sending hours of the category the SMS waits for the next opening
   (``outside_hours``), except the opt-out confirmation which answers at once, and a direct
   answer to the customer's SMS within :data:`DIRECT_ANSWER_WINDOW` of it (the customer is
   waiting on their phone: an answer staff write at 20:15 to a question of 20:05 goes now);
5. weekly caps: a commercial SMS over its cap is cancelled (a promotion is stale next week,
   ``commercial_cap``), a dunning SMS waits until the cap allows it, inside sending hours
   (``dunning_cap``).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import caps, phone, windows

ALLOW = "allow"
DEFER = "defer"
CANCEL = "cancel"
FAIL = "fail"

# Reason codes, with the failure type Odoo records for cancelled and failed SMS.
NUMBER_MISSING = "number_missing"
NUMBER_INVALID = "number_invalid"
OPTED_OUT = "opted_out"
NO_CONSENT = "no_consent"
OUTSIDE_HOURS = "outside_hours"
COMMERCIAL_CAP = "commercial_cap"
DUNNING_CAP = "dunning_cap"

FAILURE_TYPES = {
    NUMBER_MISSING: "sms_number_missing",
    NUMBER_INVALID: "sms_number_format",
    OPTED_OUT: "sms_blacklist",
    NO_CONSENT: "sms_optout",
    COMMERCIAL_CAP: "sms_duplicate",
}

# Categories whose SMS may reach an opted-out number: none (an urgent alert to staff skips the
# sending hours, never an opt-out; Twilio would refuse a number that replied STOP anyway).
OPTOUT_EXEMPT = frozenset()
CAPPED = frozenset({"commercial", "dunning"})
# How long after the customer's SMS an answer to it still goes outside the sending hours.
DIRECT_ANSWER_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SmsFacts:
    """What the gate needs to know about one SMS.

    ``number`` as stored (may be unformatted or empty); ``consent``: the recipient agreed to
    commercial SMS; ``optout_ack``: this is the single SMS confirming an opt-out;
    ``answers_at``: the instant (naive UTC) of the customer's SMS this one answers directly
    (staff answering from the conversation, the out-of-hours answer), else None.
    """

    number: str | None
    category: str = "transactional"
    consent: bool = False
    optout_ack: bool = False
    answers_at: datetime | None = None

    def direct_answer(self, now):
        """True when this SMS answers the customer's SMS of less than an hour ago (never a
        commercial SMS: a promotion is no answer)."""
        return (
            self.answers_at is not None
            and self.category != "commercial"
            and (timedelta(0) <= now - self.answers_at <= DIRECT_ANSWER_WINDOW)
        )


@dataclass(frozen=True)
class GatePolicy:
    """The company's rules: number region, sending hours per category, weekly caps.

    ``hours`` maps a category to its :class:`~.windows.SendingPolicy` (``default`` for the
    others); ``weekly_caps`` maps a capped category to its maximum per number over 7 days
    (0 or missing: no cap).
    """

    default: windows.SendingPolicy = field(default_factory=windows.SendingPolicy)
    hours: dict = field(default_factory=dict)
    weekly_caps: dict = field(default_factory=dict)
    region: str = "FR"

    def hours_for(self, category):
        return self.hours.get(category, self.default)


@dataclass(frozen=True)
class Decision:
    """The gate's answer for one SMS.

    ``action`` is one of ALLOW, DEFER, CANCEL, FAIL; ``code`` the reason (None when allowed);
    ``until`` the naive UTC instant a deferred SMS may go; ``number`` the normalised E.164
    number (None when invalid); ``params`` what a text explaining the reason needs.
    """

    action: str
    code: str | None = None
    number: str | None = None
    until: datetime | None = None
    params: dict = field(default_factory=dict)

    @property
    def failure_type(self):
        return FAILURE_TYPES.get(self.code)


def decide(facts, policy, opted_out, sent_at, now):
    """Decide for one SMS at ``now`` (naive UTC).

    :param opted_out: the normalised numbers on the opt-out list (any container);
    :param sent_at: hand-over instants (naive UTC) of previous SMS of the same category to the
        same number over the last 7 days (only read for capped categories);
    :returns: a :class:`Decision`.
    """
    if not facts.number:
        return Decision(FAIL, NUMBER_MISSING)
    number = phone.try_normalize(facts.number, region=policy.region)
    if not number:
        return Decision(FAIL, NUMBER_INVALID, params={"number": facts.number})
    category = facts.category
    if number in opted_out and category not in OPTOUT_EXEMPT and not facts.optout_ack:
        return Decision(CANCEL, OPTED_OUT, number, params={"number": number})
    if category == "commercial" and not facts.consent:
        return Decision(CANCEL, NO_CONSENT, number, params={"number": number})
    hours = policy.hours_for(category)
    exempt = facts.optout_ack or facts.direct_answer(now)
    if not exempt and not windows.is_allowed(now, hours):
        return Decision(DEFER, OUTSIDE_HOURS, number, until=windows.next_allowed(now, hours))
    cap = policy.weekly_caps.get(category, 0) if category in CAPPED else 0
    if cap:
        free_at = caps.next_allowed_by_cap(sent_at, now, max_count=cap)
        if free_at and category == "commercial":
            return Decision(CANCEL, COMMERCIAL_CAP, number, params={"number": number, "cap": cap})
        if free_at:
            return Decision(
                DEFER,
                DUNNING_CAP,
                number,
                until=windows.next_allowed(free_at, hours),
                params={"number": number, "cap": cap},
            )
    return Decision(ALLOW, None, number)


def decide_all(items, policy, opted_out, history, now):
    """Decide for several SMS in order, each allowed one counting toward the caps of the next.

    :param items: ``(key, SmsFacts)`` pairs;
    :param history: ``{(number, category): [instants]}`` as for :func:`decide` (not modified);
    :returns: ``[(key, Decision)]`` in the same order.
    """
    seen = {k: list(v) for k, v in history.items()}
    decisions = []
    for key, facts in items:
        sent_at = seen.get((_normalized(facts, policy), facts.category), ())
        decision = decide(facts, policy, opted_out, sent_at, now)
        if decision.action == ALLOW and facts.category in CAPPED:
            seen.setdefault((decision.number, facts.category), []).append(now)
        decisions.append((key, decision))
    return decisions


def _normalized(facts, policy):
    return phone.try_normalize(facts.number or "", region=policy.region)
