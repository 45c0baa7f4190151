import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from ..shipment_events import (
    ALREADY_APPLIED,
    APPLIED,
    MUTED_CREDENTIALS,
    REFUSED,
    ShipmentOutcome,
    join_tracking_refs,
    split_tracking_refs,
)

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    """Applying inbound shipments (labels, fulfilments) to outgoing transfers in batch."""

    _inherit = "stock.picking"

    @api.model
    def _channel_apply_shipments(self, shipments):
        """Apply ``shipments`` (a list of ``shipment_events.Shipment``): tracking, carrier,
        ship date, and every shipment of an open transfer validated in ONE batch (what is
        not shipped goes to a backorder). Returns one ``ShipmentOutcome`` per shipment, in
        order. A shipment is applied whole or not at all; applying it again changes
        nothing (ALREADY_APPLIED). Its source credential hears none of the events."""
        outcomes = [None] * len(shipments)
        planned = defaultdict(list)  # source credential id -> [(index, quantities)]
        seen = {}
        for index, shipment in enumerate(shipments):
            outcome, quantities = self._channel_plan_shipment(shipment, seen)
            if outcome:
                outcomes[index] = outcome
            else:
                source = shipment.source_credential
                planned[source.id if source else False].append((index, quantities))
        muted = list(self.env.context.get(MUTED_CREDENTIALS, ()))
        for source_id, items in planned.items():
            applier = self.with_context(
                **{MUTED_CREDENTIALS: muted + [source_id] if source_id else muted})
            applier._channel_apply_planned(shipments, items, outcomes)
        return outcomes

    @api.model
    def _channel_plan_shipment(self, shipment, seen):
        """(refusal or no-op outcome, None) or (None, quantities): quantities is
        {move: quantity} to validate an open transfer, or None to add tracking to a done
        one."""
        picking = shipment.picking
        numbers = list(shipment.tracking_numbers)

        def outcome(status, reason=""):
            return ShipmentOutcome(shipment, status, reason), None

        if picking.id in seen:
            if seen[picking.id] == numbers:
                return outcome(ALREADY_APPLIED)
            return outcome(REFUSED, self.env._(
                "Another shipment of %s is in this batch; apply this one in the next batch "
                "(to its backorder).", picking.display_name))
        seen[picking.id] = numbers
        if picking.picking_type_code != "outgoing":
            return outcome(REFUSED, self.env._("%s is not a delivery.", picking.display_name))
        if picking.state == "cancel":
            return outcome(REFUSED, self.env._("%s is cancelled.", picking.display_name))
        if picking.state == "done":
            known = split_tracking_refs(picking.carrier_tracking_ref)
            if all(number in known for number in numbers):
                return outcome(ALREADY_APPLIED)
            return None, None
        quantities, refusal = picking._channel_shipped_quantities(shipment.quantities)
        if refusal:
            return outcome(REFUSED, refusal)
        return None, quantities

    def _channel_shipped_quantities(self, shipped):
        """({move: quantity in the move's unit}, refusal) of a shipment on this open
        transfer; ``shipped`` None ships every open move whole."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        if shipped is None:
            return {move: move.product_uom_qty for move in moves}, None
        quantities = defaultdict(float)
        for key, quantity in shipped.items():
            refusal = self._channel_spread_quantity(moves, key, quantity, quantities)
            if refusal:
                return None, refusal
        if all(float_is_zero(q, precision_rounding=m.product_uom.rounding)
               for m, q in quantities.items()):
            return None, self.env._("The shipment ships nothing of %s.", self.display_name)
        return dict(quantities), None

    def _channel_spread_quantity(self, moves, key, quantity, quantities):
        """Add ``quantity`` of ``key`` (a move, or a product in its unit) to
        ``quantities``, filling its moves in order; returns a refusal, or None."""
        candidates = moves & key if key._name == "stock.move" else moves.filtered(
            lambda move: move.product_id == key)
        if not candidates:
            return self.env._("%(item)s is not open on %(picking)s.",
                              item=key.display_name, picking=self.display_name)
        left = quantity
        for move in candidates:
            unit = key.uom_id if key._name == "product.product" else move.product_uom
            wanted = unit._compute_quantity(left, move.product_uom)
            taken = min(wanted, move.product_uom_qty - quantities[move])
            quantities[move] += taken
            left -= move.product_uom._compute_quantity(taken, unit)
        if float_compare(left, 0, precision_rounding=candidates[:1].product_uom.rounding) > 0:
            return self.env._("The shipment ships more %(item)s than %(picking)s holds.",
                              item=key.display_name, picking=self.display_name)
        return None

    @api.model
    def _channel_apply_planned(self, shipments, items, outcomes):
        to_validate = []
        for index, quantities in items:
            if quantities is None:  # an extra label on a done transfer
                shipments[index].picking._channel_take_tracking(shipments[index])
                outcomes[index] = ShipmentOutcome(shipments[index], APPLIED)
            else:
                to_validate.append((shipments[index], quantities, index))
        if len(to_validate) > 1:
            try:
                with self.env.cr.savepoint():
                    self._channel_validate_shipments(to_validate, outcomes)
                return
            except (UserError, ValidationError) as error:
                _logger.info("Batch shipment validation failed (%s); one by one", error)
                self.env.invalidate_all()
        for item in to_validate:
            try:
                with self.env.cr.savepoint():
                    self._channel_validate_shipments([item], outcomes)
            except (UserError, ValidationError) as error:
                outcomes[item[2]] = ShipmentOutcome(item[0], REFUSED, self.env._(
                    "%(picking)s could not be validated: %(error)s",
                    picking=item[0].picking.display_name,
                    error=error.args[0] if error.args else error))

    @api.model
    def _channel_validate_shipments(self, items, outcomes):
        """Take each shipment on its transfer, then validate them all in one call."""
        pickings = self.browse()
        for shipment, quantities, _index in items:
            shipment.picking._channel_take_tracking(shipment)
            shipment.picking._channel_set_shipped_quantities(quantities)
            pickings |= shipment.picking
        result = pickings.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=[], skip_sms=True,
            skip_expired=True,
        ).button_validate()
        if result is not True:
            decision = (result or {}).get("name") or (result or {}).get("res_model")
            raise UserError(self.env._("Odoo asks for a decision to validate (%s).", decision))
        for shipment, quantities, index in items:
            outcomes[index] = shipment.picking._channel_shipment_validated(shipment, quantities)

    def _channel_take_tracking(self, shipment):
        """Add the shipment's tracking numbers (kept in order, no duplicates) and carrier."""
        self.ensure_one()
        numbers = split_tracking_refs(self.carrier_tracking_ref)
        numbers += [n for n in shipment.tracking_numbers if n and n not in numbers]
        vals = {"carrier_tracking_ref": join_tracking_refs(numbers)}
        if shipment.carrier:
            vals["carrier_id"] = shipment.carrier.id
        self.write(vals)

    def _channel_set_shipped_quantities(self, quantities):
        shipped, left = self.env["stock.move"], self.env["stock.move"]
        for move in self.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            quantity = quantities.get(move, 0.0)
            if float_compare(move.quantity, quantity,
                             precision_rounding=move.product_uom.rounding):
                move.quantity = quantity
            if float_is_zero(quantity, precision_rounding=move.product_uom.rounding):
                left |= move
            else:
                shipped |= move
        shipped.picked = True
        left.picked = False

    def _channel_shipment_validated(self, shipment, quantities):
        self.ensure_one()
        if shipment.ship_date:
            self.date_done = fields.Datetime.to_datetime(shipment.ship_date)
        backorder = self.backorder_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel"))[-1:]
        return ShipmentOutcome(shipment, APPLIED, backorder=backorder or None,
                               moves=quantities)
