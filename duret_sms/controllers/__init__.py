from . import appointment, inbound, optout, twilio
