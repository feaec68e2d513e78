import logging

from odoo import models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_sms_with_template(
        self, template=False, template_xmlid=False, template_fallback="", partner_ids=False, **kw
    ):
        """Give the SMS created from a template the template's category; when staff broke the
        template (or emptied it), send ``template_fallback`` instead, and log it: the
        business action behind the SMS (confirming an order...) must never fail for it."""
        if not template and template_xmlid:
            template = self.env.ref(template_xmlid, raise_if_not_found=False)
        record = self
        if template and "duret_sms_category" not in self.env.context:
            record = self.with_context(duret_sms_category=template.duret_category)
        if template:
            try:
                rendered = template._render_field("body", self.ids, compute_lang=True)
            except UserError as error:
                _logger.warning(
                    "SMS template %s could not be rendered, the built-in text is used: %s",
                    template.id,
                    error,
                )
                rendered = {}
            if not all((rendered.get(res_id) or "").strip() for res_id in self.ids):
                template, template_xmlid = False, False
                if not template_fallback:
                    _logger.error("No SMS sent for %s: broken template and no fallback", self)
                    return self.env["mail.message"]
        return super(MailThread, record)._message_sms_with_template(
            template=template,
            template_xmlid=template_xmlid,
            template_fallback=template_fallback,
            partner_ids=partner_ids,
            **kw,
        )
