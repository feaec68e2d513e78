"""Test doubles of duret_sms, outside the addon: never installed with it, never imported by it.

``twilio_simulator.TwilioSimulator``: a fake api.twilio.com on 127.0.0.1 for the plain tests
(``tests/``), the addon's Odoo tests and the benchmarks. Standard library only.
"""
