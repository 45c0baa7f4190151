import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name

from ..client import ShipStationClient
from .common import ShipStationTestMixin


def small_order(number):
    return {"orderNumber": number, "orderKey": number, "orderDate": "2024-05-01T10:00:00",
            "orderStatus": "awaiting_shipment", "billTo": {"name": "B"}, "shipTo": {"name": "B"},
            "items": [{"name": "Thing", "sku": "THING", "quantity": 1}]}


@tagged("post_install", "-at_install")
class TestRateLimitUnderLoad(ShipStationTestMixin, TransactionCase):
    """Several workers share one window through the database and never exceed it.
    (4 requests per 2 s on both sides, so the test shows three windows in seconds.)"""

    sim_options = {"requests_per_minute": 4, "window_seconds": 2}
    credential_values = {"shipstation_rate_limit": 4, "shipstation_rate_period": 2}

    def test_concurrent_workers_never_exceed_the_window(self):
        errors = []

        def worker(index):
            try:
                with Registry(get_db_name()).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    credential = env["integration.credential"].browse(self.credential_id)
                    client = ShipStationClient(credential)
                    for number in range(4):
                        answer = client.create_orders([small_order(f"LOAD-{index}-{number}")])
                        assert answer["results"][0]["success"], answer
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - started
        self.assertFalse(errors)
        self.assertEqual(self.sim.throttled_count, 0, "no request was sent over the window")
        self.assertEqual(len(self.sim.orders), 12)
        self.assertGreaterEqual(elapsed, 3.5, "12 requests at 4 per 2 s need three windows")
