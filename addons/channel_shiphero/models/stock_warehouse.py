from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    shiphero_calendar_id = fields.Many2one(
        "resource.calendar", "Shipping Days",
        help="Working days, hours and holidays of this warehouse for the late-shipment "
        "clock; empty: the company's working hours.")
    shiphero_cutoff_hour = fields.Float(
        "Same-Day Cutoff", help="Orders ready to ship before this time (warehouse time) on "
        "a working day are due that day; 0: the company's cutoff.")


class ResCompany(models.Model):
    _inherit = "res.company"

    shiphero_cutoff_hour = fields.Float(
        "Same-Day Cutoff", default=14.0,
        help="Orders ready to ship before this time on a working day are due that day.")
    shiphero_at_risk_hours = fields.Float(
        "At Risk Within (hours)", default=2.0,
        help="An open order whose ship-by deadline is this close is at risk.")
