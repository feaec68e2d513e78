from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime

from odoo.addons.duret_sms.services.sms_urgent import urgent_alert_context


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    duret_urgent = fields.Boolean(
        "Urgent",
        tracking=True,
        help="The site manager gets an SMS as soon as the order is confirmed.",
    )
    duret_site_manager_id = fields.Many2one(
        "res.users",
        "Site Manager",
        compute="_compute_duret_site_manager_id",
        store=True,
        readonly=False,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Told by SMS when this urgent order is confirmed and when its material is received. "
        "Defaults to the buyer.",
    )

    duret_sms_date_planned_text = fields.Char(
        "Expected Arrival (SMS)",
        compute="_compute_duret_sms_date_planned_text",
        help="05/12/2026 à 14h30 (or: à confirmer), in the company's SMS time zone, for SMS "
        "texts: their placeholders may only read fields.",
    )

    @api.depends("date_planned", "company_id")
    def _compute_duret_sms_date_planned_text(self):
        for order in self:
            order.duret_sms_date_planned_text = (
                format_datetime(
                    self.env,
                    order.date_planned,
                    tz=order.company_id.duret_sms_tz or "Europe/Paris",
                    dt_format="dd/MM/yyyy 'à' HH'h'mm",
                )
                if order.date_planned
                else "à confirmer"
            )

    @api.constrains("duret_site_manager_id")
    def _check_duret_site_manager_id(self):
        # The view's domain is only a hint: a customer's portal user never becomes the site
        # manager an urgent alert (any hour) goes to.
        for order in self.filtered("duret_site_manager_id"):
            if order.duret_site_manager_id.share:
                raise ValidationError(
                    _(
                        "%(user)s cannot be the site manager of %(order)s: only the company's "
                        "internal users get urgent order SMS.",
                        user=order.duret_site_manager_id.name,
                        order=order.name,
                    )
                )

    @api.depends("user_id")
    def _compute_duret_site_manager_id(self):
        # The buyer is who follows the order by default (and the current user on a new
        # order); once someone picks another site manager, changing the buyer keeps it.
        for order in self:
            if not order.duret_site_manager_id:
                order.duret_site_manager_id = order.user_id

    def button_approve(self, force=False):
        """Confirm (or approve) as usual, then SMS the site manager of each urgent order.

        ``button_confirm`` ends here when no approval is needed, and so does the manager's
        approval otherwise: the SMS goes when the order really becomes a purchase order.

        :raise UserError: an urgent order's site manager is missing or has no mobile number
            (nothing is confirmed then).
        """
        urgent = self.filtered(
            lambda order: (
                order.duret_urgent
                and order.state in ("draft", "sent", "to approve")
                and order.company_id.duret_sms_purchase_urgent
            )
        )
        numbers = {order.id: order._duret_site_manager_number(urgent=True) for order in urgent}
        result = super().button_approve(force=force)
        template = self.env.ref("duret_sms_purchase.sms_template_purchase_urgent_confirmed")
        for order in urgent.filtered(lambda order: order.state in ("purchase", "done")):
            manager_partner = order.duret_site_manager_id.partner_id
            # Staff alert at the site manager's Urgent SMS Mobile, any hour; confirming the
            # order never makes anyone staff (an internal user already is).
            order.with_context(
                **urgent_alert_context(), mail_notify_author=True
            )._message_sms_with_template(
                template=template,
                # used when staff broke the template: the order is confirmed all the same
                template_fallback="URGENT Cde {{ object.name }} confirmée : "
                "{{ object.partner_id.name }}",
                partner_ids=manager_partner.ids,
                sms_pid_to_number={manager_partner.id: numbers[order.id]},
            )
        return result

    def _duret_site_manager_number(self, urgent=False):
        """The site manager's mobile in E.164 (their contact's mobile, else phone), or with
        ``urgent`` the Urgent SMS Mobile an SMS officer registered for them.

        :raise UserError: no site manager, or no valid number on their contact.
        """
        self.ensure_one()
        manager = self.duret_site_manager_id
        if not manager:
            raise UserError(
                _(
                    "Purchase order %(order)s has no site manager to tell by SMS: set one "
                    "(Other Information tab).",
                    order=self.name,
                )
            )
        self._check_duret_site_manager_id()
        if urgent:
            number = manager.partner_id._duret_urgent_number(self.company_id)
            if number:
                return number
            raise UserError(
                _(
                    "%(user)s, site manager of %(order)s, has no Urgent SMS Mobile: an SMS "
                    "officer enters it on their contact (SMS tab) so they get the order's "
                    "urgent SMS.",
                    user=manager.name,
                    order=self.name,
                )
            )
        number = manager.partner_id._duret_sms_mobile(self.company_id)
        if number:
            return number
        raise UserError(
            _(
                "%(user)s, site manager of %(order)s, has no valid mobile number: enter it on "
                "their contact (Mobile) so they get the order's SMS.",
                user=manager.name,
                order=self.name,
            )
        )
