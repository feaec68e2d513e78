/** @odoo-module **/
// "Technicien en route": one big button on the appointment, made for the technician's phone.
// It sends the phone's position when the browser gives it (else the server uses the
// technician's base); 15/30/45 min sends the time the technician picks instead.
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { Component, useState } from "@odoo/owl";

// Never keep the technician waiting on a position that does not come.
const POSITION_TIMEOUT = 6000;

/** The phone's coordinates when the browser gives them within a few seconds, else null. */
export function duretPosition() {
    const geolocation = browser.navigator && browser.navigator.geolocation;
    if (!geolocation) {
        return Promise.resolve(null);
    }
    return new Promise((resolve) => {
        const timer = browser.setTimeout(() => resolve(null), POSITION_TIMEOUT);
        const done = (coords) => {
            browser.clearTimeout(timer);
            resolve(coords);
        };
        geolocation.getCurrentPosition(
            (position) => done(position.coords),
            () => done(null),
            { timeout: POSITION_TIMEOUT - 500, maximumAge: 300000 }
        );
    });
}

/** Call the *En route* action of appointment ``eventId``; returns its answer. */
export async function duretSendEnRoute(orm, eventId, minutes) {
    const coords = minutes ? null : await duretPosition();
    return orm.call("calendar.event", "action_duret_en_route", [[eventId]], {
        eta_minutes: minutes || false,
        latitude: coords ? coords.latitude : false,
        longitude: coords ? coords.longitude : false,
    });
}

export class DuretEnRouteButton extends Component {
    static props = standardWidgetProps;
    static template = "duret_sms.EnRouteButton";

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({ busy: false, reason: "", sent: false });
        this.choices = [15, 30, 45];
    }

    async send(minutes) {
        const record = this.props.record;
        if (this.state.busy || !record.resId) {
            return;
        }
        this.state.busy = true;
        try {
            const result = await duretSendEnRoute(this.orm, record.resId, minutes);
            this.state.sent = result.sent;
            this.state.reason = result.reason;
            this.notification.add(result.reason, { type: result.sent ? "success" : "warning" });
            await record.load();
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("view_widgets").add("duret_en_route", { component: DuretEnRouteButton });
