from odoo import models

from ..const import PLATFORM


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._iqr_enqueue_tracking()
        return result

    def write(self, vals):
        result = super().write(vals)
        # Tracking often arrives after validation (a carrier label, a shipping platform),
        # and leaves it when a label is voided: IQR must hear of both.
        if "carrier_tracking_ref" in vals:
            self.filtered(lambda picking: picking.state == "done")._iqr_enqueue_tracking(
                withdrawn=True)
        return result

    def _iqr_enqueue_tracking(self, withdrawn=False):
        """Queue the tracking write-back of the IQR orders these deliveries ship; with
        ``withdrawn``, also of orders that sent tracking and may now have less of it."""
        shipped = self.filtered(
            lambda picking: picking.state == "done"
            and picking.picking_type_code == "outgoing"
            and picking.sale_id.channel_credential_id.platform == PLATFORM
            and (picking.carrier_tracking_ref
                 or (withdrawn and picking.sale_id.iqr_tracking_numbers))
        )
        shipped.sale_id._iqr_enqueue_tracking()

    # What a shipping connector learnt from the carrier wins over the Odoo carrier: read
    # channel_shipstation's fields when that module is installed (no dependency on it).

    def _iqr_carrier_name(self):
        """Carrier written to IQR."""
        self.ensure_one()
        return self._iqr_optional_field("shipstation_carrier_code") or self.carrier_id.name or ""

    def _iqr_service_name(self):
        """Shipping method written to IQR."""
        self.ensure_one()
        return (self._iqr_optional_field("shipstation_service_code")
                or self.carrier_id.product_id.name or self.carrier_id.name or "")

    def _iqr_ship_date(self):
        """Ship date (a date, or a naive-UTC datetime)."""
        self.ensure_one()
        return self._iqr_optional_field("shipstation_ship_date") or self.date_done

    def _iqr_optional_field(self, name):
        return self[name] if name in self._fields else False
