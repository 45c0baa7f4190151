"""The example platform's orders stream, as a resumable paged import.

The simulator pages like ShipStation V1 (``page``, ``pageSize`` -> ``pages``, ``total``),
in order of order id, so the cursor is simply how many orders are consumed: the next
fetch asks for the page holding order ``cursor + 1`` and skips what it already had.
"""

from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from .client import ExampleClient

PAGE_SIZE = 50


class ExampleOrdersImport(PagedImport):
    code = "orders"
    label = "Orders"
    page_size = PAGE_SIZE

    def start_cursor(self, credential, stored_cursor):
        return stored_cursor or 0

    def fetch_page(self, credential, cursor):
        page_number = cursor // self.page_size + 1
        answer = ExampleClient(credential).fetch_orders_page(page_number, self.page_size)
        consumed_before = (page_number - 1) * self.page_size
        items = answer["orders"][cursor - consumed_before:]
        return Page(items=items, next_cursor=cursor + len(items),
                    has_more=page_number < answer["pages"],
                    pages_left=max(answer["pages"] - page_number, 0),
                    items_left=max(answer["total"] - cursor - len(items), 0))

    def import_items(self, credential, items):
        created = sum(credential._example_import_order(order) for order in items)
        orders = credential.env["sale.order"].search([
            ("channel_credential_id", "=", credential.id),
            ("channel_external_id", "in", [str(order["id"]) for order in items])])
        return ImportStats(created=created, skipped=len(items) - created,
                           records={"sale.order": orders.ids} if orders else {},
                           details={"already_imported": len(items) - created})
