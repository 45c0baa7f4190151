from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # What IQR is told about a shipment: the carrier map of the account first
    # (channel.carrier.map provider_name / service_code), then what a shipping connector
    # learnt from the carrier (channel_shipstation's fields, read when that module is
    # installed, no dependency on it), then the Odoo carrier.

    def _iqr_carrier_row(self, credential):
        return self.env["channel.carrier.map"].sudo()._platform_codes(
            credential, self.carrier_id, required=False)

    def _iqr_carrier_name(self, credential):
        """Carrier written to IQR."""
        self.ensure_one()
        return (self._iqr_carrier_row(credential).provider_name
                or self._iqr_optional_field("shipstation_carrier_code")
                or self.carrier_id.name or "")

    def _iqr_service_name(self, credential):
        """Shipping method written to IQR."""
        self.ensure_one()
        return (self._iqr_carrier_row(credential).service_code
                or self._iqr_optional_field("shipstation_service_code")
                or self.carrier_id.product_id.name or self.carrier_id.name or "")

    def _iqr_ship_date(self):
        """Ship date (a date, or a naive-UTC datetime)."""
        self.ensure_one()
        return self._iqr_optional_field("shipstation_ship_date") or self.date_done

    def _iqr_optional_field(self, name):
        return self[name] if name in self._fields else False
