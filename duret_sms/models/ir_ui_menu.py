from odoo import api, models

REPLY_MENU_XMLID = "duret_sms.duret_sms_reply_menu"
CONVERSATION_MENU_XMLID = "duret_sms.duret_sms_conversation_menu"


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def load_menus(self, debug):
        """Show on the *Replies* menu how many replies wait for the office: "Replies (3)", and
        on *Conversations* how many of the conversations the user sees wait for an answer.

        Odoo caches the menus per user; the count is added to a copy of the cached entry on
        every load (the web client's menu hash changes with it, so a reload shows it fresh).
        """
        menus = super().load_menus(debug)
        counters = (
            (REPLY_MENU_XMLID, "duret.sms.reply", self._duret_waiting_replies),
            (CONVERSATION_MENU_XMLID, "duret.sms.conversation", self._duret_waiting_conversations),
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

    def _duret_waiting_replies(self):
        return self.env["duret.sms.reply"].search_count([("state", "=", "needs_attention")])

    def _duret_waiting_conversations(self):
        return self.env["duret.sms.conversation"]._duret_waiting_count()
