"""iQmetrix feed entries parked in channel_base's inbox (stream "feed", payload the entry's
XML): Retry re-imports the entry from that XML."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, feed


class IqmetrixInbox(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _inbox_retryable_streams(self):
        if self.platform != const.PLATFORM:
            return super()._inbox_retryable_streams()
        return (const.FEED_STREAM,)

    def _inbox_retry(self, item):
        if self.platform != const.PLATFORM or item.stream != const.FEED_STREAM:
            return super()._inbox_retry(item)
        entry = self._iqmetrix_stored_entry(item)
        existing = self._iqmetrix_order_of(entry.order_id)
        if existing:  # imported meanwhile (a redelivered entry): nothing to create twice
            return existing
        products = self._iqmetrix_products_by_sku({i["sku"] for i in entry.payload["items"]})
        order = self.with_company(self.company_id)._iqmetrix_create_and_confirm(
            [self._iqmetrix_order_values(entry.payload, entry.updated, products)])
        order.filtered(lambda o: o._iqmetrix_has_status_to_report()) \
            ._iqmetrix_enqueue_status_push()
        return order

    def _iqmetrix_stored_entry(self, item):
        """The order-created entry of an inbox item, read again from its XML."""
        try:
            entry = feed.parse_entry_xml(item._payload() or "")
        except feed.FeedError as error:
            raise PermanentError(self.env._("Entry %(entry)s cannot be read: %(error)s",
                                            entry=item.external_id, error=error)) from None
        if entry.error:
            raise PermanentError(entry.error)
        if entry.kind != feed.ORDER_CREATED:
            raise PermanentError(self.env._("Entry %(entry)s is not an order (%(kind)s).",
                                            entry=item.external_id, kind=entry.kind or "-"))
        return entry

    def _iqmetrix_order_of(self, order_id):
        return self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("channel_external_id", "=", order_id)],
            limit=1)
