/** @odoo-module **/
// The technician records the visit from the calendar's popover (on a phone: the screen a tap
// on the appointment opens), without going through the form.
import { patch } from "@web/core/utils/patch";
import { AttendeeCalendarCommonPopover } from "@calendar/views/attendee_calendar/common/attendee_calendar_common_popover";
import { useService } from "@web/core/utils/hooks";
import { duretSendEnRoute } from "./en_route_button";

const { DateTime } = luxon;

patch(AttendeeCalendarCommonPopover.prototype, {
    setup() {
        super.setup(...arguments);
        this.duretNotification = useService("notification");
    },

    // "Technicien en route" from the popover too: the phone's position or the technician's
    // base (the form also offers 15/30/45 min).
    get duretEnRouteOpen() {
        const record = this.props.record;
        return Boolean(!record.rawRecord.duret_attendance && record.end > DateTime.local());
    },

    async duretEnRoute() {
        const result = await duretSendEnRoute(this.orm, this.props.record.id, false);
        this.duretNotification.add(result.reason, { type: result.sent ? "success" : "warning" });
        this.props.close();
    },

    get duretAttendanceOpen() {
        const raw = this.props.record.rawRecord;
        return Boolean(raw.duret_attendance_open && !raw.duret_attendance);
    },

    async duretRecordVisit(method) {
        await this.orm.call("calendar.event", method, [[this.props.record.id]]);
        await this.props.model.load();
        this.props.close();
    },
});
