"""Orders in: the DSCO order stream (../orders_stream.py) becomes sale orders, each
acknowledged; orders that cannot be imported are parked in the inbox."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import DscoClient


def _reserved(line):
    """What the line's deliveries reserved, in the line's unit."""
    return sum(move.product_uom._compute_quantity(move.quantity, line.product_uom)
               for move in line.move_ids if move.state not in ("cancel", "done"))


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ the stream

    def _dsco_ensure_stream(self):
        """The order stream's id: stored, else adopted (ours, created by a run that died
        before committing), else created once (createStream)."""
        self.ensure_one()
        if self.dsco_stream_id:
            return self.dsco_stream_id
        client = DscoClient(self)
        ours = [stream for stream in client.call("GET", const.STREAM_PATH) or []
                if stream.get("objectType") == "order"
                and stream.get("description") == const.STREAM_DESCRIPTION]
        stream = ours[0] if ours else client.call("POST", const.STREAM_PATH,
                                                  json=mapping.stream_body())
        self.sudo().dsco_stream_id = stream["id"]
        return stream["id"]

    def _dsco_stream_position(self, stream_id):
        streams = DscoClient(self).call("GET", const.STREAM_PATH, params={"id": stream_id}) or []
        for stream in streams:
            for partition in stream.get("partitions") or []:
                if partition.get("partitionId") == const.PARTITION:
                    return partition.get("position") or const.START_POSITION
        raise PermanentError(self.env._("DSCO order stream %s not found.", stream_id))

    def _dsco_queue_position_update(self):
        """One pending job moves DSCO's position to the committed one (read when it runs)."""
        return self._enqueue_job(const.OP_UPDATE_POSITION, dedup_key=f"dsco.position:{self.id}",
                                 priority=20)

    def _dsco_update_stream_position(self, job):
        position = self._get_cursor(const.ORDERS_STREAM).value
        position = (position or "").strip('"')
        if not position or not self.dsco_stream_id:
            return {"skipped": "no committed position"}
        DscoClient(self).call("PUT", DscoClient.events_path(self.dsco_stream_id, position))
        return {"position": position}

    # ------------------------------------------------------------------ import

    def _dsco_import_events(self, events):
        """Import one page of stream events: one query each for existing orders, SKUs and
        partners; bad orders parked, the others created; created orders acknowledged."""
        orders = mapping.orders_of_events(events)
        todo = self._dsco_orders_to_import(orders)
        Inbox = self.env["channel.inbox.item"]
        mapping_model = self.env["channel.mapping"]
        products = mapping_model._products_by_skus(
            [sku for order in todo for sku in mapping.order_skus(order)], self)
        importable, failed = [], 0
        for order in todo:
            problem = mapping.order_problem(order, products.unknown)
            if problem:
                Inbox._record_failure(self, const.ORDERS_STREAM, mapping.order_id(order),
                                      order, problem)
                failed += 1
            else:
                importable.append(order)
        created = self._dsco_create_orders(importable, products.products)
        Inbox._resolve(self, const.ORDERS_STREAM, created)
        self._dsco_queue_acknowledge(list(created))
        failed += len(importable) - len(created)
        return {"created": len(created), "failed": failed,
                "skipped": len(events) - len(created) - failed}

    def _dsco_create_orders(self, orders, products):
        """Create and confirm the page's orders in one batch (the bare ORM's cost); when
        the batch fails, order by order so that only the failing ones are parked."""
        Inbox = self.env["channel.inbox.item"]
        matches = self.env["channel.mapping"]._partners_for_addresses(
            [mapping.address_of(order) for order in orders], self.company_id)
        try:
            with self.env.cr.savepoint():
                return self._dsco_create_sale_orders(orders, products, matches)
        except Exception:  # noqa: BLE001 - retried one by one below, each failure parked
            self.env.invalidate_all()
        created = {}
        for order, match in zip(orders, matches, strict=True):
            try:
                with self.env.cr.savepoint():
                    created.update(self._dsco_create_sale_orders([order], products, [match]))
            except Exception as error:  # noqa: BLE001 - parked with its reason, others go on
                Inbox._record_failure(self, const.ORDERS_STREAM, mapping.order_id(order),
                                      order, error)
        return created

    def _dsco_orders_to_import(self, orders):
        """The orders not imported yet and not ignored by a person."""
        ids = [mapping.order_id(order) for order in orders]
        imported = set(self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("channel_external_id", "in", ids),
        ]).mapped("channel_external_id"))
        open_items = self.env["channel.inbox.item"]._open_external_ids(
            self, const.ORDERS_STREAM, ids)
        ignored = {key for key, item in open_items.items() if item.state == "ignored"}
        return [order for order in orders if mapping.order_id(order) not in imported | ignored]

    def _dsco_create_sale_orders(self, orders, products, matches):
        """{dscoOrderId: sale order} of ``orders`` created, confirmed and checked for
        availability (unreserved quantities cancelled on DSCO)."""
        if not orders:
            return {}
        product_ids = {sku: product.id for sku, product in products.items()}
        defaults = self._channel_sale_order_defaults()
        sales = self.env["sale.order"].create([{**mapping.sale_order_values(
            order, self.id, match.partner.id, match.shipping.id, product_ids), **defaults}
            for order, match in zip(orders, matches, strict=True)])
        self._channel_log_imported_orders(sales)
        sales.action_confirm()
        for sale in sales:
            self._dsco_cancel_unavailable(sale)
        return dict(zip([mapping.order_id(order) for order in orders], sales, strict=True))

    def _dsco_create_sale_order(self, order, products, match):
        return self._dsco_create_sale_orders([order], products, [match])[mapping.order_id(order)]

    # ------------------------------------------------------------------ out of stock

    def _dsco_cancel_unavailable(self, sale):
        """Lines the confirmation could not reserve are cancelled on DSCO with reason
        OUT_OF_STOCK (one cancelOrderItem job) and reduced to what is reserved here."""
        short = [(line, line.product_uom_qty - _reserved(line)) for line in sale.order_line
                 if line.product_id.is_storable]
        short = [(line, quantity) for line, quantity in short if quantity > 0]
        if not short:
            return self.env["sync.job"]
        body = mapping.cancel_body(
            sale.channel_external_id,
            [(line.dsco_sku, line.dsco_line_number, int(quantity)) for line, quantity in short],
            const.CANCEL_OUT_OF_STOCK, "Not in stock at the supplier")
        for line, quantity in short:
            line.with_context(dsco_no_cancel=True).product_uom_qty -= quantity
        return self._enqueue_job(const.OP_CANCEL_ITEMS, record=sale, payload=body,
                                 dedup_key=f"dsco.cancel:{sale.id}", priority=8)

    def _dsco_cancel_items(self, job):
        answer = DscoClient(self).call("POST", const.CANCEL_ITEM_PATH, json=job.payload)
        return {"cancelled": len(job.payload["lineItems"]),
                "requestId": (answer or {}).get("requestId")}

    # ------------------------------------------------------------------ acknowledge

    def _dsco_queue_acknowledge(self, dsco_order_ids):
        """One acknowledgeOrders job for the orders of a page (every imported order is
        acknowledged, DSCO asks for it within 24 hours)."""
        if not dsco_order_ids:
            return self.env["sync.job"]
        return self._enqueue_job(const.OP_ACKNOWLEDGE, payload={"orders": dsco_order_ids},
                                 priority=8)

    def _dsco_acknowledge_orders(self, job):
        answer = DscoClient(self).call("POST", const.ACKNOWLEDGE_PATH,
                                       json=mapping.acknowledge_body(job.payload["orders"]))
        return {"acknowledged": len(job.payload["orders"]),
                "requestId": (answer or {}).get("requestId")}

    # ------------------------------------------------------------------ inbox

    def _inbox_retryable_streams(self):
        if self.platform != const.PLATFORM:
            return super()._inbox_retryable_streams()
        return (const.ORDERS_STREAM,)

    def _inbox_retry(self, item):
        if self.platform != const.PLATFORM or item.stream != const.ORDERS_STREAM:
            return super()._inbox_retry(item)
        order = item._payload()
        return self._channel_retry_parked_order(
            mapping.order_id(order), mapping.order_skus(order),
            lambda unknown: mapping.order_problem(order, unknown),
            lambda products: self._dsco_retry_create(order, products))

    def _dsco_retry_create(self, order, products):
        sale = self._dsco_create_sale_order(
            order, products, self._channel_address_match(mapping.address_of(order)))
        self._dsco_queue_acknowledge([mapping.order_id(order)])
        return sale
