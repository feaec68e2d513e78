from odoo import models

from ..core import phone


class ResCompany(models.Model):
    _inherit = "res.company"

    def _duret_public_contact(self):
        """Return what the customer pages show of this company: its name and phone.

        ``{"company_name", "company_phone", "company_tel"}``: the phone as written in the
        company's country ("04 78 12 34 56"), and the same number in E.164 for ``tel:`` links
        (empty when the company has no valid phone: the call button is then left out).
        Read as superuser: public pages have no user who may read the company.
        """
        self.ensure_one()
        # One company's name and phone, shown on its own public pages.
        company_sudo = self.sudo()
        region = (company_sudo.country_id.code or "FR").upper()
        raw = company_sudo.phone or ""
        return {
            "company_name": company_sudo.name or "",
            "company_phone": phone.display(raw, region),
            "company_tel": phone.try_normalize(raw, region) or "",
        }
