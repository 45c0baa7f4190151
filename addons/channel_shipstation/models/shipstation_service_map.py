from odoo import fields, models


class ShipStationServiceMap(models.Model):
    """Which Odoo carrier a ShipStation carrier/service is, both ways: a transfer's carrier
    is requested as this carrier/service, and a shipment with it sets that carrier."""

    _name = "shipstation.service.map"
    _description = "ShipStation Shipping Service Mapping"
    _order = "credential_id, carrier_code, service_code"

    credential_id = fields.Many2one(
        "integration.credential", required=True, ondelete="cascade", index=True
    )
    carrier_code = fields.Char(required=True, help="e.g. ups, fedex, stamps_com")
    service_code = fields.Char(help="e.g. ups_ground; empty matches every service of the "
                               "carrier.")
    delivery_carrier_id = fields.Many2one("delivery.carrier", "Odoo Carrier", required=True)

    _sql_constraints = [
        ("service_uniq", "unique(credential_id, carrier_code, service_code)",
         "This ShipStation service is already mapped."),
    ]
