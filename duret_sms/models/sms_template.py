import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import encoding
from .sms_sms import CATEGORIES

_logger = logging.getLogger(__name__)


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    duret_category = fields.Selection(
        CATEGORIES,
        "SMS Category",
        default="transactional",
        required=True,
        help="Decides the rules applied to SMS from this template: commercial SMS need consent "
        "and carry an opt-out mention; commercial and dunning SMS are capped per week; internal "
        "urgent alerts to staff may go at any hour.",
    )
    duret_estimate = fields.Char(
        "Length",
        compute="_compute_duret_estimate",
        help="Counted on the text as the last record of the model would get it.",
    )

    @api.depends("body", "model")
    def _compute_duret_estimate(self):
        for template in self:
            text, sample = template._duret_sample_text()
            analysis = encoding.analyze(text)
            estimate = _(
                "%(chars)s characters, %(segments)s SMS (%(encoding)s)",
                chars=len(analysis.text),
                segments=analysis.segments,
                encoding=_("Unicode") if analysis.encoding == encoding.UCS2 else _("standard"),
            )
            if sample:
                estimate += " · " + _("for %(record)s", record=sample)
            if analysis.non_gsm:
                estimate += " · " + _(
                    "Unicode because of: %(chars)s", chars=" ".join(analysis.non_gsm)
                )
            template.duret_estimate = estimate

    def _duret_sample_text(self):
        """(text, record name): the body rendered for the model's last record, if any.

        Falls back to the raw text (placeholders counted as written) when the model has no
        record or the template does not render.
        """
        self.ensure_one()
        body = self.body or ""
        if not self.model or self.model not in self.env or "{{" not in body:
            return body, ""
        model = self.env[self.model]
        if model._transient or model._abstract:
            return body, ""
        sample = model.search([], order="id desc", limit=1)
        if not sample:
            return body, ""
        try:
            text = self._render_template(body, self.model, sample.ids)[sample.id]
        except UserError:
            return body, ""
        return text, sample.display_name

    @api.model
    def _duret_customer_lang(self):
        """The language the texts are sent in: French when it is installed (the body staff
        edit in a French interface is its French translation), else the current one."""
        return "fr_FR" if self.env["res.lang"]._lang_get_id("fr_FR") else False

    @api.model
    def _duret_render(self, xmlid, records, fallback, add_context=None):
        """Render the body of template ``xmlid`` (an XML id, or an ``sms.template`` record such
        as the reminder text a company chose) for ``records``: {record id: text}.

        Staff may edit these templates: when one is missing, broken, or renders empty for a
        record, that record gets ``fallback(record)`` (the text written in code) and the
        problem is logged; sending never fails because of a template. ``fallback`` takes one
        record and returns its text; ``add_context`` gives the template more variables.
        """
        if isinstance(xmlid, models.BaseModel):
            template, xmlid = xmlid, xmlid.display_name
        else:
            template = self.env.ref(xmlid, raise_if_not_found=False)
        bodies = {}
        if template and template._name == "sms.template":
            try:
                bodies = template._render_field(
                    "body",
                    records.ids,
                    compute_lang=False,
                    set_lang=self._duret_customer_lang(),
                    add_context=add_context,
                )
            except UserError as error:
                _logger.warning(
                    "SMS template %s could not be rendered, the built-in text is used: %s",
                    xmlid,
                    error,
                )
        else:
            _logger.warning("SMS template %s is missing, the built-in text is used", xmlid)
        result = {}
        for record in records:
            text = (bodies.get(record.id) or "").strip()
            if not text:
                if bodies:
                    _logger.warning("SMS template %s rendered empty for %s", xmlid, record)
                text = fallback(record)
            result[record.id] = text
        return result
