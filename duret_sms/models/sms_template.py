import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import encoding, placeholders
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

    duret_restricted = fields.Boolean(
        "Field placeholders only",
        copy=False,
        readonly=True,
        help="Set when a user who is not an administrator last changed the template: its "
        "placeholders may then only read fields ({{ object.partner_id.name }}), never run code.",
    )

    # Names our texts provide besides ``object`` (see the add_context of each _duret_render).
    _duret_placeholder_names = frozenset(
        {"object", "company_name", "day", "lines", "customer", "address", "phone", "problem"}
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
                # Our texts are rendered by webhooks and crons as superuser: always with
                # field placeholders only, whoever wrote the template.
                bodies = template.with_context(duret_restricted_render=True)._render_field(
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

    # ------------------------------------------------------------------
    # Placeholders: staff write wording and field placeholders, never code
    # ------------------------------------------------------------------

    def _duret_is_staff_edit(self):
        """True when the current user is not an administrator (nor the superuser)."""
        return not self.env.su and not self.env.user.has_group("base.group_system")

    def write(self, vals):
        if self._duret_is_staff_edit():
            vals = dict(vals, duret_restricted=True)
        elif not self.env.su and {"body", "lang"} & set(vals):
            # An administrator rewrote the text: Odoo's full renderer again, as in Odoo.
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
        """Odoo's hook after create/write/translation (sms.template renders unrestricted):
        a user who is not an administrator may write field placeholders only; then Odoo's
        "Mail Template Editor" group is not needed (officers edit wording even when Restrict
        Template Rendering is on), since the template renders without code from now on."""
        if not self._duret_is_staff_edit():
            return super()._check_access_right_dynamic_template()
        for template in self:
            template._duret_check_placeholders()
        return None

    def _duret_check_placeholders(self):
        """Raise a UserError naming the first placeholder of the body (and language) that is
        not a plain field read."""
        self.ensure_one()
        for text in (self.body, self.lang):
            self._duret_check_text(text, self.model)

    @api.model
    def _duret_check_text(self, text, model_name):
        """Raise a UserError naming the first placeholder of ``text`` that is not a plain read
        of a field of ``model_name`` (the SMS composer checks its own text with it too)."""
        model = self.env[model_name] if model_name in self.env else None
        for expression in placeholders.expressions(text):
            try:
                tree = placeholders.parse(expression, self._duret_placeholder_names)
                for name, chain in placeholders.field_paths(tree):
                    self._duret_check_path(model if name == "object" else None, name, chain)
            except placeholders.PlaceholderError as error:
                raise UserError(self._duret_refusal(expression, error)) from error

    @api.model
    def _duret_check_path(self, model, name, chain):
        for position, attr in enumerate(chain):
            field = model._fields.get(attr) if model is not None else None
            if not _duret_placeholder_field(field):
                shown = ".".join([name, *chain[: position + 1]])
                raise placeholders.PlaceholderError(shown, "field", shown)
            model = self.env[field.comodel_name] if field.relational else None

    @api.model
    def _duret_refusal(self, expression, error):
        name = error.detail
        if error.reason == placeholders.SYNTAX:
            reason = _("it is not a valid placeholder")
        elif error.reason == placeholders.CALL:
            reason = _("it calls %(name)s, and placeholders may not call anything", name=name)
        elif error.reason == placeholders.NAME:
            reason = _("%(name)s is not a value of this text (use object.<field>)", name=name)
        elif error.reason in (placeholders.PRIVATE, "field"):
            reason = _("%(name)s is not a field of the document that everyone may read", name=name)
        else:
            reason = _("only fields, texts, +, and, or, not and if/else are allowed")
        return _(
            "The placeholder {{ %(expression)s }} is refused: %(reason)s. Texts may only show "
            "fields of the document, such as {{ object.partner_id.name }}.",
            expression=expression,
            reason=reason,
        )

    @api.model
    def _render_template_inline_template(
        self, template_txt, model, res_ids, add_context=None, options=None
    ):
        """Templates written by staff who are not administrators, and all our texts
        (``duret_restricted_render``), render their placeholders as field reads: no
        ``safe_eval``, no method, no field restricted to a group, even under a superuser cron."""
        restricted = self.env.context.get("duret_restricted_render") or any(
            self.sudo().mapped("duret_restricted")
        )
        if not restricted:
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context=add_context, options=options
            )
        results = dict.fromkeys(res_ids, "")
        if not template_txt or not res_ids:
            return results
        variables = dict(add_context or {})
        for record in self.env[model].browse(res_ids):
            variables["object"] = record
            try:
                results[record.id] = placeholders.render(
                    str(template_txt), variables, _duret_field_value
                )
            except Exception as error:  # noqa: BLE001 - any failure means "use the fallback"
                raise UserError(
                    _("The SMS text could not be filled in: %(error)s", error=error)
                ) from error
        return results


def _duret_field_value(value, name):
    """``value.name`` for a placeholder: only a field of a record, never a method, and never a
    field restricted to a group (the Auth Token...), since crons render as superuser."""
    field = value._fields.get(name) if isinstance(value, models.BaseModel) else None
    if not _duret_placeholder_field(field):
        raise placeholders.PlaceholderError(name, "field", name)
    return value[name]


# Fields restricted to a group a placeholder may still read: every employee reads them anyway
# (the customer's own /rdv link is one), so a text shows nothing its writer could not see.
STAFF_GROUPS = frozenset({"base.group_user"})


def _duret_placeholder_field(field):
    """Whether a placeholder may read ``field``: a field with no group, or one every employee
    reads; never the Auth Token (administrators) or other reserved fields."""
    if field is None:
        return False
    return not field.groups or set(field.groups.split(",")) <= STAFF_GROUPS
