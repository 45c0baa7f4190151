from odoo import fields, models


class IqmetrixCarrierMap(models.Model):
    """How iQmetrix shipping methods and providers correspond to Odoo carriers."""

    _name = "iqmetrix.carrier.map"
    _description = "iQmetrix Shipping Method / Provider Mapping"
    _order = "credential_id, sequence, id"

    sequence = fields.Integer(default=10)
    credential_id = fields.Many2one(
        "integration.credential", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    shipping_method_code = fields.Char(
        help="The <shipping-method> of order-created entries that selects this carrier.")
    carrier_id = fields.Many2one("delivery.carrier", "Odoo Carrier", ondelete="cascade")
    shipping_provider = fields.Char(
        "iQmetrix Shipping Provider",
        help="ShippingProvider sent with tracking numbers of deliveries by this carrier, "
        "e.g. UPS, FedEx, Purolator.")
