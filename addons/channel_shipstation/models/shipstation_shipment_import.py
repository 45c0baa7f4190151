"""ShipStation shipment import: polling shipments, applying them to transfers, unmatched
shipments."""

import json
import logging
from collections import Counter

import psycopg2

from odoo import api, models

from odoo.addons.channel_base.exceptions import PermanentError, TransientError

from .. import mapping
from ..client import ShipStationClient
from ..const import PLATFORM, SHIPMENTS_STREAM

_logger = logging.getLogger(__name__)


class ShipStationShipmentImport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shipstation_apply_shipments(self, shipments):
        """Apply ``[(Shipment, raw V1 dict or None)]``: the transfers they ship validated
        together; an unmatched shipment with its raw dict is kept in the inbox for a
        person to retry. Returns the count of each outcome."""
        try:
            outcomes, unmatched = self.env["shipstation.shipment"]._shipstation_apply(
                self, shipments)
            self.env.flush_all()
        except psycopg2.errors.UniqueViolation:
            # Another worker applied the same shipment at the same moment (webhook and
            # poll): retry; the next attempt finds it applied and changes nothing.
            raise TransientError(self.env._(
                "These shipments are being applied by another worker; will retry.")) from None
        for info, raw, refusal in unmatched:
            if raw is not None:
                self._shipstation_record_unmatched(info, raw, refusal)
        self._shipstation_resolve_inbox(outcomes)
        return dict(Counter(outcomes.values()))

    def _shipstation_record_unmatched(self, info, raw, refusal=None):
        """Park a shipment no transfer takes in the inbox, as listed, for a person to
        retry once the cause is fixed (the transfer exists, the Store ID is set)."""
        error = self.env._(
            "No transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber "
            "%(number)s, tracking %(tracking)s). Retry it once the transfer exists.",
            shipment=info.shipment_id, key=info.order_key or "-",
            number=info.order_number or "-", tracking=info.tracking_number or "-",
        )
        if refusal:
            error = self.env._(
                "ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber %(number)s, "
                "tracking %(tracking)s) was not applied: %(refusal)s. Retry it once that is "
                "fixed (e.g. the Store ID set).",
                shipment=info.shipment_id, key=info.order_key or "-",
                number=info.order_number or "-", tracking=info.tracking_number or "-",
                refusal=refusal,
            )
        self.env["channel.inbox.item"]._record_failure(
            self, SHIPMENTS_STREAM, info.shipment_id, raw, error)
        _logger.warning("ShipStation credential %s: %s", self.id, error)

    def _shipstation_resolve_inbox(self, outcomes):
        """Close the inbox items of shipments a later listing applied."""
        Inbox = self.env["channel.inbox.item"]
        applied = [ref for ref, outcome in outcomes.items() if outcome != "unmatched"]
        waiting = Inbox._open_external_ids(self, SHIPMENTS_STREAM, applied) if applied else {}
        if waiting:
            rows = self.env["shipstation.shipment"].search([
                ("credential_id", "=", self.id), ("shipment_ref", "in", list(waiting))])
            Inbox._resolve(self, SHIPMENTS_STREAM, {row.shipment_ref: row for row in rows})

    # ------------------------------------------------------------------ inbox hooks

    def _inbox_retryable_streams(self):
        if self.platform != PLATFORM:
            return super()._inbox_retryable_streams()
        return (SHIPMENTS_STREAM,)

    def _inbox_retry(self, item):
        """Apply the stored shipment again; its shipstation.shipment record, or a
        PermanentError when it still matches no transfer."""
        if self.platform != PLATFORM or item.stream != SHIPMENTS_STREAM:
            return super()._inbox_retry(item)
        ((info, _raw),) = self._shipstation_parse_v1([item._payload()])
        outcomes = self._shipstation_apply_shipments([(info, None)])
        if outcomes.get("unmatched"):
            raise PermanentError(self.env._(
                "Still no transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, "
                "orderNumber %(number)s).", shipment=info.shipment_id,
                key=info.order_key or "-", number=info.order_number or "-"))
        return self.env["shipstation.shipment"].search([
            ("credential_id", "=", self.id), ("shipment_ref", "=", info.shipment_id)], limit=1)

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

    def _shipstation_list_all(self, client, filters):
        """Every page of a small listing (the shipments of one order number)."""
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
