from odoo import _, api, fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    duret_no_consent_count = fields.Integer(
        "Excluded: No Consent",
        compute="_compute_duret_no_consent_count",
        help="Recipients left out because they never agreed to commercial SMS.",
    )

    @api.constrains("body_plaintext", "mailing_type", "mailing_model_id")
    def _check_duret_sms_placeholders(self):
        """An SMS campaign is rendered by the mailing queue as superuser: its placeholders may
        only read fields (refused here, when the text is saved, rather than by the queue)."""
        templates = self.env["sms.template"]
        if not templates._duret_is_staff_edit():
            # Administrators (and code run as superuser) may save any text, as for templates;
            # the queue and the Test button still render it with field reads only.
            return
        for mailing in self.filtered(lambda m: m.mailing_type == "sms" and m.body_plaintext):
            templates._duret_check_text(mailing.body_plaintext, mailing.mailing_model_real)

    def _compute_duret_no_consent_count(self):
        counts = dict(
            self.env["mailing.trace"]._read_group(
                [("mass_mailing_id", "in", self.ids), ("failure_type", "=", "sms_no_consent")],
                ["mass_mailing_id"],
                ["__count"],
            )
        )
        for mailing in self:
            mailing.duret_no_consent_count = counts.get(mailing, 0)

    def action_duret_view_no_consent(self):
        """The traces of the recipients excluded for lack of consent, with the reason."""
        self.ensure_one()
        action = self._action_view_traces_filtered("canceled")
        action["name"] = _("Excluded: No SMS Consent")
        action["domain"] = [("failure_type", "=", "sms_no_consent")]
        action["views"] = [
            (self.env.ref("mass_mailing_sms.mailing_trace_view_tree_sms").id, "tree"),
            (self.env.ref("mass_mailing_sms.mailing_trace_view_form_sms").id, "form"),
        ]
        return action
