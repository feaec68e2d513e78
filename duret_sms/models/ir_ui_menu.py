from odoo import api, models

REPLY_MENU_XMLID = "duret_sms.duret_sms_reply_menu"
CONVERSATION_MENU_XMLID = "duret_sms.duret_sms_conversation_menu"


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def load_menus(self, debug):
        """Show on the *Replies* and *Conversations* menus how many wait for the office:
        "Replies (3)", "Conversations (2)" (each user counts what they may read).

        Odoo caches the menus per user; the counts are added to a copy of the cached entries on
        every load (the web client's menu hash changes with them, so a reload shows them fresh).
        """
        menus = super().load_menus(debug)
        counters = (
            (REPLY_MENU_XMLID, "duret.sms.reply", self._duret_replies_waiting),
            (CONVERSATION_MENU_XMLID, "duret.sms.conversation", self._duret_conversations_waiting),
        )
        for xmlid, model, count in counters:
            menu = self.env.ref(xmlid, raise_if_not_found=False)
            if not menu or menu.id not in menus:
                continue
            if not self.env[model].check_access_rights("read", raise_exception=False):
                continue
            waiting = count()
            if not waiting:
                continue
            menus = dict(menus)
            entry = dict(menus[menu.id])
            entry["name"] = f"{entry['name']} ({waiting})"
            menus[menu.id] = entry
        return menus

    def _duret_replies_waiting(self):
        return self.env["duret.sms.reply"].search_count([("state", "=", "needs_attention")])

    def _duret_conversations_waiting(self):
        return self.env["duret.sms.conversation"]._duret_waiting_count()
