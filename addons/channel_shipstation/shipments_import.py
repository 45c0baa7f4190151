"""The ShipStation shipment streams (docs/paged_import.md): V1 ``/shipments`` listed one
page per job since the last run minus an overlap: ``shipments`` lists the labels created,
``shipment_voids`` the labels voided (a label created and voided in one window is right
whichever runs first: applied then voided, or recorded as voided before it reached Odoo).

Cursor: ``{"since": <Pacific text>, "until": <UTC text of the run start>, "page": n}``;
after the last page the stream keeps ``{"until": ...}``, where the next run starts (minus
the overlap). A cursor written before streams (bare Pacific text) falls back to the
cursor's last success time, as the old poll did.
"""

from odoo import fields

from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport
from odoo.addons.channel_base.tools import utc_window_start

from . import mapping
from .client import ShipStationClient
from .const import SHIPMENT_VOIDS_STREAM, SHIPMENTS_STREAM

class ShipmentsImport(PagedImport):
    """Labels created since the window start, oldest first."""

    code = SHIPMENTS_STREAM
    label = "Shipments"

    @staticmethod
    def listing_filters(since):
        return {"createDateStart": since, "sortBy": "CreateDate", "sortDir": "ASC"}

    def start_cursor(self, credential, stored_cursor):
        since = utc_window_start(
            self._last_run_start(credential, stored_cursor),
            (credential.shipstation_poll_overlap_minutes or 0) * 60,
            credential.shipstation_poll_initial_days or 1)
        return {"since": mapping.to_pacific_text(since),
                "until": fields.Datetime.to_string(fields.Datetime.now()), "page": 1}

    def _last_run_start(self, credential, stored_cursor):
        if isinstance(stored_cursor, dict) and stored_cursor.get("until"):
            return fields.Datetime.to_datetime(stored_cursor["until"])
        return credential._get_cursor(self.code).last_success_at or None

    def fetch_page(self, credential, cursor):
        filters = self.listing_filters(cursor["since"])
        if credential.shipstation_store_id:
            filters["storeId"] = credential.shipstation_store_id
        answer = ShipStationClient(credential).list_shipments(
            page=cursor["page"], **filters) or {}
        pages, items = answer.get("pages") or 1, answer.get("shipments") or []
        has_more = cursor["page"] < pages
        return Page(items=items, next_cursor=dict(cursor, page=cursor["page"] + 1)
                    if has_more else cursor, has_more=has_more,
                    pages_left=max(pages - cursor["page"], 0),
                    items_left=max((answer.get("total") or 0) - cursor["page"]
                                   * credential._shipstation_page_size(), 0))

    def import_items(self, credential, items):
        outcomes = credential._shipstation_apply_shipments(credential._shipstation_parse_v1(
            items, listed_store=credential.shipstation_store_id or None))
        return ImportStats(created=outcomes.get("applied", 0),
                           updated=outcomes.get("voided", 0),
                           skipped=outcomes.get("unchanged", 0),
                           failed=outcomes.get("unmatched", 0))

    def finish(self, credential, cursor):
        return {"until": cursor["until"]}


class ShipmentVoidsImport(ShipmentsImport):
    """Labels voided since the window start (a void is never pushed by a webhook)."""

    code = SHIPMENT_VOIDS_STREAM
    label = "Voided labels"

    @staticmethod
    def listing_filters(since):
        return {"voidDateStart": since}
