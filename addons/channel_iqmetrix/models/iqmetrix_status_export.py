"""iQmetrix status export, credential side: the shipping provider reported for a carrier,
and the echoes of status updates read back from the feed. The push itself is on sale.order
(sale_order.py)."""

from odoo import models

from .. import mapping


class IqmetrixStatusExport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqmetrix_shipping_provider(self, carrier):
        """The ShippingProvider name iQmetrix is told for an Odoo carrier: the carrier
        mapping's provider name, else the account's default, else the carrier's name."""
        row = self.env["channel.carrier.map"]._platform_codes(self, carrier, required=False)
        if row.provider_name:
            return row.provider_name
        return self.iqmetrix_default_provider or (carrier.name if carrier else None)

    def _iqmetrix_apply_status_entry(self, entry):
        """An order-status-updated entry (our own updates echoed, or ones another system of
        the supplier made): numbers Odoo never sent are kept so later updates resend them
        instead of overwriting them; our own (even a since withdrawn one) are not."""
        order = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("channel_external_id", "=", entry.order_id)], limit=1)
        if not order:
            return
        # Wait for a push of this order to commit: until then its numbers are not in the
        # history, and its echo would pass for another system's numbers.
        self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE",
                            [order.id])
        order.invalidate_recordset(["iqmetrix_tracking_history",
                                    "iqmetrix_foreign_tracking_numbers"])
        items = entry.payload.get("items") or []
        foreign = mapping.foreign_tracking_numbers(
            order.iqmetrix_foreign_tracking_numbers,
            [item.get("tracking_info") for item in items], order.iqmetrix_tracking_history)
        statuses = ", ".join(dict.fromkeys(item["status"] for item in items if item.get("status")))
        order.write({
            "iqmetrix_foreign_tracking_numbers": ",".join(foreign) or False,
            "iqmetrix_platform_status": statuses or order.iqmetrix_platform_status,
        })
