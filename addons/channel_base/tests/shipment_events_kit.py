"""The shared shipment-events test kit every platform module runs on its hooks.

channel_base detects shipment events once (docs/shipment_events.md); the kit proves a
platform hears each of them exactly once, in order, with the right transfers, through
what the platform really queued or received.

Use it in a ``TransactionCase`` of the platform module::

    class TestShopifyShipmentEvents(ShipmentEventsKit, ShopifyAccountMixin, TransactionCase):
        def _shipment_kit_credential(self): ...        # the platform's credential
        def _shipment_kit_ready_picking(self, lines): ...   # a ready delivery it concerns
        def _shipment_kit_reports(self, pickings): ...  # what it queued, oldest first

A report is a dict: ``kind`` (one of KINDS), ``picking`` (id), ``tracking`` (numbers the
platform is told the transfer has), ``numbers`` (added or removed numbers, tracking
events), ``shipped`` ({product id: quantity}, "done"), and ``dispatch``: an id shared by
the reports of one hook call, when the platform can tell (else omit it).

Platforms that push an order's live state (one push per order, events coalesced) run
``ShipmentOutcomeKit`` instead: the same scenarios, asserted on what the platform's
simulator holds for the order (see its docstring).
"""

from odoo.fields import Command

from odoo.addons.channel_base.shipment_events import ALREADY_APPLIED, APPLIED, Shipment

KINDS = ("done", "tracking_added", "tracking_removed", "backorder_cancelled", "cancelled")


class ShipmentEventsKit:
    def _shipment_kit_credential(self):
        raise NotImplementedError

    def _shipment_kit_ready_picking(self, lines):
        """A ready (assigned) outgoing transfer of ``lines`` [(product, quantity)] whose
        events concern the platform's credential (its sale order's channel or its own
        fulfilment credential)."""
        raise NotImplementedError

    def _shipment_kit_reports(self, pickings):
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers

    def _shipment_kit_products(self, count=2):
        products = self.env["product.product"].create([
            {"name": f"Kit product {n}", "default_code": f"KIT-SHIP-{n}", "is_storable": True}
            for n in range(count)])
        stock = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1).lot_stock_id
        for product in products:
            self.env["stock.quant"]._update_available_quantity(product, stock, 1000)
        return products

    def _shipment_kit_sale_picking(self, credential, lines):
        """A confirmed sale order of ``credential``'s channel; its ready delivery."""
        partner = self.env["res.partner"].create({"name": "Kit customer"})
        order = self.env["sale.order"].create({
            "partner_id": partner.id, "channel_credential_id": credential.id,
            "order_line": [Command.create({"product_id": product.id,
                                           "product_uom_qty": quantity})
                           for product, quantity in lines]})
        order.action_confirm()
        return order.picking_ids

    def _shipment_kit_validate(self, pickings):
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()

    def _shipment_kit_kinds(self, pickings):
        return [(report["kind"], report["picking"])
                for report in self._shipment_kit_reports(pickings)]

    def _shipment_kit_setup(self, count=1):
        self.kit_products = self._shipment_kit_products()
        lines = [(self.kit_products[0], 2), (self.kit_products[1], 3)]
        pickings = self.env["stock.picking"]
        for _n in range(count):
            pickings |= self._shipment_kit_ready_picking(lines)
        self.assertTrue(all(p.state == "assigned" for p in pickings), "the kit needs ready "
                        "transfers")
        return pickings

    # ------------------------------------------------------------------ tests

    def test_shipment_kit_full_shipment_with_tracking(self):
        picking = self._shipment_kit_setup()
        picking.carrier_tracking_ref = "KIT-TRK-1"
        self.assertFalse(self._shipment_kit_reports(picking), "no event before it ships")
        self._shipment_kit_validate(picking)
        reports = self._shipment_kit_reports(picking)
        self.assertEqual([r["kind"] for r in reports], ["done"],
                         "done with tracking is one event: the tracking travels with it")
        self.assertEqual(reports[0]["tracking"], ["KIT-TRK-1"])
        self.assertEqual(reports[0]["shipped"],
                         {self.kit_products[0].id: 2, self.kit_products[1].id: 3})

    def test_shipment_kit_applied_shipment_reports_once(self):
        picking = self._shipment_kit_setup()
        Picking = self.env["stock.picking"]
        shipment = Shipment(picking, ("KIT-TRK-A",), reference="kit-1")
        self.assertEqual(Picking._channel_apply_shipments([shipment])[0].status, APPLIED)
        self.assertEqual(Picking._channel_apply_shipments([shipment])[0].status,
                         ALREADY_APPLIED, "the same shipment twice changes nothing")
        self.assertEqual(self._shipment_kit_kinds(picking), [("done", picking.id)])
        self.assertEqual(self._shipment_kit_reports(picking)[0]["tracking"], ["KIT-TRK-A"])

    def test_shipment_kit_own_shipment_is_not_echoed(self):
        picking = self._shipment_kit_setup()
        shipment = Shipment(picking, ("KIT-OWN",),
                            source_credential=self._shipment_kit_credential())
        outcome = self.env["stock.picking"]._channel_apply_shipments([shipment])[0]
        self.assertEqual((outcome.status, picking.state), (APPLIED, "done"))
        self.assertFalse(self._shipment_kit_reports(picking),
                         "the platform is not told of the shipment it sent itself")

    def test_shipment_kit_partial_shipment(self):
        picking = self._shipment_kit_setup()
        first = self.kit_products[0]
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("KIT-PART-1",), quantities={first: 1})])[0]
        self.assertEqual(outcome.status, APPLIED, outcome.reason)
        backorder = outcome.backorder
        self.assertTrue(backorder, "what was not shipped waits in a backorder")
        self.assertEqual(backorder.backorder_id, picking)
        self.assertFalse(backorder.carrier_tracking_ref,
                         "a backorder does not inherit the first tracking number")
        reports = self._shipment_kit_reports(picking | backorder)
        self.assertEqual([(r["kind"], r["picking"]) for r in reports], [("done", picking.id)])
        self.assertEqual(reports[0]["shipped"], {first.id: 1}, "only what shipped is reported")
        self.assertEqual(reports[0]["tracking"], ["KIT-PART-1"])

    def test_shipment_kit_voided_label_then_new_label(self):
        picking = self._shipment_kit_setup()
        picking.carrier_tracking_ref = "KIT-VOID-1"
        self._shipment_kit_validate(picking)
        picking.carrier_tracking_ref = False  # label voided
        picking.carrier_tracking_ref = "KIT-VOID-2"  # its replacement
        picking.carrier_tracking_ref = "KIT-VOID-3"  # replaced in one write
        reports = self._shipment_kit_reports(picking)
        self.assertEqual([(r["kind"], r.get("numbers")) for r in reports[1:]], [
            ("tracking_removed", ["KIT-VOID-1"]),
            ("tracking_added", ["KIT-VOID-2"]),
            ("tracking_removed", ["KIT-VOID-2"]),
            ("tracking_added", ["KIT-VOID-3"]),
        ])
        self.assertEqual(reports[-1]["tracking"], ["KIT-VOID-3"])

    def test_shipment_kit_backorder_cancelled(self):
        picking = self._shipment_kit_setup()
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("KIT-BO",), quantities={self.kit_products[1]: 1})])[0]
        backorder = outcome.backorder
        backorder.action_cancel()
        self.assertEqual(self._shipment_kit_kinds(picking | backorder),
                         [("done", picking.id), ("backorder_cancelled", backorder.id)])

    def test_shipment_kit_picking_cancelled(self):
        picking = self._shipment_kit_setup()
        picking.action_cancel()
        picking.action_cancel()  # already cancelled: nothing new
        self.assertEqual(self._shipment_kit_kinds(picking), [("cancelled", picking.id)])

    def test_shipment_kit_one_write_on_many_pickings(self):
        pickings = self._shipment_kit_setup(count=4)
        self._shipment_kit_validate(pickings)
        pickings.write({"carrier_tracking_ref": "KIT-MANY"})
        reports = self._shipment_kit_reports(pickings)
        for kind in ("done", "tracking_added"):
            of_kind = [r for r in reports if r["kind"] == kind]
            self.assertEqual(sorted(r["picking"] for r in of_kind), sorted(pickings.ids))
            dispatches = {r.get("dispatch") for r in of_kind}
            self.assertEqual(len(dispatches), 1, f"one {kind} hook call for the batch")


class ShipmentOutcomeKit(ShipmentEventsKit):
    """The same scenarios for platforms that push an ORDER's live state (its tracking
    numbers, shipped quantities, cancellations) rather than one message per event: the
    events of one order coalesce into one push, so the kit asserts what the platform's
    simulator ends up holding and how many pushes it received, not what was queued.

    Hooks (besides ``_shipment_kit_credential`` and ``_shipment_kit_ready_picking``)::

        def _shipment_kit_deliver(self): ...   # run the queued jobs against the simulator
        def _shipment_kit_platform_view(self, pickings): ...  # what the simulator holds

    The view is a dict about the order of ``pickings``: ``tracking`` (sorted list of the
    live tracking numbers the platform holds), ``shipped`` ({SKU or product id: quantity
    the platform holds as shipped}), ``cancelled`` ({SKU or product id: quantity it holds
    as cancelled}) and ``pushes`` (how many pushes of the order it received). A platform
    that is not told quantities sets ``shipment_kit_reports_quantities = False`` (``shipped``
    is then not read); one that does not react to cancellations sets
    ``shipment_kit_reports_cancellations = False``: the kit then checks a cancellation
    pushes nothing and leaves the platform's view as it was.
    """

    shipment_kit_reports_quantities = True
    shipment_kit_reports_cancellations = True

    def _shipment_kit_deliver(self):
        raise NotImplementedError

    def _shipment_kit_platform_view(self, pickings):
        raise NotImplementedError

    def _shipment_kit_carrier(self):
        """The carrier the kit ships with (a platform that needs one to report Shipped
        returns it, mapped); None by default."""
        return self.env["delivery.carrier"]

    def _shipment_kit_fulfilment_credential(self):
        """Another credential (a shipping platform's) that ships the transfers and
        applies its own shipments; by default a copy of the platform's credential."""
        credential = self._shipment_kit_credential()
        return credential.copy({"name": f"{credential.name} (kit fulfilment)"})

    # ------------------------------------------------------------------ helpers

    def _shipment_kit_reports(self, pickings):
        raise AssertionError("ShipmentOutcomeKit asserts the platform's view, not reports")

    def _shipment_kit_apply(self, shipment_args, **options):
        """Apply one Shipment(*shipment_args) with the kit's carrier; its outcome."""
        shipment = Shipment(*shipment_args, carrier=self._shipment_kit_carrier() or None,
                            **options)
        outcome = self.env["stock.picking"]._channel_apply_shipments([shipment])[0]
        self.assertIn(outcome.status, (APPLIED, ALREADY_APPLIED), outcome.reason)
        return outcome

    def _shipment_kit_validate(self, pickings):
        pickings.carrier_id = self._shipment_kit_carrier()
        return super()._shipment_kit_validate(pickings)

    def _shipment_kit_view(self, pickings):
        """Deliver what is queued, then the platform's view, quantities keyed by product id."""
        self._shipment_kit_deliver()
        view = dict(self._shipment_kit_platform_view(pickings))
        for key in ("shipped", "cancelled"):
            view[key] = self._shipment_kit_by_product(view.get(key) or {})
        return view

    def _shipment_kit_by_product(self, quantities):
        ids_by_sku = {product.default_code: product.id for product in self.kit_products}
        return {ids_by_sku.get(key, key): quantity
                for key, quantity in quantities.items() if quantity}

    def _shipment_kit_quantities(self, *quantities):
        """{product id: quantity} of the kit products, in order; zeros left out."""
        return {product.id: quantity for product, quantity
                in zip(self.kit_products, quantities, strict=False) if quantity}

    def _shipment_kit_baseline(self, count=1):
        """Ready transfers, and the platform's view once what their order queued so far
        (an acknowledgement of the order) is delivered."""
        pickings = self._shipment_kit_setup(count)
        return pickings, self._shipment_kit_view(pickings)

    def _shipment_kit_assert_view(self, view, tracking, pushes, shipped=None,
                                  cancelled=None):
        self.assertEqual(view["tracking"], tracking, "the platform's live tracking numbers")
        self.assertEqual(view["pushes"], pushes, "pushes the platform received")
        if self.shipment_kit_reports_quantities and shipped is not None:
            self.assertEqual(view["shipped"], shipped, "quantities the platform holds shipped")
        if self.shipment_kit_reports_cancellations and cancelled is not None:
            self.assertEqual(view["cancelled"], cancelled, "quantities it holds cancelled")

    def _shipment_kit_expect(self, pickings, tracking, pushes, **quantities):
        """Deliver, then assert the platform's view (``_shipment_kit_assert_view``)."""
        self._shipment_kit_assert_view(self._shipment_kit_view(pickings), tracking, pushes,
                                       **quantities)

    def _shipment_kit_assert_cancellation(self, before, after, cancelled):
        """After a cancellation: the platform shows ``cancelled`` (one more push), or, if
        it does not react to cancellations, nothing was pushed and nothing changed."""
        if self.shipment_kit_reports_cancellations:
            self._shipment_kit_assert_view(after, before["tracking"], before["pushes"] + 1,
                                           shipped=before["shipped"], cancelled=cancelled)
        else:
            self.assertEqual(after, before, "a cancellation pushes nothing to this platform")

    # ------------------------------------------------------------------ tests

    def test_shipment_kit_full_shipment_with_tracking(self):
        picking, base = self._shipment_kit_baseline()
        picking.carrier_tracking_ref = "KIT-TRK-1"
        self._shipment_kit_expect(picking, base["tracking"], base["pushes"], shipped={})
        self._shipment_kit_validate(picking)
        self._shipment_kit_expect(picking, ["KIT-TRK-1"], base["pushes"] + 1,
                                  shipped=self._shipment_kit_quantities(2, 3), cancelled={})

    def test_shipment_kit_applied_shipment_reports_once(self):
        picking, base = self._shipment_kit_baseline()
        shipment = (picking, ("KIT-TRK-A",))
        self.assertEqual(self._shipment_kit_apply(shipment, reference="kit-1").status, APPLIED)
        self._shipment_kit_view(picking)
        self.assertEqual(self._shipment_kit_apply(shipment, reference="kit-1").status,
                         ALREADY_APPLIED, "the same shipment twice changes nothing")
        self._shipment_kit_expect(picking, ["KIT-TRK-A"], base["pushes"] + 1,
                                  shipped=self._shipment_kit_quantities(2, 3))

    def test_shipment_kit_own_shipment_is_not_echoed(self):
        """A shipping platform applying its own shipment is muted; the sales channel
        (this platform) still hears it."""
        picking, base = self._shipment_kit_baseline()
        fulfilment = self._shipment_kit_fulfilment_credential()
        picking.channel_credential_id = fulfilment
        outcome = self._shipment_kit_apply((picking, ("KIT-OWN",)),
                                           source_credential=fulfilment)
        self.assertEqual((outcome.status, picking.state), (APPLIED, "done"))
        self._shipment_kit_expect(picking, ["KIT-OWN"], base["pushes"] + 1,
                                  shipped=self._shipment_kit_quantities(2, 3))

    def test_shipment_kit_partial_shipment(self):
        """Only what shipped is pushed; the backorder's later shipment adds its number,
        the first one kept once, no tracking inherited by the backorder."""
        picking, base = self._shipment_kit_baseline()
        outcome = self._shipment_kit_apply((picking, ("KIT-PART-1",)),
                                           quantities={self.kit_products[0]: 1})
        backorder = outcome.backorder
        self.assertTrue(backorder, "what was not shipped waits in a backorder")
        self.assertFalse(backorder.carrier_tracking_ref)
        self._shipment_kit_expect(picking | backorder, ["KIT-PART-1"], base["pushes"] + 1,
                                  shipped=self._shipment_kit_quantities(1), cancelled={})
        rest = self._shipment_kit_apply((backorder, ("KIT-PART-2",)))
        self.assertEqual((rest.status, rest.backorder), (APPLIED, None))
        self._shipment_kit_expect(
            picking | backorder, ["KIT-PART-1", "KIT-PART-2"], base["pushes"] + 2,
            shipped=self._shipment_kit_quantities(2, 3), cancelled={})

    def test_shipment_kit_voided_label_then_new_label(self):
        """Each change of the live numbers is one push of them: the voided number is
        withdrawn (the platform holds none), then the new one is all it holds."""
        picking, base = self._shipment_kit_baseline()
        picking.carrier_tracking_ref = "KIT-VOID-1"
        self._shipment_kit_validate(picking)
        self._shipment_kit_expect(picking, ["KIT-VOID-1"], base["pushes"] + 1)
        picking.carrier_tracking_ref = False  # label voided
        self._shipment_kit_expect(picking, [], base["pushes"] + 2)
        picking.carrier_tracking_ref = "KIT-VOID-2"  # its replacement
        self._shipment_kit_expect(picking, ["KIT-VOID-2"], base["pushes"] + 3,
                                  shipped=self._shipment_kit_quantities(2, 3))

    def test_shipment_kit_backorder_cancelled(self):
        picking, base = self._shipment_kit_baseline()
        outcome = self._shipment_kit_apply((picking, ("KIT-BO",)),
                                           quantities={self.kit_products[0]: 2})
        pickings = picking | outcome.backorder
        before = self._shipment_kit_view(pickings)
        self._shipment_kit_assert_view(before, ["KIT-BO"], base["pushes"] + 1,
                                       shipped=self._shipment_kit_quantities(2), cancelled={})
        outcome.backorder.action_cancel()
        self._shipment_kit_assert_cancellation(
            before, self._shipment_kit_view(pickings), self._shipment_kit_quantities(0, 3))

    def test_shipment_kit_picking_cancelled(self):
        picking, before = self._shipment_kit_baseline()
        picking.action_cancel()
        picking.action_cancel()  # already cancelled: nothing new
        self._shipment_kit_assert_cancellation(
            before, self._shipment_kit_view(picking), self._shipment_kit_quantities(2, 3))

    def test_shipment_kit_one_write_on_many_pickings(self):
        """One write of tracking on the transfers of several orders: each order's
        platform state gets the number, in one more push each."""
        pickings = self._shipment_kit_setup(count=2)
        self._shipment_kit_validate(pickings)
        before = {picking: self._shipment_kit_view(picking) for picking in pickings}
        pickings.write({"carrier_tracking_ref": "KIT-MANY"})
        for picking in pickings:
            self._shipment_kit_expect(picking, ["KIT-MANY"], before[picking]["pushes"] + 1,
                                      shipped=self._shipment_kit_quantities(2, 3))
