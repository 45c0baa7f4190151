"""Shipment events of outgoing transfers: the values and pure helpers behind them.

``stock.picking`` (``models/stock_picking.py``) detects the events and calls the hooks of
``integration.credential`` (``models/integration_credential_shipment_events.py``);
``docs/shipment_events.md`` is the contract.
"""

import re
from dataclasses import dataclass, field

# Context key: ids of credentials that must not hear the events of this change (the
# platform applying its own inbound shipment must not echo it back to itself).
MUTED_CREDENTIALS = "channel_shipment_events_muted"
# Context key: no shipment event at all (data migrations, repairs).
EVENTS_OFF = "channel_shipment_events_off"
# Context key set by the detector itself while ``_action_done`` runs: tracking written
# during validation is carried by the "done" event, not reported a second time.
DONE_IN_PROGRESS = "channel_shipment_done_in_progress"

# Hook names, in the order they fire for one change.
ON_TRACKING_REMOVED = "_on_tracking_removed"
ON_TRACKING_ADDED = "_on_tracking_added"
ON_PICKINGS_DONE = "_on_pickings_done"
ON_BACKORDERS_CANCELLED = "_on_backorders_cancelled"
ON_PICKINGS_CANCELLED = "_on_pickings_cancelled"

APPLIED = "applied"
ALREADY_APPLIED = "already_applied"
REFUSED = "refused"

_SEPARATORS = re.compile(r"[,;\s]+")


def split_tracking_refs(value):
    """Tracking numbers of a ``carrier_tracking_ref`` value, in order, without duplicates
    (several labels are stored comma-separated)."""
    numbers = []
    for number in _SEPARATORS.split(value or ""):
        if number and number not in numbers:
            numbers.append(number)
    return numbers


def join_tracking_refs(numbers):
    return ",".join(numbers) or False


def tracking_changes(old_value, new_value):
    """(added, removed) tracking numbers between two ``carrier_tracking_ref`` values."""
    old, new = split_tracking_refs(old_value), split_tracking_refs(new_value)
    return [n for n in new if n not in old], [n for n in old if n not in new]


@dataclass(frozen=True)
class Shipment:
    """One inbound shipment (a label, a fulfilment) to apply to one outgoing transfer.

    ``quantities``: None ships everything still open on the transfer; otherwise a dict
    {stock.move or product.product record: quantity in the move's / product's unit}.
    ``source_credential`` is the platform the shipment comes from: it does not hear the
    events of applying it. ``reference`` (the platform's shipment id) is for messages."""

    picking: object
    tracking_numbers: tuple = ()
    carrier: object = None
    quantities: dict = None
    ship_date: object = None
    source_credential: object = None
    reference: str = ""


@dataclass
class ShipmentOutcome:
    """What ``_channel_apply_shipments`` did with one shipment: ``status`` is APPLIED,
    ALREADY_APPLIED or REFUSED (``reason`` says why); ``backorder`` is the transfer
    holding what a partial shipment left open."""

    shipment: Shipment
    status: str
    reason: str = ""
    backorder: object = None
    moves: dict = field(default_factory=dict)  # stock.move -> quantity, when validated
