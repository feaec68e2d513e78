from . import appointment, inbound, optout, short_link, twilio
