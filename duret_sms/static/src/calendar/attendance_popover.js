/** @odoo-module **/
// The technician records the visit from the calendar's popover (on a phone: the screen a tap
// on the appointment opens), without going through the form.
import { patch } from "@web/core/utils/patch";
import { AttendeeCalendarCommonPopover } from "@calendar/views/attendee_calendar/common/attendee_calendar_common_popover";

patch(AttendeeCalendarCommonPopover.prototype, {
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
