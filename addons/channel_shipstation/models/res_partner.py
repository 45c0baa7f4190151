from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _shipstation_address(self):
        """Plain address values for ``mapping.address_payload``."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        name = self.name or commercial.name or ""
        company = commercial.name if commercial.is_company and commercial != self else (
            self.company_name or None)
        return {
            "name": name,
            "company": company,
            "street": self.street,
            "street2": self.street2,
            "city": self.city,
            "state_code": self.state_id.code,
            "zip": self.zip,
            "country_code": self.country_id.code,
            "phone": self.phone or self.mobile,
            "email": self.email,
        }
