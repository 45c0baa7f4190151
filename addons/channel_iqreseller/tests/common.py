import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import fields
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.paged_import import PAGE_OPERATION
from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.iqreseller import GET_SOS_PATH, IQResellerSimulator

API_KEY = "iqr-KEY-7c1e5a90-very-secret"
TIMEZONE = "America/Chicago"
SKUS = ("THINKPAD T450", "DOCK-USB-C", "CABLE-HDMI-3")


class TickingClock:
    """Epoch seconds that move forward by `step` on every read: the simulator reads its
    clock once per request, so a session can expire in the middle of a run."""

    def __init__(self, step=0.0):
        self.now = datetime.now().timestamp()
        self.step = step

    def __call__(self):
        self.now += self.step
        return self.now


class StreamRun:
    """The page jobs of one run of the orders stream: ``result`` sums their counters
    (JSON, as one poll job reported them), ``state`` / ``error_kind`` / ``last_error`` /
    ``auth_refreshed`` are the last page job's (where a run stops)."""

    def __init__(self, jobs):
        self.jobs = jobs
        last = jobs[-1:]
        self.state, self.error_kind = last.state, last.error_kind
        self.last_error, self.auth_refreshed = last.last_error, last.auth_refreshed
        totals = {}
        for job in jobs.filtered("result"):
            for key, value in json.loads(job.result).items():
                summed = isinstance(value, int) and not isinstance(value, bool)
                totals[key] = totals.get(key, 0) + value if summed else value
        self.result = json.dumps(totals, sort_keys=True)


class IQResellerCase(CommittedCredentialMixin):
    """A committed IQR credential pointed at a class-wide simulator (both hosts)."""

    credential_values = {}

    @classmethod
    def setUpClass(cls):
        cls.clock = TickingClock()
        cls.sim = start_simulator(cls, IQResellerSimulator, api_key=API_KEY, clock=cls.clock)
        cls.default_sim_options = dict(cls.sim.options)
        cls.credential_id = cls.create_committed_credential(dict({
            "name": "IQR test", "platform": "iqreseller", "api_base_url": cls.sim.url,
            "iqr_signin_url": cls.sim.url, "iqr_api_key": API_KEY,
            "source_timezone": TIMEZONE, "request_timeout": 10,
            "iqr_order_endpoint": "get_sos", "iqr_tracking_endpoint": "so_udfs",
        }, **cls.credential_values))
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.products = {
            sku: cls.env["product.product"].create({
                "name": f"Product {sku}", "default_code": sku, "type": "consu",
                "list_price": 99.0,
            })
            for sku in SKUS
        }
        cls.Job = cls.env["sync.job"]
        cls.SaleOrder = cls.env["sale.order"]

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.sim.options.clear()
        self.sim.options.update(self.default_sim_options)
        self.clock.step = 0.0
        # Sessions live in the token store, committed across tests: the simulator has
        # just forgotten them, so start each test signed out.
        self.credential._invalidate_access_token()

    # ------------------------------------------------------------------ data

    def local_days_ago(self, days, hour=10):
        """A sale date `days` ago, as IQR's local wall clock (naive)."""
        now = datetime.now(ZoneInfo(TIMEZONE))
        return (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                    microsecond=0, tzinfo=None)

    def add_so(self, days_ago=2, channel="DPC - QUIC", lines=None, **fields_):
        lines = lines if lines is not None else [
            {"item": "THINKPAD T450", "quantity": 2, "unitprice": 469.95,
             "description": "LENOVO THINKPAD T450"},
            {"item": "DOCK-USB-C", "quantity": 1, "unitprice": 120.0},
            {"item": "CABLE-HDMI-3", "quantity": 3, "unitprice": 9.5},
        ]
        return self.sim.add_so(details=lines, saledate=self.local_days_ago(days_ago),
                               userdefined5=channel, **fields_)

    # ------------------------------------------------------------------ running

    def run_jobs(self, max_rounds=5):
        """Run due jobs as the cron would, again while the last round queued new ones."""
        for _round in range(max_rounds):
            due = self.Job.search([("state", "=", "pending")])
            if not due:
                return
            due.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.Job._run_due_jobs(batch_size=100, time_budget=60)
            self.Job.invalidate_model()
            if not self.Job.search_count([("state", "=", "pending"),
                                          ("id", "not in", due.ids)]):
                return

    def page_jobs(self):
        return self.Job.search([("credential_id", "=", self.credential_id),
                                ("operation", "=", PAGE_OPERATION)], order="id")

    def poll(self):
        """Run the orders stream once (its page jobs and the imports they queue); returns
        what the run's page jobs say, as one poll job said it before streams."""
        before = self.page_jobs()
        self.credential._iqr_enqueue_poll()
        self.run_jobs(max_rounds=20)
        return StreamRun(self.page_jobs() - before)

    def listing_pages(self, page_size=None):
        """The Page numbers the poll asked (of the given PageSize; the page-numbering
        check asks pages 0 and 1 of one order before a full read)."""
        return [request.query["Page"] for request in self.sim.requests
                if request.path == GET_SOS_PATH
                and (page_size is None or request.query["PageSize"] == str(page_size))]

    def inbox_items(self, state="failed"):
        """The account's parked IQR orders (channel.inbox.item of the orders stream)."""
        return self.env["channel.inbox.item"].search([
            ("credential_id", "=", self.credential_id), ("stream", "=", "orders"),
            ("state", "=", state)], order="id")

    def tracking_jobs(self, order):
        """The tracking write-back jobs of a sale order."""
        return self.Job.search([("operation", "=", "iqreseller.push_tracking"),
                                ("res_model", "=", "sale.order"), ("res_id", "=", order.id)])

    def imported(self):
        return self.SaleOrder.search([("channel_credential_id", "=", self.credential_id)],
                                     order="id")

    def order_of(self, so):
        return self.SaleOrder.search([("channel_credential_id", "=", self.credential_id),
                                      ("channel_external_id", "=", str(so["soid"]))])

    def api_logs(self):
        """API logs are committed on their own cursor: read them from a fresh one."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_api_log WHERE credential_id = %s ORDER BY id",
                       (self.credential_id,))
            return cr.dictfetchall()

    def clear_api_logs(self):
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("DELETE FROM channel_api_log WHERE credential_id = %s",
                       (self.credential_id,))
            cr.commit()  # pylint: disable=invalid-commit

    def ship(self, order, tracking, quantities=None):
        """Validate the order's open delivery with `tracking`; `quantities` {sku: qty}
        ships part of it (the rest goes to a backorder)."""
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing")
        self.assertEqual(len(picking), 1, "one open delivery expected")
        for move in picking.move_ids:
            shipped = move.product_uom_qty if quantities is None else quantities.get(
                move.product_id.default_code, 0)
            move.quantity = shipped
            move.picked = bool(shipped)
        picking.carrier_tracking_ref = tracking
        picking.with_context(cancel_backorder=False)._action_done()
        return picking
