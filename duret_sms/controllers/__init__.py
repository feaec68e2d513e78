from ..core import redact
from . import appointment, inbound, optout, rating, short_link, twilio

# The access log of Odoo's HTTP server would otherwise hold the customers' link tokens.
redact.install()
