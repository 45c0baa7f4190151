"""ShipStation shipment import: polling shipments, applying them to transfers, unmatched
shipments."""

import json
import logging
from collections import Counter

import psycopg2

from odoo import api, fields, models

from odoo.addons.channel_base.exceptions import PermanentError, TransientError
from odoo.addons.channel_base.tools import utc_window_start

from .. import mapping
from ..client import ShipStationClient
from ..const import SHIPMENTS_CURSOR, SINGLE_SHIPMENT_EVENT, UNMATCHED_DELIVERY_PREFIX

_logger = logging.getLogger(__name__)


class ShipStationShipmentImport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shipstation_apply_shipments(self, shipments):
        """Apply ``[(Shipment, raw V1 dict or None)]``, grouped by order, then validate the
        transfers they shipped together; an unmatched shipment is kept as a failed event a
        person can replay. Returns the count of each outcome."""
        groups = {}
        for info, raw in shipments:
            order = info.order_key or info.order_number or info.shipment_id
            groups.setdefault(order, []).append((info, raw))
        outcomes, plans = Counter(), []
        try:
            for group in groups.values():
                results, plan, refusal = self.env["shipstation.shipment"]._shipstation_apply(
                    self, [info for info, _raw in group])
                for info, raw in group:
                    outcomes[results[info.shipment_id]] += 1
                    if results[info.shipment_id] == "unmatched" and raw is not None:
                        self._shipstation_record_unmatched(info, raw, refusal)
                same = next((other for other in plans if plan and other.picking == plan.picking),
                            None)
                if same:  # two orders on one transfer (orderNumber fallback)
                    same.merge(plan)
                elif plan:
                    plans.append(plan)
            self.env["stock.picking"]._shipstation_validate_plans(plans)
            self.env.flush_all()
        except psycopg2.errors.UniqueViolation:
            # Another worker applied the same shipment at the same moment (webhook and
            # poll): retry; the next attempt finds it applied and changes nothing.
            raise TransientError(self.env._(
                "These shipments are being applied by another worker; will retry.")) from None
        return dict(outcomes)

    def _shipstation_apply_one(self, info):
        return self._shipstation_apply_shipments([(info, None)])

    def _shipstation_record_unmatched(self, info, raw, refusal=None):
        body = json.dumps({"resource_type": SINGLE_SHIPMENT_EVENT, "shipment": raw})
        error = self.env._(
            "No transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber "
            "%(number)s, tracking %(tracking)s). Replay this event once the transfer exists.",
            shipment=info.shipment_id, key=info.order_key or "-",
            number=info.order_number or "-", tracking=info.tracking_number or "-",
        )
        if refusal:
            error = self.env._(
                "ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber %(number)s, "
                "tracking %(tracking)s) was not applied: %(refusal)s. Replay this event once "
                "that is fixed (e.g. the Store ID set).",
                shipment=info.shipment_id, key=info.order_key or "-",
                number=info.order_number or "-", tracking=info.tracking_number or "-",
                refusal=refusal,
            )
        self.env["channel.webhook.event"]._store_delivery(
            self, UNMATCHED_DELIVERY_PREFIX + info.shipment_id, SINGLE_SHIPMENT_EVENT, {},
            body, state="failed", error=error,
        )
        _logger.warning("ShipStation credential %s: %s", self.id, error)

    def _shipstation_store_refusal(self, info):
        """Why a shipment whose orderKey is not ours must not be matched by its order
        number, or None. Order numbers are only unique within a store (another store of the
        account may be a marketplace using the same numbers), so the shipment must be in
        this account's store: as the shipment shows it, else as its V1 order says."""
        self.ensure_one()
        ours = mapping.int_or_none(self.shipstation_store_id)
        if ours is None:
            return self.env._(
                "its orderKey is not one of this account's orders, and an order number alone "
                "is only trusted when the account's Store ID is set")
        if info.store_id is None and info.order_id:
            info.store_id = self._shipstation_order_store(info.order_id)
        if info.store_id != ours:
            return self.env._(
                "its orderKey is not one of this account's orders and it belongs to store "
                "%(store)s, not this account's store %(ours)s",
                store=info.store_id or self.env._("(unknown)"), ours=ours)
        return None

    def _shipstation_order_store(self, order_id):
        """The store of a V1 order (``advancedOptions.storeId``), or None if not found."""
        try:
            order = ShipStationClient(self).get_order(order_id) or {}
        except PermanentError:
            return None
        advanced = order.get("advancedOptions") if isinstance(order, dict) else None
        return mapping.int_or_none((advanced or {}).get("storeId"))

    def _shipstation_poll_shipments(self, job):
        """List shipments created (and labels voided) since the last successful poll,
        minus an overlap, and apply them. The cursor moves in this transaction."""
        started = fields.Datetime.now()
        cursor = self._get_cursor(SHIPMENTS_CURSOR)
        since = utc_window_start(
            cursor.last_success_at, (self.shipstation_poll_overlap_minutes or 0) * 60,
            self.shipstation_poll_initial_days or 1,
        )
        since_text = mapping.to_pacific_text(since)
        filters = {"storeId": self.shipstation_store_id} if self.shipstation_store_id else {}
        client = ShipStationClient(self)
        created = self._shipstation_list_all(
            client, dict(filters, createDateStart=since_text, sortBy="CreateDate", sortDir="ASC"))
        voided = self._shipstation_list_all(client, dict(filters, voidDateStart=since_text))
        # A label listed twice (created and voided in the window): its latest state wins.
        latest = {str(raw.get("shipmentId")): raw for raw in created + voided}
        outcomes = self._shipstation_apply_shipments(self._shipstation_parse_v1(
            latest.values(), listed_store=filters.get("storeId")))
        self._set_cursor(SHIPMENTS_CURSOR, value=mapping.to_pacific_text(started),
                         success_at=started)
        return dict(outcomes, since=since_text, listed=len(latest))

    def _shipstation_list_all(self, client, filters):
        shipments, page = [], 1
        while True:
            answer = client.list_shipments(page=page, **filters) or {}
            shipments += answer.get("shipments") or []
            if page >= (answer.get("pages") or 1):
                return shipments
            page += 1

    @api.model
    def _shipstation_parse_v1(self, raws, listed_store=None):
        """[(Shipment, raw)]; ``listed_store``: the storeId the listing was filtered on, the
        store of shipments that do not show theirs."""
        parsed = []
        for raw in raws:
            try:
                info = mapping.shipment_from_v1(raw)
                if info.store_id is None:
                    info.store_id = mapping.int_or_none(listed_store)
                parsed.append((info, raw))
            except ValueError as error:
                raise PermanentError(self.env._(
                    "Unreadable ShipStation shipment %(raw)s: %(error)s",
                    raw=json.dumps(raw)[:300], error=error)) from None
        return parsed

    def _shipstation_replay_unmatched(self, payload):
        ((info, _raw),) = self._shipstation_parse_v1([payload.get("shipment")])
        outcomes = self._shipstation_apply_one(info)
        if outcomes.get("unmatched"):
            raise PermanentError(self.env._(
                "Still no transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, "
                "orderNumber %(number)s).", shipment=info.shipment_id,
                key=info.order_key or "-", number=info.order_number or "-"))
        return outcomes

    def _shipstation_carrier_for(self, carrier_code, service_code):
        """The Odoo carrier mapped to a ShipStation carrier/service (service match first)."""
        self.ensure_one()
        lines = self.shipstation_service_map_ids.filtered(
            lambda line: line.carrier_code == carrier_code)
        exact = lines.filtered(lambda line: line.service_code == service_code)
        generic = lines.filtered(lambda line: not line.service_code)
        return (exact or generic)[:1].delivery_carrier_id
