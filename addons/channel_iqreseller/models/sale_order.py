from odoo import Command, api, fields, models
from odoo.exceptions import UserError

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

    def _channel_order_number(self):
        # IQR users and the warehouse know an order by its SO number (38000); the internal
        # soid (1802) stays the external id that updates to IQR are keyed on.
        self.ensure_one()
        credential = self.channel_credential_id
        if credential.platform == PLATFORM and self.iqr_so_number \
                and credential.iqr_order_number_source == "so":
            return self.iqr_so_number
        return super()._channel_order_number()

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
        """Create, update, or leave alone the sale order of one IQR SO; raises
        PermanentError with the IQR order number for anything that stops the import."""
        fingerprint = fingerprint or mapping.order_fingerprint(
            so, credential._iqr_shipped_statuses())
        soid = mapping.order_id(so)
        order = self._iqr_bound_orders(credential, [soid]).get(soid)
        if order and order.iqr_fingerprint == fingerprint:
            order._iqr_note_status(credential, so.get("status"))
            return {"unchanged": soid}
        parsed, products, errors = self._iqr_parse_orders(credential, [(so, fingerprint)])
        if errors:
            raise PermanentError(errors[0][2])
        try:
            if not order:
                created = self._iqr_create_orders(credential, parsed, products)
                return {"created": soid, "order": created.name}
            header, lines, problems = self._iqr_order_values(credential, parsed, products)[0]
            return order._iqr_update(credential, so, header, lines, problems, fingerprint)
        except UserError as error:
            # Odoo's own refusal (company rules, a constraint) does not say which order.
            raise PermanentError(f"IQR {mapping.order_label(so)}: {error.args[0]}") from None

    @api.model
    def _iqr_parse_orders(self, credential, entries):
        """Check (SO, fingerprint) pairs before anything is written. Returns the
        ParsedOrders that can be imported, {sku: product id} for their lines, and
        (SO, fingerprint, message naming the order) for the others: unreadable sale date,
        no lines, bad quantity, unknown SKU."""
        timezone = credential._iqr_timezone()
        shipped_statuses = credential._iqr_shipped_statuses()
        parsed, errors = [], []
        for so, fingerprint in entries:
            try:
                parsed.append(mapping.parse_order(so, timezone, fingerprint, shipped_statuses))
            except mapping.OrderDataError as error:
                errors.append((so, fingerprint, str(error)))
        matches = self.env["channel.mapping"]._products_by_skus(
            sorted({sku for order in parsed for sku in order.skus if sku}), credential)
        products = {sku: product.id for sku, product in matches.products.items()}
        valid = []
        for order in parsed:
            unknown = mapping.unknown_skus(order.skus, products)
            if unknown:
                names = ", ".join(sku or self.env._("(empty)") for sku in unknown)
                message = self.env._("Unknown SKU: %s", names)
                errors.append((order.so, order.fingerprint, f"IQR {order.label}: {message}"))
            else:
                valid.append(order)
        return valid, products, errors

    @api.model
    def _iqr_order_values(self, credential, parsed_orders, products):
        """[(header, line values, address problems)] of parsed orders, their customers
        found or created together."""
        customers = self._iqr_customers(credential, [order.so for order in parsed_orders])
        order_filter = credential._iqr_order_filter()
        values = []
        for order, (partner, shipping, problems) in zip(parsed_orders, customers, strict=True):
            header = {
                "partner_id": partner.id,
                "partner_invoice_id": partner.id,
                "partner_shipping_id": shipping.id,
                "client_order_ref": str(order.so.get("clientponumber") or "").strip() or False,
                "origin": f"IQR {order.so.get('so') or order.soid}",
                "date_order": order.sale_date,
                "iqr_so_number": str(order.so.get("so") or ""),
                "iqr_status": str(order.so.get("status") or "").strip(),
                "iqr_sale_date": order.sale_date,
                "iqr_channel_field": mapping.channel_field_found(
                    order.so, order_filter.channel_field, order_filter.channel_value) or False,
            }
            lines = [{
                "product_id": products[line["sku"]],
                "product_uom_qty": line["quantity"],
                "price_unit": line["price_unit"],
                "iqr_detail_id": line["detail_id"],
                **({"name": line["description"]} if line["description"] else {}),
            } for line in order.lines]
            if order.shipped:
                lines.append(self._iqr_shipped_note_values(order.shipped))
            values.append((header, lines, problems))
        return values

    @api.model
    def _iqr_shipped_note_values(self, shipped_details):
        """A note line listing what IQR already shipped: those lines are not imported to
        ship again, and the order still shows them."""
        return {
            "display_type": "line_note",
            "iqr_shipped_note": True,
            "name": self.env._(
                "Already shipped in IQ Reseller (not shipped again from Odoo): %(lines)s",
                lines="; ".join(mapping.shipped_line_summary(shipped_details))),
        }

    @api.model
    def _iqr_customers(self, credential, sos):
        """[(customer, delivery address, address problems)] per SO. An address the carrier
        cannot use (unknown country or state) blocks confirmation; a bad phone is only
        recorded."""
        helper = self.env["channel.mapping"]
        default_country = credential.company_id.country_id.code or "US"
        addresses = [mapping.address_from_so(so, default_country) for so in sos]
        blocking = {}  # (country, state): blocks, resolved once per chunk
        customers = []
        for address, match in zip(
                addresses, helper._partners_for_addresses(addresses, credential.company_id),
                strict=True):
            key = (address["country"], address["state"])
            if key not in blocking:
                country, country_problem = helper._resolve_country(address["country"])
                state_problem = (helper._resolve_state(country, address["state"])[1]
                                 if country else None)
                blocking[key] = bool(country_problem or state_problem)
            customers.append((match.partner, match.shipping,
                              {"messages": match.warnings, "blocking": blocking[key]}))
        return customers

    @api.model
    def _iqr_create_orders(self, credential, parsed_orders, products):
        """Create the sale orders of parsed IQR orders in one batch, then confirm the
        confirmable ones in one batch: the ORM does both much faster per order than one
        by one. Raises if any of them fails; the caller then takes them one at a time."""
        values = self._iqr_order_values(credential, parsed_orders, products)
        now = fields.Datetime.now()
        # Salesperson and team only on creation: an update keeps what a person chose.
        sale_defaults = credential._channel_sale_order_defaults()
        orders = self.create([dict(
            header,
            **sale_defaults,
            company_id=credential.company_id.id,
            channel_credential_id=credential.id,
            channel_external_id=order.soid,
            channel_external_ref=str(order.so.get("so") or ""),
            channel_sync_state="synced",
            channel_last_sync_at=now,
            iqr_fingerprint=order.fingerprint,
            order_line=[Command.create(line) for line in lines],
        ) for order, (header, lines, _problems) in zip(parsed_orders, values, strict=True)])
        credential._channel_log_imported_orders(orders)
        blocked = []
        for order, (_header, _lines, problems) in zip(orders, values, strict=True):
            order._iqr_record_problems(problems)
            if problems["blocking"]:
                blocked.append(order.id)
        confirmable = orders.filtered(lambda order: order.id not in blocked)
        if credential.iqr_auto_confirm and confirmable:
            confirmable.action_confirm()
        return orders

    def _iqr_update(self, credential, so, header, lines, problems, fingerprint):
        self.ensure_one()
        soid = mapping.order_id(so)
        if self.state == "cancel" or self._iqr_has_shipped():
            previous, self.iqr_fingerprint = self.iqr_fingerprint, fingerprint
            if mapping.same_content(previous, fingerprint):
                # Only lines were marked shipped in IQR (its shipping records what we
                # shipped): nothing for a person to look at.
                return {"unchanged": soid}
            # Flag each change once, not every poll.
            self._iqr_flag(self.env._(
                "IQ Reseller order %(number)s changed after it was %(what)s in Odoo; "
                "the changes were not applied.",
                number=self.iqr_so_number,
                what=self.env._("cancelled") if self.state == "cancel" else self.env._("shipped")))
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
        self.message_post(body=self.env._("Updated from IQ Reseller order %s.", self.iqr_so_number))
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
        notes = [values for values in lines if values.get("display_type")]
        lines = [values for values in lines if not values.get("display_type")]
        existing = {(line.iqr_detail_id, line.product_id.id): line
                    for line in self.order_line if line.iqr_detail_id}
        commands = self._iqr_shipped_note_commands(notes)
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
        # A removed line, or one IQR shipped meanwhile: Odoo no longer ships it.
        commands += [Command.update(line.id, {"product_uom_qty": 0})
                     for line in existing.values() if line.product_uom_qty]
        if commands:
            self.write({"order_line": commands})

    def _iqr_shipped_note_commands(self, notes):
        """Replace the note of IQR-shipped lines when what it says changed."""
        old = self.order_line.filtered("iqr_shipped_note")
        if old.mapped("name") == [values["name"] for values in notes]:
            return []
        return [Command.unlink(line.id) for line in old] + [Command.create(values)
                                                            for values in notes]

    def _iqr_has_shipped(self):
        return any(picking.state == "done" and picking.picking_type_code == "outgoing"
                   for picking in self.picking_ids)

    def _iqr_record_problems(self, problems):
        if not problems["messages"]:
            return
        message = self.env._("Address problems in IQ Reseller order %(number)s: %(problems)s",
                    number=self.iqr_so_number, problems="; ".join(problems["messages"]))
        if problems["blocking"]:
            message += " " + self.env._("The order is left unconfirmed until the address is fixed.")
        self._channel_mark_error(message)
        self.message_post(body=message)

    def _iqr_flag(self, message):
        self._channel_mark_error(message, state="flagged")
        self.message_post(body=message)

    def _iqr_note_status(self, credential, status):
        """Record the IQR status. A voided or cancelled order (the credential's *Cancel
        Orders In Status*) is cancelled here, or flagged with an activity when it already
        shipped; an unshipped order whose status left the import filter otherwise (closed,
        invoiced...) is flagged. Returns 'cancelled', 'flagged' or None."""
        self.ensure_one()
        status = str(status or "").strip()
        if not status or status == self.iqr_status:
            return None
        self.iqr_status = status
        if self.state == "cancel":
            return None
        if status.lower() in mapping.parse_status_list(credential.iqr_cancel_statuses):
            return self._iqr_cancel_from_iqr(status)
        statuses = mapping.parse_status_list(credential.iqr_status_filter)
        if not statuses or status.lower() in statuses or self.delivery_status == "full":
            return None
        self._iqr_flag(self.env._(
            "IQ Reseller order %(number)s is now '%(status)s', outside the import filter; "
            "check whether it should still ship.", number=self.iqr_so_number, status=status))
        return "flagged"

    def _iqr_cancel_from_iqr(self, status):
        """IQR voided or cancelled the order. Nothing shipped: cancel the order, which
        cancels its deliveries (and a shipping connector then cancels their orders on the
        shipping platform, so the warehouse does not ship them). Something shipped: the
        deliveries still open are cancelled, the order is left as it is and flagged for
        a person with an activity (goods left; a return or a credit is a decision)."""
        self.ensure_one()
        if not self._iqr_has_shipped():
            try:
                with self.env.cr.savepoint():
                    self.with_context(disable_cancel_warning=True).action_cancel()
            except UserError as error:  # a locked order: a person decides
                return self._iqr_flag_for_person(self.env._(
                    "IQ Reseller order %(number)s is now '%(status)s' but could not be "
                    "cancelled in Odoo: %(error)s",
                    number=self.iqr_so_number, status=status, error=error.args[0]), status)
            self.message_post(body=self.env._(
                "Cancelled: IQ Reseller order %(number)s is now '%(status)s'.",
                number=self.iqr_so_number, status=status))
            return "cancelled"
        still_open = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))
        still_open.action_cancel()
        message = self.env._(
            "IQ Reseller order %(number)s is now '%(status)s', but goods of it already "
            "shipped from Odoo; the order was not cancelled. Check with the customer "
            "whether to return the goods or credit them.",
            number=self.iqr_so_number, status=status)
        if still_open:
            message += " " + self.env._("The deliveries not shipped yet were cancelled: "
                                        "%s.", ", ".join(still_open.mapped("name")))
        return self._iqr_flag_for_person(message, status)

    def _iqr_flag_for_person(self, message, status):
        self._iqr_flag(message)
        responsible = self.user_id or self.channel_credential_id.create_uid or self.env.user
        self.activity_schedule(
            "mail.mail_activity_data_warning", note=message, user_id=responsible.id,
            summary=self.env._("IQ Reseller order is now %s", status))
        return "flagged"

    # ------------------------------------------------------------------ tracking

    def _iqr_enqueue_tracking(self):
        for order in self.filtered(lambda o: o.channel_credential_id.platform == PLATFORM):
            order.channel_credential_id._enqueue_job(
                OPERATION_TRACKING, record=order,
                name=self.env._("Send tracking of %s to IQ Reseller", order.name),
                dedup_key=f"{OPERATION_TRACKING}:{order.id}",
            )

    def _iqr_shipments(self, credential):
        """Done outgoing deliveries with live tracking, oldest first, as plain dicts. A
        voided label is no longer in a delivery's tracking reference (the shipping
        connector removes it), so it is not here either."""
        timezone = credential.source_timezone or "UTC"
        pickings = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            and p.carrier_tracking_ref
        ).sorted(lambda p: (p.date_done or fields.Datetime.now(), p.id))
        shipments = [{
            "picking": picking.name,
            "numbers": mapping.split_tracking_numbers(picking.carrier_tracking_ref),
            "carrier": picking._iqr_carrier_name(credential),
            "service": picking._iqr_service_name(credential),
            "ship_date": mapping.format_ship_date(picking._iqr_ship_date(), timezone),
        } for picking in pickings]
        return [shipment for shipment in shipments if shipment["numbers"]]

    def _iqr_push_tracking(self, credential, client):
        """Write the current set of live shipments to IQR whenever it differs from what
        IQR was last sent: a later shipment adds to the fields, a voided label leaves
        them (down to empty fields when every label was voided)."""
        self.ensure_one()
        field_map = credential._iqr_tracking_field_map()
        if self.iqr_channel_field and self.iqr_channel_field in field_map.values():
            raise PermanentError(self.env._(
                "The agent channel of IQR order %(number)s is in %(field)s, which is "
                "configured to receive tracking; choose other tracking fields.",
                number=self.iqr_so_number, field=self.iqr_channel_field))
        sent = list(self.iqr_tracking_sent or [])
        shipments = self._iqr_shipments(credential)
        if mapping.tracking_values(shipments) == mapping.tracking_values(sent):
            return {"sent": []}
        try:
            soid = int(self.channel_external_id)
        except (TypeError, ValueError):
            raise PermanentError(self.env._("IQR soid %r is not a number.",
                                   self.channel_external_id)) from None
        entry = mapping.tracking_entry(soid, shipments, field_map,
                                       credential.iqr_last_updated_by)
        client.write_tracking(entry)
        numbers = mapping.tracking_numbers(shipments)
        added = [n for n in numbers if n not in mapping.tracking_numbers(sent)]
        withdrawn = [n for n in mapping.tracking_numbers(sent) if n not in numbers]
        self.write({
            "iqr_tracking_sent": shipments,
            "iqr_tracking_numbers": ", ".join(numbers) or False,
            "iqr_tracking_sent_at": fields.Datetime.now(),
        })
        if self.channel_sync_state != "flagged":
            self._channel_mark_synced()
        self.message_post(body=self._iqr_tracking_message(added, withdrawn, numbers))
        return {"sent": added, "withdrawn": withdrawn, "soid": soid}

    def _iqr_tracking_message(self, added, withdrawn, numbers):
        if not withdrawn:
            return self.env._("Tracking sent to IQ Reseller: %s", ", ".join(added or numbers))
        return self.env._(
            "Tracking withdrawn from IQ Reseller: %(withdrawn)s. IQ Reseller now holds: "
            "%(numbers)s", withdrawn=", ".join(withdrawn),
            numbers=", ".join(numbers) or self.env._("no tracking number"))

    def action_iqr_send_tracking(self):
        self._iqr_enqueue_tracking()
        return True


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    iqr_detail_id = fields.Char("IQR Line ID", copy=False, readonly=True)
    iqr_shipped_note = fields.Boolean(
        "IQR Shipped Lines Note", copy=False, readonly=True,
        help="The note listing the lines IQR had already shipped when the order was read.")
