from odoo import Command, _, api, fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import mapping
from ..const import OPERATION_TRACKING, PLATFORM


class SaleOrder(models.Model):
    _inherit = "sale.order"

    iqr_so_number = fields.Char("IQR Order Number", copy=False, readonly=True, index=True)
    iqr_status = fields.Char("IQR Status", copy=False, readonly=True)
    iqr_sale_date = fields.Datetime("IQR Sale Date", copy=False, readonly=True)
    iqr_fingerprint = fields.Char("IQR Content Hash", copy=False, readonly=True)
    iqr_channel_field = fields.Char(
        "IQR Channel Field", copy=False, readonly=True,
        help="The IQR field in which the agent channel was found.",
    )
    iqr_tracking_sent = fields.Json(
        "Shipments Sent to IQR", copy=False, readonly=True,
        help="Every shipment written to IQ Reseller; later shipments are appended to it.",
    )
    iqr_tracking_numbers = fields.Char("Tracking Sent to IQR", copy=False, readonly=True)
    iqr_tracking_sent_at = fields.Datetime("Tracking Sent At", copy=False, readonly=True)

    def _prepare_confirmation_values(self):
        # Confirming stamps "now" as the order date; an IQR order keeps its sale date.
        values = super()._prepare_confirmation_values()
        if self and all(order.iqr_sale_date for order in self):
            values.pop("date_order", None)
        return values

    # ------------------------------------------------------------------ import

    @api.model
    def _iqr_bound_orders(self, credential, soids):
        orders = self.search([
            ("channel_credential_id", "=", credential.id), ("channel_external_id", "in", soids),
        ])
        return {order.channel_external_id: order for order in orders}

    @api.model
    def _iqr_import(self, credential, so, fingerprint=None):
        """Create, update, or leave alone the sale order of one IQR SO."""
        fingerprint = fingerprint or mapping.order_fingerprint(so)
        soid = mapping.order_id(so)
        order = self._iqr_bound_orders(credential, [soid]).get(soid)
        if order and order.iqr_fingerprint == fingerprint:
            order._iqr_note_status(credential, so.get("status"))
            return {"unchanged": soid}
        header, lines, problems = self._iqr_prepare(credential, so)
        if not order:
            return self._iqr_create(credential, so, header, lines, problems, fingerprint)
        return order._iqr_update(credential, so, header, lines, problems, fingerprint)

    @api.model
    def _iqr_prepare(self, credential, so):
        """(header values, line values, address problems); raises PermanentError with the
        IQR order number for anything that stops the import (unknown SKU, bad data)."""
        label = mapping.order_label(so)
        try:
            sale_date = mapping.parse_sale_date(so, credential._iqr_timezone())
            lines = mapping.order_lines_from_so(so)
        except mapping.OrderDataError as error:
            raise PermanentError(str(error)) from None
        helper = self.env["channel.mapping"]
        try:
            products = helper._require_products_by_sku([line["sku"] for line in lines],
                                                       credential)
        except PermanentError as error:
            raise PermanentError(f"IQR {label}: {error.message}") from None
        default_country = credential.company_id.country_id.code or "US"
        address = mapping.address_from_so(so, default_country)
        match = helper._find_or_create_partner(address)
        # An address the carrier cannot use must not reach the warehouse; a bad phone can.
        country, country_problem = helper._resolve_country(address["country"])
        state_problem = helper._resolve_state(country, address["state"])[1] if country else None
        problems = list(match.warnings)
        blocking = bool(country_problem or state_problem)
        order_filter = credential._iqr_order_filter()
        header = {
            "partner_id": match.partner.id,
            "partner_invoice_id": match.partner.id,
            "partner_shipping_id": match.shipping.id,
            "client_order_ref": str(so.get("clientponumber") or "").strip() or False,
            "origin": f"IQR {so.get('so') or mapping.order_id(so)}",
            "date_order": sale_date,
            "iqr_so_number": str(so.get("so") or ""),
            "iqr_status": str(so.get("status") or "").strip(),
            "iqr_sale_date": sale_date,
            "iqr_channel_field": mapping.channel_field_found(
                so, order_filter.channel_field, order_filter.channel_value) or False,
        }
        line_values = [{
            "product_id": products[line["sku"]].id,
            "product_uom_qty": line["quantity"],
            "price_unit": line["price_unit"],
            "iqr_detail_id": line["detail_id"],
            **({"name": line["description"]} if line["description"] else {}),
        } for line in lines]
        return header, line_values, {"messages": problems, "blocking": bool(blocking)}

    @api.model
    def _iqr_create(self, credential, so, header, lines, problems, fingerprint):
        soid = mapping.order_id(so)
        order = self.create(dict(
            header,
            company_id=credential.company_id.id,
            channel_credential_id=credential.id,
            channel_external_id=soid,
            channel_external_ref=str(so.get("so") or ""),
            channel_sync_state="synced",
            channel_last_sync_at=fields.Datetime.now(),
            iqr_fingerprint=fingerprint,
            order_line=[Command.create(line) for line in lines],
        ))
        order._iqr_record_problems(problems)
        if credential.iqr_auto_confirm and not problems["blocking"]:
            order.action_confirm()
        return {"created": soid, "order": order.name}

    def _iqr_update(self, credential, so, header, lines, problems, fingerprint):
        self.ensure_one()
        soid = mapping.order_id(so)
        if self.state == "cancel" or self._iqr_has_shipped():
            self.iqr_fingerprint = fingerprint  # flag each change once, not every poll
            self._iqr_flag(_(
                "IQ Reseller order %(number)s changed after it was %(what)s in Odoo; "
                "the changes were not applied.",
                number=self.iqr_so_number,
                what=_("cancelled") if self.state == "cancel" else _("shipped")))
            return {"flagged": soid}
        if self.state in ("draft", "sent"):
            self.write(dict(header, order_line=[Command.clear()]
                            + [Command.create(line) for line in lines]))
        else:
            self._iqr_update_confirmed(header, lines)
        self.write({
            "iqr_fingerprint": fingerprint,
            "channel_sync_state": "synced",
            "channel_last_error": False,
            "channel_last_sync_at": fields.Datetime.now(),
        })
        self.message_post(body=_("Updated from IQ Reseller order %s.", self.iqr_so_number))
        self._iqr_record_problems(problems)
        if credential.iqr_auto_confirm and self.state in ("draft", "sent") \
                and not problems["blocking"]:
            self.action_confirm()
        return {"updated": soid, "order": self.name}

    def _iqr_update_confirmed(self, header, lines):
        """Confirmed and unshipped: lines matched on the IQR line id; a removed line is set
        to zero (Odoo keeps confirmed lines), and the delivery follows the quantities."""
        kept = {key: header[key] for key in (
            "partner_shipping_id", "client_order_ref", "origin", "iqr_so_number", "iqr_status",
            "iqr_sale_date", "iqr_channel_field")}
        self.with_context(update_delivery_shipping_partner=True).write(kept)
        existing = {(line.iqr_detail_id, line.product_id.id): line
                    for line in self.order_line if line.iqr_detail_id}
        commands = []
        for values in lines:
            line = existing.pop((values["iqr_detail_id"], values["product_id"]), None)
            if line is None:
                commands.append(Command.create(values))
            elif (line.product_uom_qty, line.price_unit) != (values["product_uom_qty"],
                                                             values["price_unit"]):
                commands.append(Command.update(line.id, {
                    "product_uom_qty": values["product_uom_qty"],
                    "price_unit": values["price_unit"],
                }))
        commands += [Command.update(line.id, {"product_uom_qty": 0})
                     for line in existing.values() if line.product_uom_qty]
        if commands:
            self.write({"order_line": commands})

    def _iqr_has_shipped(self):
        return any(picking.state == "done" and picking.picking_type_code == "outgoing"
                   for picking in self.picking_ids)

    def _iqr_record_problems(self, problems):
        if not problems["messages"]:
            return
        message = _("Address problems in IQ Reseller order %(number)s: %(problems)s",
                    number=self.iqr_so_number, problems="; ".join(problems["messages"]))
        if problems["blocking"]:
            message += " " + _("The order is left unconfirmed until the address is fixed.")
        self._channel_mark_error(message)
        self.message_post(body=message)

    def _iqr_flag(self, message):
        self._channel_mark_error(message, state="flagged")
        self.message_post(body=message)

    def _iqr_note_status(self, credential, status):
        """Record the IQR status; flag an unshipped order whose status left the import
        filter (voided, closed...). Returns 1 when it flagged the order."""
        self.ensure_one()
        status = str(status or "").strip()
        if not status or status == self.iqr_status:
            return 0
        self.iqr_status = status
        statuses = mapping.parse_status_list(credential.iqr_status_filter)
        if not statuses or status.lower() in statuses or self.state == "cancel" \
                or self.delivery_status == "full":
            return 0
        self._iqr_flag(_(
            "IQ Reseller order %(number)s is now '%(status)s', outside the import filter; "
            "check whether it should still ship.", number=self.iqr_so_number, status=status))
        return 1

    # ------------------------------------------------------------------ tracking

    def _iqr_enqueue_tracking(self):
        for order in self.filtered(lambda o: o.channel_credential_id.platform == PLATFORM):
            order.channel_credential_id._enqueue_job(
                OPERATION_TRACKING, record=order,
                name=_("Send tracking of %s to IQ Reseller", order.name),
                dedup_key=f"{OPERATION_TRACKING}:{order.id}",
            )

    def _iqr_shipments(self, credential):
        """Done outgoing deliveries with tracking, oldest first, as plain dicts."""
        timezone = credential.source_timezone or "UTC"
        pickings = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            and p.carrier_tracking_ref
        ).sorted(lambda p: (p.date_done or fields.Datetime.now(), p.id))
        return [{
            "picking": picking.name,
            "numbers": mapping.split_tracking_numbers(picking.carrier_tracking_ref),
            "carrier": picking._iqr_carrier_name(),
            "service": picking._iqr_service_name(),
            "ship_date": mapping.format_ship_date(picking._iqr_ship_date(), timezone),
        } for picking in pickings]

    def _iqr_push_tracking(self, credential, client):
        """Write every shipment so far to IQR when one is new: the fields hold all tracking
        numbers, so a later shipment appends to what the first one wrote."""
        self.ensure_one()
        field_map = credential._iqr_tracking_field_map()
        if self.iqr_channel_field and self.iqr_channel_field in field_map.values():
            raise PermanentError(_(
                "The agent channel of IQR order %(number)s is in %(field)s, which is "
                "configured to receive tracking; choose other tracking fields.",
                number=self.iqr_so_number, field=self.iqr_channel_field))
        sent = list(self.iqr_tracking_sent or [])
        sent_numbers = [number for shipment in sent for number in shipment["numbers"]]
        fresh = mapping.new_shipments(self._iqr_shipments(credential), sent_numbers)
        if not fresh:
            return {"sent": []}
        for shipment in fresh:
            shipment["numbers"] = [n for n in shipment["numbers"] if n not in sent_numbers]
        shipments = sent + fresh
        try:
            soid = int(self.channel_external_id)
        except (TypeError, ValueError):
            raise PermanentError(_("IQR soid %r is not a number.",
                                   self.channel_external_id)) from None
        entry = mapping.tracking_entry(soid, shipments, field_map,
                                       credential.iqr_last_updated_by)
        client.write_tracking(entry)
        new_numbers = [number for shipment in fresh for number in shipment["numbers"]]
        self.write({
            "iqr_tracking_sent": shipments,
            "iqr_tracking_numbers": mapping.join_unique(
                number for shipment in shipments for number in shipment["numbers"]),
            "iqr_tracking_sent_at": fields.Datetime.now(),
        })
        if self.channel_sync_state != "flagged":
            self._channel_mark_synced()
        self.message_post(body=_("Tracking sent to IQ Reseller: %s",
                                 ", ".join(new_numbers)))
        return {"sent": new_numbers, "soid": soid}

    def action_iqr_send_tracking(self):
        self._iqr_enqueue_tracking()
        return True


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    iqr_detail_id = fields.Char("IQR Line ID", copy=False, readonly=True)
