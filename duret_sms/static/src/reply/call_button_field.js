/** @odoo-module **/
// "Call" on an SMS reply: a real tel: link, which the browser hands to the phone or softphone
// (an ir.actions.act_url made Odoo open /tel:... as a page of the site).
import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class DuretCallButtonField extends Component {
    static template = "duret_sms.CallButtonField";
    static props = { ...standardFieldProps, label: { type: String, optional: true } };

    get number() {
        return this.props.record.data[this.props.name] || "";
    }

    get href() {
        return `tel:${this.number.replace(/\s+/g, "")}`;
    }
}

registry.category("fields").add("duret_sms_call_button", {
    component: DuretCallButtonField,
    displayName: "Call button",
    supportedTypes: ["char"],
    extractProps: ({ string }) => ({ label: string }),
});
