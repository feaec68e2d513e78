import werkzeug.routing

from odoo import models

from ..services.short_links import SHORT_TOKEN_PATTERN


class DuretShortTokenConverter(werkzeug.routing.BaseConverter):
    """Matches only the 16-character base64url tokens of our short links, and is tried before
    ``<string:...>`` (a lower weight): ``/r/<our token>`` reminders sent before the ``/v/``
    prefix reach us even when ``link_tracker`` declares ``/r/<string:code>``; every other
    ``/r/`` path stays link_tracker's."""

    regex = SHORT_TOKEN_PATTERN
    weight = 50


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_converters(cls):
        return dict(super()._get_converters(), duret_short=DuretShortTokenConverter)
