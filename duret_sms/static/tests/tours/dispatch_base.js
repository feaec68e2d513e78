/** @odoo-module **/
import { registry } from "@web/core/registry";

// Issue 17, item 18: the office sets a technician's dispatch base on the user form.
registry.category("web_tour.tours").add("duret_sms_dispatch_base", {
    test: true,
    steps: () => [
        {
            content: "Open the Preferences tab",
            trigger: ".o_notebook_headers a:contains('Preferences')",
        },
        {
            content: "Type the base's address",
            trigger: "div[name='duret_base_address'] input",
            run: "text 12 rue de l'Industrie, 69100 Villeurbanne",
        },
        {
            content: "Type its latitude",
            trigger: "div[name='duret_base_latitude'] input",
            run: "text 45.7700000",
        },
        {
            content: "Type its longitude",
            trigger: "div[name='duret_base_longitude'] input",
            run: "text 4.8800000",
        },
        { content: "Save", trigger: ".o_form_button_save" },
        {
            content: "Saved",
            trigger: ".o_form_saved",
            isCheck: true,
        },
    ],
});

// The settings say where technicians are placed and what goes to the geocoder.
registry.category("web_tour.tours").add("duret_sms_dispatch_geocoder_settings", {
    test: true,
    steps: () => [
        {
            content: "The urgent dispatch setting names the geocoder and the base",
            trigger: ".o_duret_dispatch_geocoder:contains('OpenStreetMap Nominatim'):contains('dispatch base')",
            isCheck: true,
        },
    ],
});
