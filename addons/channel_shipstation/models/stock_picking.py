import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from odoo.addons.channel_base.shipment_events import REFUSED, Shipment

from ..const import (
    CLOSED_ORDER_STATUSES,
    DELIVERY_STATUSES,
    ORDER_STATUSES,
    WEIGHT_UOM_XMLIDS,
)
from ..mapping import make_order_key

_logger = logging.getLogger(__name__)

# Picking fields whose change is pushed again to an open ShipStation order.
PUSHED_PICKING_FIELDS = {"partner_id", "carrier_id", "note", "date_deadline"}


# Set while this module itself changes pickings and moves (applying a shipment, marking
# an export): those changes come from ShipStation and must not be sent back to it.
NO_EXPORT = "shipstation_no_export"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shipstation_order_key = fields.Char(
        "ShipStation Order Key", copy=False, readonly=True, index=True,
        help="Deterministic key of the ShipStation order (resends update it). A backorder "
        "keeps its origin's key: the rest of the same ShipStation order.")
    shipstation_order_id = fields.Char("ShipStation Order ID", copy=False, readonly=True)
    shipstation_order_number = fields.Char(
        "ShipStation Order Number", copy=False, readonly=True, index=True)
    shipstation_order_status = fields.Selection(
        ORDER_STATUSES, "ShipStation Status", copy=False, readonly=True,
        help="Status of the ShipStation order as last sent or learnt from its shipments.")
    shipstation_export_pending = fields.Boolean(
        "Waiting to be Sent to ShipStation", copy=False, readonly=True, index=True)
    shipstation_export_job_id = fields.Many2one(
        "sync.job", "ShipStation Export Job", copy=False, readonly=True, ondelete="set null")
    shipstation_shipment_ids = fields.One2many(
        "shipstation.shipment", "picking_id", string="ShipStation Shipments")
    shipstation_carrier_code = fields.Char("ShipStation Carrier", copy=False, readonly=True)
    shipstation_service_code = fields.Char("ShipStation Service", copy=False, readonly=True)
    shipstation_ship_date = fields.Date("Ship Date", copy=False, readonly=True)
    shipstation_shipment_count = fields.Integer(compute="_compute_shipstation_shipment_count")
    shipstation_delivery_status = fields.Selection(
        DELIVERY_STATUSES, "Delivery Status", copy=False, readonly=True, index=True,
        help="From ShipStation's tracking events for this transfer's labels: an exception "
        "on any label shows; Delivered once every label is delivered.")
    shipstation_delivery_updated_at = fields.Datetime(
        "Delivery Status Updated", copy=False, readonly=True)

    @api.depends("shipstation_shipment_ids")
    def _compute_shipstation_shipment_count(self):
        for picking in self:
            picking.shipstation_shipment_count = len(picking.shipstation_shipment_ids)

    # ------------------------------------------------------------------ for other modules

    def _shipstation_tracking_numbers(self):
        """Tracking numbers of the live (not voided) ShipStation labels of this transfer,
        oldest first. Other connectors read this to report tracking upstream."""
        self.ensure_one()
        shipments = self.env["shipstation.shipment"].search(
            [("picking_id", "=", self.id), ("state", "!=", "voided")], order="id")
        return [tracking for tracking in shipments.mapped("tracking_number") if tracking]

    # ------------------------------------------------------------------ triggers

    def _shipstation_wants(self, trigger):
        """Whether ``trigger`` (ready, confirm, change, manual) should send this transfer.
        A transfer ShipStation refused waits for a change or a person, not for the next
        reservation."""
        self.ensure_one()
        if self.picking_type_code != "outgoing":
            return False
        sent = bool(self.shipstation_order_id)
        failed = self.channel_sync_state == "error"
        if trigger == "ready":
            return self.state == "assigned" and (
                (not sent and not failed) or self.shipstation_order_status == "on_hold")
        if trigger == "confirm":
            return not sent and not failed and self.state not in ("draft", "done", "cancel")
        if trigger == "change":
            if not sent:  # a change may be the fix of what ShipStation refused
                return failed and self.state not in ("draft", "done", "cancel")
            return (self.state != "done"
                    and self.shipstation_order_status not in CLOSED_ORDER_STATUSES)
        return self.state != "done"

    def _shipstation_request_export(self, trigger):
        """Queue the transfers that ``trigger`` concerns with the account that ships them."""
        pickings = self.filtered(lambda picking: picking._shipstation_wants(trigger))
        if not pickings:
            return {}
        Credential = self.env["integration.credential"]
        credentials = Credential._shipstation_active_credentials()
        groups = defaultdict(lambda: self.browse())
        for picking in pickings:
            credential = Credential._shipstation_credential_for(
                picking, credentials, asked=trigger == "manual")
            if not credential:
                continue
            mode = credential.shipstation_send_on
            if trigger == "ready" and not picking.shipstation_order_id and mode != "picking_ready":
                continue
            if trigger == "confirm" and mode != "order_confirm":
                continue
            groups[credential] |= picking
        return {credential: credential._shipstation_enqueue_exports(group)
                for credential, group in groups.items()}

    def write(self, vals):
        result = super().write(vals)
        if PUSHED_PICKING_FIELDS & vals.keys() and not self.env.context.get(NO_EXPORT):
            self._shipstation_request_export("change")
        return result

    def _create_backorder(self, backorder_moves=None):
        """A backorder is the rest of the same ShipStation order: it takes over the order
        key (not the tracking), and the order is pushed again with what is left."""
        backorders = super()._create_backorder(backorder_moves=backorder_moves)
        adopted = self.browse()
        for backorder in backorders:
            origin = backorder.backorder_id
            if origin.shipstation_order_id and origin.channel_credential_id:
                backorder.with_context(**{NO_EXPORT: True}).write({
                    "shipstation_order_key": origin.shipstation_order_key,
                    "shipstation_order_id": origin.shipstation_order_id,
                    "shipstation_order_number": origin.shipstation_order_number,
                    "shipstation_order_status": origin.shipstation_order_status,
                    "channel_credential_id": origin.channel_credential_id.id,
                    "channel_sync_state": "pending",
                })
                adopted |= backorder
        adopted._shipstation_request_export("change")
        return backorders

    # ------------------------------------------------------------------ buttons

    def action_shipstation_send(self):
        """Send (or resend) the selected transfers now, whatever the sending mode."""
        queued = self._shipstation_request_export("manual")
        jobs = self.env["sync.job"].union(*queued.values())
        count = len(self.filtered(lambda picking: picking.shipstation_export_job_id in jobs))
        if not count:
            raise UserError(self.env._(
                "None of these transfers can be sent: they must be outgoing, not done, and "
                "shipped by an active ShipStation account (see its warehouses and operation "
                "types)."))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": self.env._("%s transfer(s) queued for ShipStation.", count),
                       "type": "success", "sticky": False},
        }

    def action_shipstation_open_shipments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("ShipStation Shipments"),
            "res_model": "shipstation.shipment",
            "view_mode": "list,form",
            "domain": [("picking_id", "=", self.id)],
        }

    # ------------------------------------------------------------------ export

    def _shipstation_skip_reason(self, credential):
        """Why this transfer is not sent now, or None."""
        self.ensure_one()
        if self.state == "done":
            return self.env._("The transfer is done; nothing to send.")
        if self.state == "draft":
            return self.env._("Draft transfers are not sent.")
        if self.state == "cancel" and not self.shipstation_order_id:
            return self.env._("Cancelled before it was sent to ShipStation.")
        if self.shipstation_order_status in CLOSED_ORDER_STATUSES:
            return self.env._(
                "The ShipStation order %(order)s is %(status)s and no longer accepts updates; "
                "this change was not sent.",
                order=self.shipstation_order_number or self.shipstation_order_key,
                status=self.shipstation_order_status)
        if not credential._shipstation_accepts(self):
            return self.env._("Not an outgoing transfer of ShipStation account %s.",
                              credential.name)
        return None

    def _shipstation_order_number(self):
        """The source channel's order id when the sale came from a channel (e.g. the IQ
        Reseller order id), else the sale order name."""
        self.ensure_one()
        sale = self.sale_id
        if sale and sale.channel_credential_id:
            return sale._channel_order_number()
        return sale.name if sale else self.name

    def _shipstation_status_to_send(self):
        if self.state == "cancel":
            return "cancelled"
        if self.state == "assigned":
            return "awaiting_shipment"
        return "on_hold"  # sent on confirmation, goods not reserved yet

    def _shipstation_order_values(self, credential, database_uuid):
        """Plain values for ``mapping.order_payload``. Raises UserError on missing data."""
        self.ensure_one()
        ship_partner = self.partner_id
        if not ship_partner:
            raise UserError(self.env._("%s has no delivery address.", self.name))
        sale = self.sale_id
        bill_partner = sale.partner_invoice_id or ship_partner.commercial_partner_id
        units = credential.shipstation_weight_unit or "ounces"
        weight_uom = self.env["product.template"]._get_weight_uom_id_from_ir_config_parameter()
        target_uom = self.env.ref(WEIGHT_UOM_XMLIDS[units])
        moves = self.move_ids if self.state == "cancel" else self.move_ids.filtered(
            lambda move: move.state != "cancel")
        lines = [move._shipstation_line_values(weight_uom, target_uom) for move in moves]
        # An unmapped carrier is sent as its name only (requestedShippingService).
        codes = self.env["channel.carrier.map"]._platform_codes(
            credential, self.carrier_id, required=False)
        return {
            "order_key": self.shipstation_order_key or make_order_key(database_uuid, self.id),
            "order_id": self.shipstation_order_id,
            "order_number": self._shipstation_order_number(),
            "order_date": sale.date_order or self.create_date,
            "ship_by_date": self.date_deadline,
            "status": self._shipstation_status_to_send(),
            "customer_email": ship_partner.email or bill_partner.email,
            "bill_to": bill_partner._shipstation_address(),
            "ship_to": ship_partner._shipstation_address(),
            "lines": lines,
            "total_weight": sum(line["unit_weight"] * line["quantity"] for line in lines),
            "weight_units": units,
            "internal_notes": html2plaintext(self.note) if self.note else None,
            "requested_service": self.carrier_id.name or None,
            "carrier_code": codes.carrier_code or None,
            "service_code": codes.service_code or None,
            "store_id": credential.shipstation_store_id,
            "custom_field1": self.name,
            "custom_field2": sale.name if sale else self.origin,
        }

    def _shipstation_mark_sent(self, credential, payload, order_id):
        self.ensure_one()
        key = payload["orderKey"]
        vals = {
            "shipstation_order_key": key,
            "shipstation_order_id": str(order_id) if order_id else self.shipstation_order_id,
            "shipstation_order_number": payload["orderNumber"],
            "shipstation_order_status": payload["orderStatus"],
            "channel_credential_id": credential.id,
            "channel_sync_state": "synced",
            "channel_last_sync_at": fields.Datetime.now(),
            "channel_last_error": False,
        }
        if self.backorder_id.shipstation_order_key != key:
            vals["channel_external_id"] = key  # the transfer that created the order owns it
        self.with_context(**{NO_EXPORT: True}).write(vals)

    def _shipstation_mark_failed(self, message):
        for picking in self:
            picking._channel_mark_error(message)
            picking.message_post(
                body=self.env._("ShipStation: the order was not sent. %s", message))

    def _shipstation_mark_skipped(self, reason):
        self.ensure_one()
        if self.shipstation_order_status in CLOSED_ORDER_STATUSES and self.state != "done":
            # A change that will not reach the warehouse: someone has to look at it.
            self._channel_mark_error(reason, state="flagged")
            self.message_post(body=reason)
            return
        self.write({"channel_sync_state": "synced" if self.shipstation_order_id else False})

    # ------------------------------------------------------------------ shipments in

    @api.model
    def _shipstation_find_for_shipment(self, credential, info):
        """(transfer, refusal): the transfer a shipment belongs to, by orderKey (the open one
        of a backorder chain, else the latest), else by an unambiguous orderNumber, but only
        for a shipment of the account's own store (``refusal`` says why not)."""
        domain = [("channel_credential_id", "=", credential.id)]
        if info.order_key:
            pickings = self.search(domain + [("shipstation_order_key", "=", info.order_key)],
                                   order="id")
            if pickings:
                still_open = pickings.filtered(lambda p: p.state not in ("done", "cancel"))
                return still_open[:1] or pickings[-1:], None
        if not info.order_number:
            return self.browse(), None
        pickings = self.search(
            domain + [("shipstation_order_number", "=", info.order_number)], order="id")
        still_open = pickings.filtered(lambda p: p.state not in ("done", "cancel"))
        if len(still_open) == 1:
            candidate = still_open
        elif not still_open and len(pickings) == 1:
            candidate = pickings
        else:
            return self.browse(), None
        refusal = credential._shipstation_store_refusal(info)
        if refusal:
            return self.browse(), refusal
        return candidate, None

    @api.model
    def _shipstation_match_shipments(self, credential, shipments):
        """({transfer: [Shipment]}, [(Shipment, raw, refusal)] unmatched) of
        ``[(Shipment, raw)]``: the packages of one order go together; orderKeys are looked
        up in one query, order numbers (rare) one by one."""
        groups = defaultdict(list)
        for info, raw in shipments:
            groups[info.order_key or info.order_number or info.shipment_id].append((info, raw))
        by_key = self._shipstation_open_by_order_key(
            credential, [group[0][0].order_key for group in groups.values()])
        matched, unmatched = defaultdict(list), []
        for group in groups.values():
            first = group[0][0]
            picking, refusal = by_key.get(first.order_key), None
            if not picking:
                picking, refusal = self._shipstation_find_for_shipment(credential, first)
            if not picking:
                unmatched += [(info, raw, refusal) for info, raw in group]
                continue
            matched[picking] += [info for info, _raw in group]
        return dict(matched), unmatched

    @api.model
    def _shipstation_open_by_order_key(self, credential, order_keys):
        """{orderKey: the open transfer of its backorder chain, else the latest}."""
        latest, still_open = {}, {}
        for picking in self.search([("channel_credential_id", "=", credential.id),
                                    ("shipstation_order_key", "in", [k for k in order_keys if k])],
                                   order="id"):
            key = picking.shipstation_order_key
            latest[key] = picking
            if picking.state not in ("done", "cancel"):
                still_open.setdefault(key, picking)
        return dict(latest, **still_open)

    @api.model
    def _shipstation_take_labels(self, credential, labels, rows):
        """Apply the new labels ``{transfer: [Shipment]}`` (their ``rows``, the
        shipstation.shipment records): carrier and service codes written, then every
        transfer shipped or given its tracking in ONE ``_channel_apply_shipments`` call
        (the sales channel hears it, ShipStation does not), then ShipStation's own
        bookkeeping per outcome."""
        rows_of = defaultdict(lambda: rows.browse())
        for row in rows:
            rows_of[row.picking_id] |= row
        self._shipstation_write_label_codes(labels)
        carriers, plans = {}, []
        for picking, infos in labels.items():
            last = infos[-1]
            code = (last.carrier_code, last.service_code)
            if code not in carriers:
                carriers[code] = self.env["channel.carrier.map"]._odoo_carrier(credential, *code)
            plan = picking._shipstation_plan(credential, infos, rows_of[picking], carriers[code])
            if plan:
                plans.append(plan)
        outcomes = self.with_context(**{NO_EXPORT: True})._channel_apply_shipments(
            [shipment for shipment, _unmatched in plans])
        self._shipstation_record_outcomes(
            zip(outcomes, (unmatched for _shipment, unmatched in plans), strict=True), rows_of)

    @api.model
    def _shipstation_write_label_codes(self, labels):
        """ShipStation's carrier, service and ship date of each transfer's last label, one
        write per distinct value (a run of labels usually shares them)."""
        pickings_of = defaultdict(lambda: self.browse())
        for picking, infos in labels.items():
            last = infos[-1]
            pickings_of[(last.carrier_code, last.service_code, last.ship_date)] |= picking
        for (carrier_code, service_code, ship_date), pickings in pickings_of.items():
            pickings.with_context(**{NO_EXPORT: True}).write({
                "shipstation_carrier_code": carrier_code,
                "shipstation_service_code": service_code,
                "shipstation_ship_date": ship_date,
            })

    def _shipstation_plan(self, credential, infos, rows, carrier):
        """(``shipment_events.Shipment``, unmatched items) to apply, or None when the
        labels are handled here (cancelled transfer, extra package, no item on it)."""
        self.ensure_one()
        label = self._shipstation_label_text(rows)
        if self.state == "cancel":
            self._shipstation_flag_shipment(rows, self.env._(
                "ShipStation shipped %s for this cancelled transfer.", label))
            return None
        covering = [info for info in infos if info.items is None or info.items]
        quantities, unmatched = None, []
        if self.state != "done":
            if not covering:
                self._shipstation_keep_tracking(carrier)
                self.message_post(body=self.env._("ShipStation package added: %s.", label))
                return None
            items = None if any(info.items is None for info in covering) else [
                item for info in covering for item in info.items]
            quantities, unmatched = self._shipstation_shipped_quantities(items)
            if not quantities:
                self._shipstation_flag_shipment(rows, self.env._(
                    "ShipStation shipped %(label)s but none of its items (%(items)s) is on "
                    "this transfer.", label=label, items="; ".join(rows.mapped("item_summary"))))
                return None
        numbers = tuple(info.tracking_number for info in infos if info.tracking_number)
        return Shipment(self, numbers, carrier=carrier or None, quantities=quantities,
                        source_credential=credential, reference=infos[0].shipment_id), unmatched

    @api.model
    def _shipstation_record_outcomes(self, results, rows_of):
        """ShipStation's bookkeeping of each applied, known or refused label; ``results``:
        (outcome, items not on the transfer) pairs."""
        shipped, logs = self.browse(), {}
        for outcome, unmatched in results:
            picking = outcome.shipment.picking
            rows, label = rows_of[picking], picking._shipstation_label_text(rows_of[picking])
            if outcome.status == REFUSED:
                picking._shipstation_flag_shipment(rows, self.env._(
                    "ShipStation shipped %(label)s but the transfer could not be validated: "
                    "%(error)s", label=label, error=outcome.reason))
            elif outcome.shipment.quantities is None:  # a label added to a done transfer
                logs[picking.id] = picking._shipstation_label_on_done(rows, label)
            else:
                shipped |= picking if not outcome.backorder else self.browse()
                logs[picking.id] = picking._shipstation_shipped_text(label, unmatched)
        shipped.with_context(**{NO_EXPORT: True}).write({"shipstation_order_status": "shipped"})
        if logs:
            self.browse(list(logs))._message_log_batch(bodies=logs)

    def _shipstation_shipped_text(self, label, unmatched):
        message = self.env._("Shipped through ShipStation: %s.", label)
        if unmatched:
            message += " " + self.env._("Items not on this transfer: %s.", ", ".join(
                f"{item.quantity:g} x {item.sku or item.line_item_key}" for item in unmatched))
        return message

    def _shipstation_label_text(self, shipments):
        first = shipments[:1]
        parts = [", ".join(t or self.env._("(no tracking number)")
                           for t in shipments.mapped(lambda s: s.tracking_number))]
        service = " / ".join(code for code in (first.carrier_code, first.service_code) if code)
        if service:
            parts.append(f"({service})")
        if first.ship_date:
            parts.append(self.env._("on %s", first.ship_date))
        return " ".join(parts)

    def _shipstation_label_on_done(self, shipments, label):
        """The message of another label on a done transfer; a replacement label of a
        flagged (voided) one clears the flag."""
        if self.channel_sync_state == "flagged" and any(shipments.mapped("covers_goods")):
            self.with_context(**{NO_EXPORT: True}).write({
                "channel_sync_state": "synced", "channel_last_error": False,
                "shipstation_order_status": "shipped"})
            return self.env._("Replacement ShipStation label %s.", label)
        return self.env._("Another ShipStation label for this transfer: %s.", label)

    def _shipstation_keep_tracking(self, carrier=None):
        """Tracking of every live label (and the carrier) on a transfer we do not
        validate: not an event while it is open, so written directly."""
        vals = {"carrier_tracking_ref": ",".join(self._shipstation_tracking_numbers()) or False}
        if carrier:
            vals["carrier_id"] = carrier.id
        self.with_context(**{NO_EXPORT: True}).write(vals)

    def _shipstation_flag_shipment(self, shipments, message):
        shipments.write({"state": "error", "note": message})
        if self.state not in ("done", "cancel"):
            self._shipstation_keep_tracking()
        self._channel_mark_error(message, state="flagged")
        self.message_post(body=message)
        _logger.warning("ShipStation shipments %s on %s: %s",
                        ", ".join(shipments.mapped("shipment_ref")), self.name, message)

    def _shipstation_shipped_quantities(self, items):
        """({move: quantity in the move's unit}, [unmatched items]) of a label. Items are
        matched by lineItemKey (our move id), else by SKU (a backorder's moves are new)."""
        moves = self.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        if items is None:
            return {move: move.product_uom_qty for move in moves}, []
        by_key = {str(move.id): move for move in moves}
        quantities, unmatched = defaultdict(float), []
        for item in items:
            move = by_key.get(item.line_item_key) or self._shipstation_move_by_sku(
                moves, item.sku, quantities)
            if not move:
                unmatched.append(item)
                continue
            quantities[move] += move.product_id.uom_id._compute_quantity(
                item.quantity, move.product_uom)
        return dict(quantities), unmatched

    @staticmethod
    def _shipstation_move_by_sku(moves, sku, taken):
        if not sku:
            return None
        candidates = moves.filtered(lambda move: move.product_id.default_code == sku)
        return next((move for move in candidates if move.product_uom_qty > taken[move]),
                    candidates[:1] or None)

    def _shipstation_apply_void(self, shipment):
        """A voided label: its tracking number goes; if it covered goods of a transfer
        already done, the transfer is flagged for a person (we do not un-ship stock)."""
        self.ensure_one()
        self.with_context(**{NO_EXPORT: True}).write(
            {"carrier_tracking_ref": ",".join(self._shipstation_tracking_numbers()) or False})
        label = shipment.tracking_number or shipment.shipment_ref
        if not (shipment.covers_goods and self.state == "done"):
            self.message_post(body=self.env._(
                "ShipStation label %s was voided; its tracking number was removed.", label))
            return
        message = self.env._(
            "ShipStation label %s was voided after this transfer was validated: the goods "
            "it covered have probably not left. ShipStation reopened the order; a "
            "replacement label will be added here. Otherwise check the stock and return "
            "the goods.", label)
        self.with_context(**{NO_EXPORT: True}).write(
            {"shipstation_order_status": "awaiting_shipment"})
        self._channel_mark_error(message, state="flagged")
        self.message_post(body=message)
        responsible = self.user_id or self.sale_id.user_id or self.env.user
        self.activity_schedule("mail.mail_activity_data_warning", note=message,
                               user_id=responsible.id)
