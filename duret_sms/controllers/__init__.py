from . import inbound, optout, twilio
