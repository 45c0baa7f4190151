/** From the dashboard's "N to fix" button of an account to its failed job, then Retry. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("channel_to_fix_retry", {
    url: "/odoo/action-channel_base.action_integration_dashboard",
    steps: () => [
        {
            content: "The account's card offers what to fix",
            trigger: ".o_kanban_record:contains(Tour fix account) .o_channel_to_fix",
            run: "click",
        },
        {
            content: "Exactly its failed job is listed",
            trigger: ".o_list_view .o_data_row:contains(broken on purpose) td[name=display_label]",
            run: "click",
        },
        {
            content: "Retry it",
            trigger: ".o_form_view button[name=action_retry_now]",
            run: "click",
        },
        {
            content: "It is back in the queue",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Pending)",
        },
    ],
});
