from collections import defaultdict

from odoo import fields, models

from ..shipment_events import (
    DONE_IN_PROGRESS,
    EVENTS_OFF,
    MUTED_CREDENTIALS,
    ON_BACKORDERS_CANCELLED,
    ON_PICKINGS_CANCELLED,
    ON_PICKINGS_DONE,
    ON_TRACKING_ADDED,
    ON_TRACKING_REMOVED,
    tracking_changes,
)


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "channel.bound.mixin"]

    _sql_constraints = [
        ("channel_external_uniq", "unique(channel_credential_id, channel_external_id)",
         "This external shipment order is already bound to another transfer."),
    ]

    # The sales channel the transfer's order came from, next to the fulfilment platform
    # it went to (channel_credential_id): stored so transfers can be grouped by it.
    channel_sale_credential_id = fields.Many2one(
        related="sale_id.channel_credential_id", string="Sales Channel", store=True,
        index="btree_not_null")
    channel_sale_external_id = fields.Char(
        related="sale_id.channel_external_id", string="Order on the Sales Channel")
    channel_sale_sync_state = fields.Selection(related="sale_id.channel_sync_state",
                                               string="Order Sync State")

    # ------------------------------------------------------------------ shipment events
    # Detected here once for every platform (docs/shipment_events.md): each change calls
    # one hook per event kind on each credential concerned, after the change, in the same
    # transaction.

    def _channel_shipment_watched(self, states=None):
        """The outgoing transfers of ``self`` whose shipment events are reported."""
        if self.env.context.get(EVENTS_OFF):
            return self.browse()
        return self.filtered(lambda picking: picking.picking_type_code == "outgoing"
                             and (states is None or picking.state in states))

    def _action_done(self):
        watched = self._channel_shipment_watched(
            ("draft", "waiting", "confirmed", "assigned"))
        if not watched:
            return super()._action_done()
        backorders_before = watched.backorder_ids
        validating = self.with_context(**{DONE_IN_PROGRESS: tuple(watched.ids)})
        result = super(StockPicking, validating)._action_done()
        done = watched.filtered(lambda picking: picking.state == "done")
        new_backorders = done.backorder_ids - backorders_before
        done._channel_dispatch_shipment_event(ON_PICKINGS_DONE, backorders=new_backorders)
        return result

    def action_cancel(self):
        watched = self._channel_shipment_watched(
            ("draft", "waiting", "confirmed", "assigned"))
        result = super().action_cancel()
        cancelled = watched.filtered(lambda picking: picking.state == "cancel")
        backorders = cancelled.filtered("backorder_id")
        backorders._channel_dispatch_shipment_event(ON_BACKORDERS_CANCELLED)
        (cancelled - backorders)._channel_dispatch_shipment_event(ON_PICKINGS_CANCELLED)
        return result

    def write(self, vals):
        if "carrier_tracking_ref" not in vals:
            return super().write(vals)
        # Tracking written before or during validation travels with the "done" event.
        in_progress = set(self.env.context.get(DONE_IN_PROGRESS, ()))
        watched = self._channel_shipment_watched(("done",)).filtered(
            lambda picking: picking.id not in in_progress)
        old_refs = {picking.id: picking.carrier_tracking_ref for picking in watched}
        result = super().write(vals)
        watched._channel_dispatch_tracking_changes(old_refs)
        return result

    def _channel_dispatch_tracking_changes(self, old_refs):
        added, removed = {}, {}
        for picking in self:
            new, old = tracking_changes(old_refs[picking.id], picking.carrier_tracking_ref)
            if new:
                added[picking.id] = new
            if old:
                removed[picking.id] = old
        # Removal first: a replaced label is withdrawn before its successor is announced.
        self.browse(list(removed))._channel_dispatch_shipment_event(
            ON_TRACKING_REMOVED, old_refs=removed)
        self.browse(list(added))._channel_dispatch_shipment_event(
            ON_TRACKING_ADDED, new_refs=added)

    def _channel_dispatch_shipment_event(self, hook_name, backorders=None, **refs):
        """Call ``hook_name`` once on each credential these transfers concern, with its
        transfers (and its share of ``backorders``); ``refs`` are {picking id: [numbers]}
        dicts passed through."""
        for credential, pickings in self._channel_shipment_credentials().items():
            arguments = dict(refs)
            if backorders is not None:
                arguments["backorders"] = backorders.filtered(
                    lambda backorder, pickings=pickings: backorder.backorder_id in pickings)
            getattr(credential, hook_name)(pickings, **arguments)

    def _channel_shipment_credentials(self):
        """{credential: its transfers of ``self``}: the sales channel's (the sale order's
        credential) and the fulfilment platform's (the transfer's), active, not muted, each
        once; as superuser, like the queue the hooks feed."""
        if not self:
            return {}
        muted = set(self.env.context.get(MUTED_CREDENTIALS, ()))
        picking_ids = defaultdict(list)
        for picking in self.sudo():
            credentials = picking.sale_id.channel_credential_id | picking.channel_credential_id
            for credential in credentials:
                if credential.active and credential.id not in muted:
                    picking_ids[credential].append(picking.id)
        return {credential: self.sudo().browse(ids) for credential, ids in picking_ids.items()}
