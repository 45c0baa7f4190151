from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    shiphero_is_brand = fields.Boolean(
        "Brand", help="A brand the 3PL ships for, with its own ShipHero account.")
    shiphero_credential_ids = fields.One2many(
        "integration.credential", "shiphero_brand_id", "ShipHero Accounts")
    shiphero_brand_id = fields.Many2one(
        "res.partner", "Brand of User", domain=[("shiphero_is_brand", "=", True)],
        help="Portal users of a brand see that brand's orders, shipments, purchase orders "
        "and products only.")
