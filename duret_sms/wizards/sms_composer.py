from odoo import _, api, fields, models

from ..core import encoding
from ..models.sms_sms import CATEGORIES

# Internal urgent alerts skip the opt-out list and the sending hours: only the staff alert
# paths send them (see sms_sms_category.py), never the composer.
COMPOSER_CATEGORIES = [(key, label) for key, label in CATEGORIES if key != "internal_urgent"]


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    duret_category = fields.Selection(
        COMPOSER_CATEGORIES,
        "SMS Category",
        compute="_compute_duret_category",
        store=True,
        readonly=False,
    )
    duret_optout_mention = fields.Char(
        "Opt-out Mention",
        compute="_compute_duret_estimate",
        help="Added at the end of commercial SMS, as French rules require.",
    )
    duret_estimate = fields.Char("Length", compute="_compute_duret_estimate")

    @api.depends("template_id")
    def _compute_duret_category(self):
        for composer in self:
            category = (
                composer.template_id.duret_category
                or self.env.context.get("duret_sms_category")
                or composer.duret_category
            )
            composer.duret_category = (
                category if category in dict(COMPOSER_CATEGORIES) else "transactional"
            )

    @api.depends("body", "duret_category")
    def _compute_duret_estimate(self):
        company = self.env.company
        for composer in self:
            mention = ""
            if composer.duret_category == "commercial":
                # Each SMS gets its own 32-character token: count one, show a placeholder.
                mention = self.env["sms.sms"]._duret_optout_mention(company, "0" * 32)
            composer.duret_optout_mention = mention.replace("0" * 32, "<token>").strip()
            analysis = encoding.analyze((composer.body or "") + mention)
            composer.duret_estimate = (
                _(
                    "%(segments)s SMS (%(encoding)s, %(units)s units), opt-out mention included",
                    segments=analysis.segments,
                    encoding=analysis.encoding,
                    units=analysis.units,
                )
                if mention
                else _(
                    "%(segments)s SMS (%(encoding)s, %(units)s units)",
                    segments=analysis.segments,
                    encoding=analysis.encoding,
                    units=analysis.units,
                )
            )

    def action_send_sms(self):
        return super(
            SmsComposer,
            self.with_context(duret_sms_category=self.duret_category or "transactional"),
        ).action_send_sms()

    def action_send_sms_mass_now(self):
        return super(
            SmsComposer,
            self.with_context(duret_sms_category=self.duret_category or "transactional"),
        ).action_send_sms_mass_now()
