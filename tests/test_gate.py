"""The compliance gate as a pure decision (duret_sms.core.gate), without a database."""

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duret_sms.core import gate, windows
from duret_sms.core.gate import GatePolicy, SmsFacts

# Wednesday 25 November 2026, 10:00 UTC = 11:00 Paris: inside Duret's weekday hours.
OPEN = datetime(2026, 11, 25, 10, 0)
# Sunday 29 November 2026, 02:00 UTC = 03:00 Paris: closed for customers.
SUNDAY_NIGHT = datetime(2026, 11, 29, 2, 0)
# Friday 27 November 2026, 20:00 UTC = 21:00 Paris: after the weekday window.
FRIDAY_EVENING = datetime(2026, 11, 27, 20, 0)
MONDAY_8 = datetime(2026, 11, 30, 7, 0)  # Monday 08:00 Paris
SATURDAY_9 = datetime(2026, 11, 28, 8, 0)  # Saturday 09:00 Paris

MOBILE = "+33612345678"
POLICY = GatePolicy(
    default=windows.SendingPolicy(tz="Europe/Paris"),
    hours={"internal_urgent": windows.SendingPolicy(tz="Europe/Paris", always=True)},
    weekly_caps={"commercial": 1, "dunning": 2},
)
DAY = timedelta(days=1)


def facts(number=MOBILE, category="transactional", consent=False, optout_ack=False):
    return SmsFacts(number=number, category=category, consent=consent, optout_ack=optout_ack)


@pytest.mark.parametrize(
    ("sms", "opted_out", "sent_at", "now", "action", "code", "until"),
    [
        # a number is required and must be valid, whatever the category and hour
        (facts(number=""), (), [], OPEN, gate.FAIL, gate.NUMBER_MISSING, None),
        (facts(number=None), (), [], SUNDAY_NIGHT, gate.FAIL, gate.NUMBER_MISSING, None),
        (facts(number="12"), (), [], OPEN, gate.FAIL, gate.NUMBER_INVALID, None),
        (
            facts(number="0", category="internal_urgent"),
            (),
            [],
            OPEN,
            gate.FAIL,
            gate.NUMBER_INVALID,
            None,
        ),
        # a plain transactional SMS inside the hours goes; French national format is accepted
        (facts(), (), [], OPEN, gate.ALLOW, None, None),
        (facts(number="06 12 34 56 78"), (), [], OPEN, gate.ALLOW, None, None),
        # outside the hours it waits for the next opening, never dropped
        (facts(), (), [], SUNDAY_NIGHT, gate.DEFER, gate.OUTSIDE_HOURS, MONDAY_8),
        (facts(), (), [], FRIDAY_EVENING, gate.DEFER, gate.OUTSIDE_HOURS, SATURDAY_9),
        # opt-out list: cancels every category, internal urgent included, but never the
        # opt-out confirmation
        (facts(), {MOBILE}, [], OPEN, gate.CANCEL, gate.OPTED_OUT, None),
        (facts(category="dunning"), {MOBILE}, [], OPEN, gate.CANCEL, gate.OPTED_OUT, None),
        (facts(category="internal_urgent"), {MOBILE}, [], OPEN, gate.CANCEL, gate.OPTED_OUT, None),
        (
            facts(category="internal_urgent"),
            {MOBILE},
            [],
            SUNDAY_NIGHT,
            gate.CANCEL,
            gate.OPTED_OUT,
            None,
        ),
        (facts(optout_ack=True), {MOBILE}, [], OPEN, gate.ALLOW, None, None),
        # opted out wins over the hours: cancelled at once, not deferred first
        (facts(), {MOBILE}, [], SUNDAY_NIGHT, gate.CANCEL, gate.OPTED_OUT, None),
        # internal urgent and the opt-out confirmation go at any hour
        (facts(category="internal_urgent"), (), [], SUNDAY_NIGHT, gate.ALLOW, None, None),
        (facts(optout_ack=True), (), [], SUNDAY_NIGHT, gate.ALLOW, None, None),
        # commercial SMS need consent
        (facts(category="commercial"), (), [], OPEN, gate.CANCEL, gate.NO_CONSENT, None),
        (facts(category="commercial", consent=True), (), [], OPEN, gate.ALLOW, None, None),
        # weekly caps: commercial over its cap is cancelled, dunning waits (inside hours)
        (
            facts(category="commercial", consent=True),
            (),
            [OPEN - 2 * DAY],
            OPEN,
            gate.CANCEL,
            gate.COMMERCIAL_CAP,
            None,
        ),
        (
            facts(category="commercial", consent=True),
            (),
            [OPEN - 8 * DAY],
            OPEN,
            gate.ALLOW,
            None,
            None,
        ),
        (facts(category="dunning"), (), [OPEN - 2 * DAY], OPEN, gate.ALLOW, None, None),
        (
            # freed on Sunday 29 at 10:00 UTC (closed), so Monday 08:00 Paris
            facts(category="dunning"),
            (),
            [OPEN - 3 * DAY, OPEN - 2 * DAY],
            OPEN,
            gate.DEFER,
            gate.DUNNING_CAP,
            MONDAY_8,
        ),
        (
            # freed on Thursday 26 at 10:00 UTC, inside the hours
            facts(category="dunning"),
            (),
            [OPEN - 6 * DAY, OPEN - 2 * DAY],
            OPEN,
            gate.DEFER,
            gate.DUNNING_CAP,
            OPEN + DAY,
        ),
        # transactional SMS are never capped
        (facts(), (), [OPEN - DAY] * 5, OPEN, gate.ALLOW, None, None),
    ],
)
def test_decide_table(sms, opted_out, sent_at, now, action, code, until):
    decision = gate.decide(sms, POLICY, opted_out, sent_at, now)
    assert (decision.action, decision.code, decision.until) == (action, code, until)
    if action != gate.ALLOW:
        assert decision.code in gate.FAILURE_TYPES or action == gate.DEFER
    if code not in (gate.NUMBER_MISSING, gate.NUMBER_INVALID):
        assert decision.number == MOBILE


def test_failure_types_are_odoos():
    assert gate.Decision(gate.CANCEL, gate.OPTED_OUT).failure_type == "sms_blacklist"
    assert gate.Decision(gate.FAIL, gate.NUMBER_INVALID).failure_type == "sms_number_format"
    assert gate.Decision(gate.DEFER, gate.OUTSIDE_HOURS).failure_type is None


def test_decide_all_counts_the_batch_toward_the_caps():
    items = [
        ("a", facts(category="commercial", consent=True)),
        ("b", facts(number="06 12 34 56 78", category="commercial", consent=True)),
        ("c", facts(category="dunning")),
        ("d", facts(category="dunning")),
        ("e", facts(category="dunning")),
        ("f", facts()),
    ]
    history = {(MOBILE, "dunning"): [OPEN - DAY]}
    decisions = dict(gate.decide_all(items, POLICY, (), history, OPEN))
    assert decisions["a"].action == gate.ALLOW
    assert (decisions["b"].action, decisions["b"].code) == (gate.CANCEL, gate.COMMERCIAL_CAP)
    assert decisions["c"].action == gate.ALLOW  # one earlier this week, cap 2
    assert (decisions["d"].action, decisions["d"].code) == (gate.DEFER, gate.DUNNING_CAP)
    assert decisions["e"].code == gate.DUNNING_CAP
    assert decisions["f"].action == gate.ALLOW
    assert history == {(MOBILE, "dunning"): [OPEN - DAY]}  # the caller's history is untouched


CATEGORIES = ["transactional", "commercial", "dunning", "internal_urgent"]
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31))
hours = st.tuples(
    st.integers(min_value=0, max_value=23), st.integers(min_value=1, max_value=24)
).filter(lambda h: h[0] < h[1])


def _window(h):
    return (time(h[0]), time.max if h[1] == 24 else time(h[1]))


@settings(max_examples=300, deadline=None)
@given(
    category=st.sampled_from(CATEGORIES),
    consent=st.booleans(),
    optout_ack=st.booleans(),
    opted_out=st.booleans(),
    now=instants,
    ages=st.lists(st.integers(min_value=0, max_value=10 * 24 * 60), max_size=5),
    cap=st.integers(min_value=0, max_value=3),
    weekday=hours,
    saturday=hours,
    sunday=st.booleans(),
)
def test_decide_properties(
    category, consent, optout_ack, opted_out, now, ages, cap, weekday, saturday, sunday
):
    """Whatever the facts: a deferral is to an allowed future instant; an allowed SMS is allowed
    by the hours (or exempt); an opted-out customer never gets an allowed SMS."""
    hours_policy = windows.SendingPolicy(
        tz="Europe/Paris",
        weekday=_window(weekday),
        saturday=_window(saturday),
        sunday=_window(saturday) if sunday else None,
    )
    policy = GatePolicy(
        default=hours_policy,
        hours={"internal_urgent": windows.SendingPolicy(tz="Europe/Paris", always=True)},
        weekly_caps={"commercial": cap, "dunning": cap},
    )
    sent_at = [now - timedelta(minutes=a) for a in ages]
    sms = facts(category=category, consent=consent, optout_ack=optout_ack)
    decision = gate.decide(sms, policy, {MOBILE} if opted_out else set(), sent_at, now)
    assert decision.action in (gate.ALLOW, gate.DEFER, gate.CANCEL, gate.FAIL)
    assert decision.number == MOBILE
    assert decision.action != gate.FAIL  # the number is valid
    if decision.action == gate.DEFER:
        assert decision.until > now
        assert windows.is_allowed(decision.until, policy.hours_for(category))
        assert decision.code in (gate.OUTSIDE_HOURS, gate.DUNNING_CAP)
    if decision.action == gate.ALLOW:
        assert optout_ack or windows.is_allowed(now, policy.hours_for(category))
        if opted_out:
            assert optout_ack
        if category == "commercial":
            assert consent
            recent = [s for s in sent_at if s + timedelta(days=7) > now]
            assert cap == 0 or len(recent) < cap
    else:
        assert decision.code is not None
    if decision.action == gate.CANCEL and category == "internal_urgent":
        assert decision.code == gate.OPTED_OUT


@settings(max_examples=100, deadline=None)
@given(number=st.text(max_size=20), category=st.sampled_from(CATEGORIES), now=instants)
def test_any_number_gets_a_decision(number, category, now):
    decision = gate.decide(facts(number=number, category=category), POLICY, (), [], now)
    if decision.action == gate.FAIL:
        assert decision.code in (gate.NUMBER_MISSING, gate.NUMBER_INVALID)
    else:
        assert decision.number and decision.number.startswith("+")


# ----------------------------------------------------------------------
# Direct answers (issue 21): an answer to the customer's SMS of less than an hour ago goes
# outside the sending hours; the opt-out list still applies.
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers_at", "opted_out", "category", "action", "code"),
    [
        # the customer wrote at 20:50 Paris on Friday, staff answer at 21:00: it goes now
        (FRIDAY_EVENING - timedelta(minutes=10), (), "transactional", gate.ALLOW, None),
        # exactly one hour after: still a direct answer
        (FRIDAY_EVENING - gate.DIRECT_ANSWER_WINDOW, (), "transactional", gate.ALLOW, None),
        # one hour and a minute after: it waits for the opening like any SMS
        (
            FRIDAY_EVENING - gate.DIRECT_ANSWER_WINDOW - timedelta(minutes=1),
            (),
            "transactional",
            gate.DEFER,
            gate.OUTSIDE_HOURS,
        ),
        # an "answer" dated after now is not one (clock skew, bad data)
        (
            FRIDAY_EVENING + timedelta(minutes=5),
            (),
            "transactional",
            gate.DEFER,
            gate.OUTSIDE_HOURS,
        ),
        # not an answer at all
        (None, (), "transactional", gate.DEFER, gate.OUTSIDE_HOURS),
        # an opted-out number gets nothing, answer or not
        (
            FRIDAY_EVENING - timedelta(minutes=10),
            {MOBILE},
            "transactional",
            gate.CANCEL,
            gate.OPTED_OUT,
        ),
        # a commercial SMS is never a direct answer
        (FRIDAY_EVENING - timedelta(minutes=10), (), "commercial", gate.CANCEL, gate.NO_CONSENT),
    ],
)
def test_direct_answer_within_an_hour_skips_the_sending_hours(
    answers_at, opted_out, category, action, code
):
    sms = SmsFacts(number=MOBILE, category=category, answers_at=answers_at)
    decision = gate.decide(sms, POLICY, opted_out, [], FRIDAY_EVENING)
    assert (decision.action, decision.code) == (action, code)
    if action == gate.DEFER:
        assert decision.until == SATURDAY_9


@settings(max_examples=200, deadline=None)
@given(now=instants, minutes=st.integers(min_value=-120, max_value=240), opted_out=st.booleans())
def test_direct_answer_properties(now, minutes, opted_out):
    """An allowed SMS outside the hours is a direct answer of at most an hour; opted-out
    numbers never get one."""
    sms = SmsFacts(number=MOBILE, answers_at=now - timedelta(minutes=minutes))
    decision = gate.decide(sms, POLICY, {MOBILE} if opted_out else set(), [], now)
    if opted_out:
        assert decision.action == gate.CANCEL
    elif not windows.is_allowed(now, POLICY.default):
        direct = 0 <= minutes <= 60
        assert decision.action == (gate.ALLOW if direct else gate.DEFER)
    else:
        assert decision.action == gate.ALLOW
