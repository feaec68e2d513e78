from odoo import api, models

REPLY_MENU_XMLID = "duret_sms.duret_sms_reply_menu"


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def load_menus(self, debug):
        """Show on the *Replies* menu how many replies wait for the office: "Replies (3)".

        Odoo caches the menus per user; the count is added to a copy of the cached entry on
        every load (the web client's menu hash changes with it, so a reload shows it fresh).
        """
        menus = super().load_menus(debug)
        reply_menu = self.env.ref(REPLY_MENU_XMLID, raise_if_not_found=False)
        if not reply_menu or reply_menu.id not in menus:
            return menus
        replies = self.env["duret.sms.reply"]
        if not replies.check_access_rights("read", raise_exception=False):
            return menus
        waiting = replies.search_count([("state", "=", "needs_attention")])
        if not waiting:
            return menus
        menus = dict(menus)
        entry = dict(menus[reply_menu.id])
        entry["name"] = f"{entry['name']} ({waiting})"
        menus[reply_menu.id] = entry
        return menus
