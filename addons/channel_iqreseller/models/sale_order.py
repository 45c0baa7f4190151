from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import escape_psql

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.models.channel_mapping import ADDRESS_FIELDS

from .. import mapping
from ..const import OPERATION_TRACKING, PLATFORM

# What channel.mapping._same_address_domain compares (besides having no parent).
SAME_ADDRESS_FIELDS = ("name", *ADDRESS_FIELDS, "country_id")


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
        """Create, update, or leave alone the sale order of one IQR SO; raises
        PermanentError with the IQR order number for anything that stops the import."""
        fingerprint = fingerprint or mapping.order_fingerprint(so)
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
        parsed, errors = [], []
        for so, fingerprint in entries:
            try:
                parsed.append(mapping.parse_order(so, timezone, fingerprint))
            except mapping.OrderDataError as error:
                errors.append((so, fingerprint, str(error)))
        products = self._iqr_products_by_sku(
            credential, {sku for order in parsed for sku in order.skus})
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
    def _iqr_products_by_sku(self, credential, skus):
        """{sku: product id} as channel.mapping._find_product_by_sku resolves them (this
        credential's listing first, then the internal reference), in two queries for any
        number of SKUs instead of two per line."""
        skus = [sku for sku in skus if sku]
        found = {}
        if not skus:
            return found
        bindings = self.env["channel.product.binding"].search([
            ("credential_id", "=", credential.id), ("external_sku", "in", skus),
        ])
        for binding in bindings:
            found.setdefault(binding.external_sku, binding.product_id.id)
        missing = [sku for sku in skus if sku not in found]
        if missing:
            for product in self.env["product.product"].search([("default_code", "in", missing)]):
                found.setdefault(product.default_code, product.id)
        return found

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
            values.append((header, lines, problems))
        return values

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
        for address, (partner, vals, warnings) in zip(
                addresses, self._iqr_find_or_create_partners(addresses), strict=True):
            key = (address["country"], address["state"])
            if key not in blocking:
                country, country_problem = helper._resolve_country(address["country"])
                state_problem = (helper._resolve_state(country, address["state"])[1]
                                 if country else None)
                blocking[key] = bool(country_problem or state_problem)
            customers.append((partner, helper._find_or_create_delivery(partner, vals),
                              {"messages": warnings, "blocking": blocking[key]}))
        return customers

    @api.model
    def _iqr_find_or_create_partners(self, addresses):
        """[(customer, address values, warnings)] per address dict, matched as
        channel.mapping._find_or_create_partner does (by email, else by name and address),
        with one search for every email of the chunk and one create for its new customers;
        two orders of one new customer share one partner."""
        helper = self.env["channel.mapping"]
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        rows = []
        for address in addresses:
            warnings = []
            rows.append((address, helper._address_values(address, warnings), warnings))
        by_email = self._iqr_partners_by_email([vals["email"] for _a, vals, _w in rows])
        new = {}  # email or address key -> index in to_create
        to_create, chosen = [], []
        for address, vals, _warnings in rows:
            email = (vals["email"] or "").lower()
            address_key = tuple(vals[name] for name in SAME_ADDRESS_FIELDS)
            match = by_email.get(email) if email else None
            if match is None and email in new:
                match = new[email]
            if match is None:
                match = Partner.search(helper._same_address_domain(vals, parent=False),
                                       limit=1) or new.get(address_key)
            if match is None:
                match = new[address_key] = len(to_create)
                if email:
                    new[email] = match
                to_create.append(dict(vals, company_name=address.get("company_name") or False))
            chosen.append(match)
        created = Partner.create(to_create) if to_create else Partner
        return [(created[match] if isinstance(match, int) else match, vals, warnings)
                for match, (_address, vals, warnings) in zip(chosen, rows, strict=True)]

    @api.model
    def _iqr_partners_by_email(self, emails):
        """{lowercased email: company-level partner} in one search (first in the partner
        order, as a search with limit=1 would pick)."""
        emails = list(dict.fromkeys(email.lower() for email in emails if email))
        if not emails:
            return {}
        domain = expression.OR([[("email", "=ilike", escape_psql(email))] for email in emails])
        partners = self.env["res.partner"].search(
            expression.AND([[("parent_id", "=", False)], domain]))
        found = {}
        for partner in partners:
            found.setdefault((partner.email or "").lower(), partner)
        return found

    @api.model
    def _iqr_create_orders(self, credential, parsed_orders, products):
        """Create the sale orders of parsed IQR orders in one batch, then confirm the
        confirmable ones in one batch: the ORM does both much faster per order than one
        by one. Raises if any of them fails; the caller then takes them one at a time."""
        values = self._iqr_order_values(credential, parsed_orders, products)
        now = fields.Datetime.now()
        orders = self.create([dict(
            header,
            company_id=credential.company_id.id,
            channel_credential_id=credential.id,
            channel_external_id=order.soid,
            channel_external_ref=str(order.so.get("so") or ""),
            channel_sync_state="synced",
            channel_last_sync_at=now,
            iqr_fingerprint=order.fingerprint,
            order_line=[Command.create(line) for line in lines],
        ) for order, (header, lines, _problems) in zip(parsed_orders, values, strict=True)])
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
            self.iqr_fingerprint = fingerprint  # flag each change once, not every poll
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
        self._iqr_flag(self.env._(
            "IQ Reseller order %(number)s is now '%(status)s', outside the import filter; "
            "check whether it should still ship.", number=self.iqr_so_number, status=status))
        return 1

    # ------------------------------------------------------------------ tracking

    def _iqr_enqueue_tracking(self):
        for order in self.filtered(lambda o: o.channel_credential_id.platform == PLATFORM):
            order.channel_credential_id._enqueue_job(
                OPERATION_TRACKING, record=order,
                name=self.env._("Send tracking of %s to IQ Reseller", order.name),
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
            raise PermanentError(self.env._(
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
            raise PermanentError(self.env._("IQR soid %r is not a number.",
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
        self.message_post(body=self.env._("Tracking sent to IQ Reseller: %s",
                                 ", ".join(new_numbers)))
        return {"sent": new_numbers, "soid": soid}

    def action_iqr_send_tracking(self):
        self._iqr_enqueue_tracking()
        return True


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    iqr_detail_id = fields.Char("IQR Line ID", copy=False, readonly=True)
