"""The sandbox's control page, in a real browser, ships an order that then shows as done
in Odoo (issue 12, "Tested in a real browser")."""

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_shipstation.tests.test_webhook import ShipmentFlowMixin

from tests.simulators.console import SandboxConsole

TRACKING = "1ZSANDBOX0000000001"

#: Run in the console page: submit the Ship form of the order (the page's own form, with
#: the tracking number typed in) as the browser would, and report what the page answered.
SHIP_FROM_THE_PAGE = """
(async () => {
    const form = [...document.querySelectorAll("form")].find((candidate) =>
        candidate.querySelector("input[name=action][value=ship]")
        && candidate.querySelector("input[name=order_key][value='%(order_key)s']"));
    if (!form) { console.error("no Ship form for the order on the console page"); return; }
    form.querySelector("input[name=tracking]").value = "%(tracking)s";
    // The form has an input named "action", which hides form.action.
    const answer = await fetch(form.getAttribute("action"),
                               {method: "POST", body: new FormData(form)});
    const page = await answer.text();
    if (answer.ok && page.includes("shipped with tracking %(tracking)s")
            && page.includes("webhook answers [(200")) {
        console.log("test successful");
    } else {
        console.error("the console did not ship the order: " + page.slice(0, 2000));
    }
})();
"""


@tagged("post_install", "-at_install")
class TestSandboxConsoleTour(ShipmentFlowMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.register_webhooks()
        self.console = SandboxConsole({"shipstation": self.sim}).start()
        self.addCleanup(self.console.stop)

    def test_console_ships_an_order_that_shows_done_in_odoo(self):
        picking = self.sent_picking()
        self.assertNotEqual(picking.state, "done")
        self.env.flush_all()
        self.browser_js(self.console.url + "/", SHIP_FROM_THE_PAGE % {
            "order_key": picking.shipstation_order_key, "tracking": TRACKING}, login="admin")
        self.env.invalidate_all()
        self.run_jobs()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, TRACKING)
        self.start_tour(f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
                        "channel_transfer_done", login="admin")
