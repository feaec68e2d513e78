from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_sms_with_template(
        self, template=False, template_xmlid=False, template_fallback="", partner_ids=False, **kw
    ):
        """Give the SMS created from a template the template's category."""
        if not template and template_xmlid:
            template = self.env.ref(template_xmlid, raise_if_not_found=False)
        record = self
        if template and "duret_sms_category" not in self.env.context:
            record = self.with_context(duret_sms_category=template.duret_category)
        return super(MailThread, record)._message_sms_with_template(
            template=template,
            template_xmlid=template_xmlid,
            template_fallback=template_fallback,
            partner_ids=partner_ids,
            **kw,
        )
