from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.shipment_events import (
    ALREADY_APPLIED,
    APPLIED,
    EVENTS_OFF,
    REFUSED,
    Shipment,
    split_tracking_refs,
    tracking_changes,
)
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentEventsKit

from .common import ExampleAccountMixin
from .test_shipment_events_kit import OPERATIONS


class TestTrackingRefs(TransactionCase):
    def test_split_keeps_order_and_drops_duplicates(self):
        self.assertEqual(split_tracking_refs(" A1, B2;A1  C3 "), ["A1", "B2", "C3"])
        self.assertEqual(split_tracking_refs(False), [])

    def test_changes(self):
        self.assertEqual(tracking_changes(False, "A"), (["A"], []))
        self.assertEqual(tracking_changes("A", "A,B"), (["B"], []))
        self.assertEqual(tracking_changes("A,B", "B"), ([], ["A"]))
        self.assertEqual(tracking_changes("A", "C"), (["C"], ["A"]))
        self.assertEqual(tracking_changes("A", " A "), ([], []))


@tagged("post_install", "-at_install")
class TestShipmentEventDetection(ExampleAccountMixin, TransactionCase):
    """Detection and dispatch, observed through the example platform's queued jobs."""

    example_account_name = "Example shipment events"
    _products = ShipmentEventsKit._shipment_kit_products
    _sale_picking = ShipmentEventsKit._shipment_kit_sale_picking
    _validate = ShipmentEventsKit._shipment_kit_validate

    def setUp(self):
        super().setUp()
        self.products = self._products()

    def _jobs(self, pickings=None):
        domain = [("credential_id", "=", self.credential.id), ("operation", "in", OPERATIONS)]
        if pickings is not None:
            domain.append(("res_id", "in", pickings.ids))
        return self.env["sync.job"].search(domain, order="id")

    def _ready(self, count=1):
        Picking = self.env["stock.picking"]
        return Picking.union(*(self._sale_picking(self.credential, [(self.products[0], 1)])
                               for _n in range(count)))

    def test_fulfilment_credential_hears_once_with_sales_channel(self):
        picking = self._ready()
        picking.channel_credential_id = self.credential  # also its fulfilment platform
        self._validate(picking)
        self.assertEqual(len(self._jobs(picking)), 1, "one credential, one call")

    def test_fulfilment_credential_alone(self):
        picking = self._ready()
        picking.sale_id.channel_credential_id = False
        picking.channel_credential_id = self.credential
        self._validate(picking)
        self.assertEqual(self._jobs(picking).mapped("operation"), ["example.push_shipment"])

    def test_source_is_muted_but_sales_channel_hears(self):
        """A fulfilment platform applying its own shipment: the channel still hears."""
        fulfilment = self.env["integration.credential"].create({
            "name": "Example fulfilment", "platform": "example",
            "api_base_url": "http://127.0.0.1:9"})
        picking = self._ready()
        picking.channel_credential_id = fulfilment
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("FUL-1",), source_credential=fulfilment)])[0]
        self.assertEqual(outcome.status, APPLIED)
        self.assertEqual(self._jobs(picking).mapped("operation"), ["example.push_shipment"])
        self.assertEqual(self._jobs(picking).payload["tracking"], ["FUL-1"])
        heard = self.env["sync.job"].search([("credential_id", "=", fulfilment.id)])
        self.assertFalse(heard, "the source of the shipment is not told of it")

    def test_incoming_transfers_are_ignored(self):
        receipt_type = self.env.ref("stock.picking_type_in")
        receipt = self.env["stock.picking"].create({
            "picking_type_id": receipt_type.id, "channel_credential_id": self.credential.id,
            "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": receipt_type.default_location_dest_id.id,
            "move_ids": [(0, 0, {"name": "in", "product_id": self.products[0].id,
                                 "product_uom_qty": 1,
                                 "location_id": self.env.ref("stock.stock_location_suppliers").id,
                                 "location_dest_id":
                                     receipt_type.default_location_dest_id.id})]})
        receipt.action_confirm()
        self._validate(receipt)
        receipt.carrier_tracking_ref = "IN-1"
        self.assertEqual(receipt.state, "done")
        self.assertFalse(self._jobs(receipt))

    def test_events_off_and_inactive_credential(self):
        picking = self._ready(2)
        self._validate(picking.with_context(**{EVENTS_OFF: True}))
        self.assertFalse(self._jobs(picking))
        self.credential.active = False
        picking.carrier_tracking_ref = "OFF-1"
        self.credential.active = True
        self.assertFalse(self._jobs(picking), "an archived account hears nothing")

    def test_tracking_before_validation_is_not_an_event(self):
        picking = self._ready()
        picking.carrier_tracking_ref = "EARLY"
        picking.carrier_tracking_ref = "EARLY,SECOND"
        self.assertFalse(self._jobs(picking))

    def test_batch_write_query_count_does_not_grow(self):
        pickings = self._ready(24)
        self._validate(pickings)
        few, many = pickings[:3], pickings[3:]
        self.env.flush_all()
        self.env.invalidate_all()
        queries_few = self._count_queries(lambda: few.write({"carrier_tracking_ref": "Q-1"}))
        self.env.invalidate_all()
        queries_many = self._count_queries(lambda: many.write({"carrier_tracking_ref": "Q-1"}))
        self.assertEqual(queries_many, queries_few, "the detector's queries are per batch")
        self.env.invalidate_all()
        queries_off = self._count_queries(lambda: many.with_context(**{EVENTS_OFF: True})
                                          .write({"carrier_tracking_ref": "Q-2"}))
        self.assertLessEqual(queries_many - queries_off, 8,
                             "events cost a few queries per batch, not per transfer")
        self.assertEqual(len(self._jobs(pickings).filtered(
            lambda job: job.operation == "example.push_tracking")), 24)

    def _count_queries(self, function):
        before = self.env.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_unwatched_write_reads_nothing_more(self):
        picking = self._ready()
        self._validate(picking)
        self.env.flush_all()
        self.env.invalidate_all()
        queries = self._count_queries(lambda: picking.write({"note": "hello"}))
        self.env.invalidate_all()
        queries_off = self._count_queries(
            lambda: picking.with_context(**{EVENTS_OFF: True}).write({"note": "hello 2"}))
        self.assertEqual(queries, queries_off)


@tagged("post_install", "-at_install")
class TestApplyShipments(ExampleAccountMixin, TransactionCase):
    example_account_name = "Example shipment apply"
    _products = ShipmentEventsKit._shipment_kit_products
    _sale_picking = ShipmentEventsKit._shipment_kit_sale_picking

    def setUp(self):
        super().setUp()
        self.products = self._products()
        self.Picking = self.env["stock.picking"]

    def _ready(self, lines=None):
        return self._sale_picking(self.credential, lines or [(self.products[0], 2)])

    def test_batch_applies_and_reports_each(self):
        pickings = self.Picking.union(*(self._ready() for _n in range(3)))
        cancelled = self._ready()
        cancelled.action_cancel()
        carrier = self.env["delivery.carrier"].search([], limit=1)
        shipments = [Shipment(p, (f"B-{p.id}",), carrier=carrier, ship_date="2026-11-30")
                     for p in pickings] + [Shipment(cancelled, ("B-X",))]
        outcomes = self.Picking._channel_apply_shipments(shipments)
        self.assertEqual([o.status for o in outcomes], [APPLIED] * 3 + [REFUSED])
        self.assertIn("cancelled", outcomes[3].reason)
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(pickings[0].carrier_tracking_ref, f"B-{pickings[0].id}")
        self.assertEqual(pickings[0].carrier_id, carrier)
        self.assertEqual(str(pickings[0].date_done.date()), "2026-11-30")
        self.assertFalse(any(o.backorder for o in outcomes[:3]))
        again = self.Picking._channel_apply_shipments(shipments[:3])
        self.assertEqual({o.status for o in again}, {ALREADY_APPLIED})

    def test_extra_label_on_done_transfer(self):
        picking = self._ready()
        self.Picking._channel_apply_shipments([Shipment(picking, ("L-1",))])
        outcome = self.Picking._channel_apply_shipments([Shipment(picking, ("L-2",))])[0]
        self.assertEqual(outcome.status, APPLIED)
        self.assertEqual(picking.carrier_tracking_ref, "L-1,L-2")
        jobs = self.env["sync.job"].search([("res_id", "=", picking.id),
                                            ("operation", "=", "example.push_tracking")])
        self.assertEqual(jobs.payload["added"], ["L-2"])

    def test_refusals_change_nothing(self):
        picking = self._ready([(self.products[0], 2)])
        outcomes = self.Picking._channel_apply_shipments([
            Shipment(picking, ("R-1",), quantities={self.products[1]: 1}),
        ])
        self.assertEqual(outcomes[0].status, REFUSED)
        self.assertIn(self.products[1].display_name, outcomes[0].reason)
        outcome = self.Picking._channel_apply_shipments(
            [Shipment(picking, ("R-2",), quantities={self.products[0]: 5})])[0]
        self.assertEqual(outcome.status, REFUSED)
        self.assertIn("more", outcome.reason)
        self.assertEqual((picking.state, picking.carrier_tracking_ref), ("assigned", False))

    def test_one_failing_transfer_does_not_hold_back_the_batch(self):
        lot_product = self.env["product.product"].create({
            "name": "Lot product", "is_storable": True, "tracking": "lot"})
        stock = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1).lot_stock_id
        lot = self.env["stock.lot"].create({"name": "LOT-1", "product_id": lot_product.id})
        self.env["stock.quant"]._update_available_quantity(lot_product, stock, 5, lot_id=lot)
        good = self._ready()
        bad = self._ready([(lot_product, 1)])
        bad.move_ids.move_line_ids.lot_id = False  # validation will ask for a lot
        outcomes = self.Picking._channel_apply_shipments(
            [Shipment(good, ("G-1",)), Shipment(bad, ("BAD-1",))])
        self.assertEqual([o.status for o in outcomes], [APPLIED, REFUSED])
        self.assertEqual(good.state, "done")
        self.assertEqual((bad.state, bad.carrier_tracking_ref), ("assigned", False),
                         "a refused shipment is not half-applied")

    def test_two_shipments_of_one_transfer_in_a_batch(self):
        picking = self._ready()
        outcomes = self.Picking._channel_apply_shipments([
            Shipment(picking, ("T-1",), quantities={self.products[0]: 1}),
            Shipment(picking, ("T-1",), quantities={self.products[0]: 1}),
            Shipment(picking, ("T-2",), quantities={self.products[0]: 1}),
        ])
        self.assertEqual([o.status for o in outcomes], [APPLIED, ALREADY_APPLIED, REFUSED])
        self.assertTrue(outcomes[0].backorder)
