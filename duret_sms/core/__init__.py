"""Pure-Python core of duret_sms.

Every rule that can be stated without the ORM lives here: SMS encoding and segments, phone
normalisation, sending windows and holidays, frequency caps, reply keywords, Twilio status and
error mapping, and the Twilio gateway. This package never imports ``odoo`` (ruff's banned-import
rule enforces it), so it is unit-tested with plain pytest.
"""
