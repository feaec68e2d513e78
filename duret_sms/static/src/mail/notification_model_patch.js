/** @odoo-module */

import { Notification } from "@mail/core/common/notification_model";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

// SMS held back by the sending rules: a clock while deferred; the reason is in the popover
// (duret_reason and duret_deferred come from mail.notification._notification_format).
patch(Notification.prototype, {
    get statusIcon() {
        if (this.notification_type === "sms" && this.duret_deferred) {
            return "fa fa-clock-o";
        }
        return super.statusIcon;
    },
    get statusTitle() {
        if (this.notification_type === "sms" && this.duret_deferred) {
            return _t("Deferred");
        }
        return super.statusTitle;
    },
});
