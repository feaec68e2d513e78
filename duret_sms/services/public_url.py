"""The address Twilio and customers reach Odoo at, and what the customer pages show of a
company. ``res.company._duret_public_url`` and its siblings are the entry points."""

from urllib.parse import urlsplit

from odoo import _
from odoo.exceptions import UserError

from ..core import phone

PUBLIC_URL_PARAM = "duret_sms.public_url"


class PublicUrl:
    """``PublicUrl(env)``: reads and writes the system parameter as superuser (admin ACL)."""

    def __init__(self, env):
        self.env = env

    def url(self, path=""):
        """Return the absolute URL of ``path`` (starting with "/"; empty: the address itself,
        without trailing slash) at the address Twilio and customers reach Odoo at.

        The one place that builds the URLs Odoo sends out: status callbacks, appointment,
        short and unsubscribe links, payment links in SMS; webhook signatures are checked
        against it too. It is the SMS setting *Public URL* (``duret_sms.public_url``), filled
        from ``web.base.url`` at installation: unlike ``web.base.url``, which Odoo rewrites
        whenever an administrator logs in through another host name, it only changes when
        someone saves it.
        """
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        url = icp_sudo.get_param(PUBLIC_URL_PARAM) or icp_sudo.get_param("web.base.url") or ""
        return url.strip().rstrip("/") + path

    def init(self):
        """Installation: freeze the current ``web.base.url`` as the public URL."""
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        if not icp_sudo.get_param(PUBLIC_URL_PARAM):
            icp_sudo.set_param(PUBLIC_URL_PARAM, self.env["res.company"]._duret_public_url())

    def check(self, url):
        """Return ``url`` cleaned (no trailing slash); raise UserError when unusable."""
        url = (url or "").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise UserError(
                _(
                    "The SMS public URL %(url)s is not valid: enter the address Twilio and "
                    "your customers reach Odoo at, e.g. https://odoo.example.com",
                    url=url or '""',
                )
            )
        return url

    def public_contact(self, company):
        """Return what the customer pages show of ``company``: its name and phone.

        ``{"company_name", "company_phone", "company_tel"}``: the phone as written in the
        company's country ("04 78 12 34 56"), and the same number in E.164 for ``tel:`` links
        (empty when the company has no valid phone: the call button is then left out).
        Read as superuser: public pages have no user who may read the company.
        """
        company.ensure_one()
        # One company's name and phone, shown on its own public pages.
        company_sudo = company.sudo()
        region = (company_sudo.country_id.code or "FR").upper()
        raw = company_sudo.phone or ""
        return {
            "company_name": company_sudo.name or "",
            "company_phone": phone.display(raw, region),
            "company_tel": phone.try_normalize(raw, region) or "",
        }
