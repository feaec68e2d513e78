import logging

from lxml import html

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core import placeholders

_logger = logging.getLogger(__name__)

# Fields of mail.template rendered as inline templates ({{ }}), and the QWeb directives a
# non-administrator may write in the body (their expressions are then checked like SMS ones).
INLINE_FIELDS = (
    "subject",
    "email_from",
    "email_to",
    "partner_to",
    "email_cc",
    "reply_to",
    "scheduled_date",
    "lang",
)
QWEB_DIRECTIVES = ("t-out", "t-esc", "t-if", "t-elif", "t-else")
REMINDER_XMLID = "duret_sms.mail_template_appointment_reminder"


class MailTemplate(models.Model):
    _inherit = "mail.template"

    duret_restricted = fields.Boolean(
        "Field placeholders only",
        copy=False,
        readonly=True,
        help="Set when a user who is not an administrator last changed the template: its "
        "placeholders may then only read fields ({{ object.partner_id.name }}), never run code.",
    )

    def _duret_is_staff_edit(self):
        return not self.env.su and not self.env.user.has_group("base.group_system")

    def write(self, vals):
        if self._duret_is_staff_edit():
            vals = dict(vals, duret_restricted=True)
        elif not self.env.su and {"body_html", *INLINE_FIELDS} & set(vals):
            vals = dict(vals, duret_restricted=vals.get("duret_restricted", False))
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if self._duret_is_staff_edit():
            vals_list = [dict(vals, duret_restricted=True) for vals in vals_list]
        return super().create(vals_list)

    def _update_field_translations(self, fname, translations, digest=None):
        if self._duret_is_staff_edit() and not all(self.mapped("duret_restricted")):
            self.sudo().write({"duret_restricted": True})
        return super()._update_field_translations(fname, translations, digest)

    def _check_access_right_dynamic_template(self):
        """The e-mail reminder is rendered by the reminder cron as superuser: staff who are not
        administrators may change its wording and field placeholders, nothing else (and
        need not be "Mail Template Editor" for it). Other templates: Odoo's rule."""
        reminder = self.env.ref(REMINDER_XMLID, raise_if_not_found=False)
        if not reminder or reminder not in self or not self._duret_is_staff_edit():
            return super()._check_access_right_dynamic_template()
        (self - reminder)._check_access_right_dynamic_template()
        reminder._duret_check_placeholders()
        return None

    def _duret_check_placeholders(self):
        """Raise a UserError naming the first expression (inline ``{{ }}`` or QWeb ``t-``
        attribute of the body) that is not a plain field read of the document or ``user``."""
        self.ensure_one()
        sms_template = self.env["sms.template"]
        models_of = {"object": self.model, "user": "res.users"}
        for expression, directive_ok in self._duret_expressions():
            try:
                if not directive_ok:
                    raise placeholders.PlaceholderError(expression, placeholders.CONSTRUCT)
                tree = placeholders.parse(expression, set(models_of))
                for name, chain in placeholders.field_paths(tree):
                    model = self.env[models_of[name]] if models_of[name] in self.env else None
                    sms_template._duret_check_path(model, name, chain)
            except placeholders.PlaceholderError as error:
                raise UserError(sms_template._duret_refusal(expression, error)) from error

    def _duret_expressions(self):
        """[(expression, allowed directive)] of the inline fields and the QWeb body."""
        expressions = []
        for fname in INLINE_FIELDS:
            expressions += [(e, True) for e in placeholders.expressions(self[fname] or "")]
        if self.body_html:
            root = html.fragment_fromstring(str(self.body_html), create_parent="div")
            for node in root.iter():
                for attribute, value in node.attrib.items():
                    if not attribute.startswith("t-"):
                        continue
                    if attribute not in QWEB_DIRECTIVES and not attribute.startswith("t-att-"):
                        expressions.append((f'{attribute}="{value}"', False))
                    elif attribute != "t-else":
                        expressions.append((value, True))
        return expressions

    def _duret_safe_to_render(self):
        """False (and logged) when staff last changed this template and it holds more than
        field placeholders (saved before the check existed): the cron does not render it."""
        self.ensure_one()
        if not self.duret_restricted:
            return True
        try:
            self._duret_check_placeholders()
        except UserError as error:
            _logger.error("E-mail template %s is not rendered: %s", self.display_name, error)
            return False
        return True
