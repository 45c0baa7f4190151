/** Create an example account from the form, then (after the test posted its first webhook
 * to the account's URL) find that delivery in the account's webhook events. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("channel_account_create", {
    url: "/odoo/action-channel_base.action_integration_credential",
    steps: () => [
        { content: "New account", trigger: ".o_list_button_add", run: "click" },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour example account",
        },
        {
            content: "Choose the example platform",
            trigger: ".o_field_widget[name=platform] select",
            run: "selectByLabel Example",
        },
        {
            content: "Point it at the example simulator",
            trigger: ".o_field_widget[name=api_base_url] input",
            run: "edit http://127.0.0.1:9",
        },
        { content: "Save", trigger: ".o_form_button_save", run: "click" },
        {
            content: "Saved: its webhook URL is shown on the Secrets tab",
            trigger: ".o_form_saved",
        },
        { content: "Secrets tab", trigger: ".o_notebook a:contains(Secrets)", run: "click" },
        {
            content: "The webhook URL carries the account's token",
            trigger: ".o_field_widget[name=webhook_url]:contains(?token=)",
        },
    ],
});

registry.category("web_tour.tours").add("channel_account_first_webhook", {
    steps: () => [
        {
            content: "The account's webhook events",
            trigger: "button[name=action_open_webhook_events]",
            run: "click",
        },
        {
            content: "The first delivery is listed",
            trigger: ".o_data_row td[name=delivery_id]:contains(tour-delivery-1)",
            run: "click",
        },
        {
            content: "Its form names the delivery",
            trigger: ".o_form_view .oe_title:contains(tour-delivery-1)",
        },
    ],
});
