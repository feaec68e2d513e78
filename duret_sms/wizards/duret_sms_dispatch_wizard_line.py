from odoo import fields, models


class DuretSmsDispatchWizardLine(models.TransientModel):
    _name = "duret.sms.dispatch.wizard.line"
    _description = "Urgent Intervention Dispatch: Ranked Technician"
    _order = "sequence, id"

    wizard_id = fields.Many2one("duret.sms.dispatch.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    user_id = fields.Many2one("res.users", "Technician", required=True, readonly=True)
    rank = fields.Integer(readonly=True)
    free = fields.Boolean("Free Now", readonly=True)
    distance_km = fields.Float("Distance (km)", digits=(12, 1), readonly=True)
    explanation = fields.Char("Why", readonly=True)

    def action_choose(self):
        """Pick this technician from the ranking; *Send* then sends them."""
        self.ensure_one()
        self.wizard_id.technician_id = self.user_id
        return self.wizard_id._duret_reopen()
