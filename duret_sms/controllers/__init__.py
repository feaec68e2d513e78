from . import optout, twilio
