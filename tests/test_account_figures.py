"""Twilio's own figures (balance, this month's SMS usage) through the SDK and the simulator."""

import pytest

from duret_sms.core.gateway import GatewayError, TwilioGateway
from duret_sms_testing.twilio_simulator import TwilioSimulator

CUSTOMER = "+33612345678"


@pytest.fixture
def simulator():
    with TwilioSimulator(auto_callbacks=False, price_per_segment="0.07600") as sim:
        yield sim


def gateway_for(simulator, token=None):
    return TwilioGateway(
        simulator.account_sid, token or simulator.auth_token, base_url=simulator.base_url
    )


def test_balance_and_usage_follow_charged_messages(simulator):
    simulator.set_balance("10.00")
    with gateway_for(simulator) as gateway:
        before = gateway.account_figures()
        assert (before.balance, before.currency) == (10.0, "EUR")
        assert (before.sms_count, before.sms_price) == (0, 0.0)
        one = gateway.send(CUSTOMER, "Court", from_="DURET")
        two = gateway.send(CUSTOMER, "x" * 200, from_="DURET")  # two segments
        gateway.send(CUSTOMER, "Pas encore livré", from_="DURET")  # not charged yet
        simulator.deliver(one.sid)
        simulator.deliver(two.sid, "undelivered", 30003)  # charged too
        after = gateway.account_figures()
    assert after.sms_count == 3
    assert after.sms_price == pytest.approx(0.228)
    assert after.sms_price_unit == "EUR"
    assert after.balance == pytest.approx(10.0 - 0.228)
    paths = {request["path"].rsplit("/", 1)[-1] for request in simulator.requests}
    assert {"Balance.json", "ThisMonth.json"} <= paths


def test_wrong_token_is_refused(simulator):
    with gateway_for(simulator, token="0" * 32) as gateway, pytest.raises(GatewayError) as caught:
        gateway.account_figures()
    assert caught.value.code == 20003
    assert not caught.value.retryable


def test_other_account_is_not_found(simulator):
    other = TwilioGateway("AC" + "0f" * 16, simulator.auth_token, base_url=simulator.base_url)
    with other, pytest.raises(GatewayError):
        other.account_figures()
