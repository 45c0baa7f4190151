/** A transfer the platform shipped shows as done in Odoo (the test opens its form). */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("channel_transfer_done", {
    steps: () => [
        {
            content: "The transfer is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "No Validate button is left to press",
            trigger: ".o_form_view:not(:has(button[name=button_validate]:visible))",
        },
    ],
});
