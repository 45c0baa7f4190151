from odoo import api, fields, models

from ..exceptions import PermanentError


class ChannelCarrierMap(models.Model):
    """How an Odoo carrier is named on a platform, both ways.

    Outbound, a transfer's carrier is sent as the row's carrier/service codes (or provider
    name); inbound, a shipment's carrier/service codes, or an order's shipping-method
    code, choose the Odoo carrier. A row without an account is the platform default for
    every account of that platform (platform modules ship those as data); a row of an
    account wins over the default.
    """

    _name = "channel.carrier.map"
    _description = "Carrier Mapping"
    _order = "platform, credential_id, sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    platform = fields.Selection(selection="_selection_platform", required=True, index=True)
    credential_id = fields.Many2one(
        "integration.credential", "Account", ondelete="cascade", index=True,
        help="Empty: the default for every account of the platform.")
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    carrier_id = fields.Many2one("delivery.carrier", "Odoo Carrier", ondelete="cascade",
                                 index=True)
    service_label = fields.Char("Odoo Service", help="Optional: which of the carrier's "
                                "services this row is, for people reading the table.")
    carrier_code = fields.Char("Platform Carrier Code", help="e.g. ups, fedex, stamps_com")
    service_code = fields.Char("Platform Service Code",
                               help="e.g. ups_ground; empty matches every service of the "
                               "carrier code.")
    provider_name = fields.Char("Platform Provider Name",
                                help="For platforms that take a display name, e.g. UPS.")
    method_code = fields.Char("Inbound Method Code",
                              help="A shipping-method code of imported orders that selects "
                              "this carrier.")

    @api.model
    def _selection_platform(self):
        return self.env["integration.credential"]._fields["platform"]._description_selection(
            self.env)

    @api.onchange("credential_id")
    def _onchange_credential_id(self):
        if self.credential_id:
            self.platform = self.credential_id.platform

    # ------------------------------------------------------------------ lookups

    @api.model
    def _rows_for(self, credential, domain):
        """Matching rows of ``credential`` first, then its platform's defaults."""
        rows = self.search(domain + [("platform", "=", credential.platform),
                                     ("credential_id", "in", [credential.id, False])])
        return (rows.filtered(lambda row: row.credential_id)
                + rows.filtered(lambda row: not row.credential_id))

    @api.model
    def _platform_codes(self, credential, carrier, required=True):
        """The row telling how ``credential``'s platform names ``carrier`` (an empty
        recordset for no carrier). An unmapped carrier raises PermanentError naming it and
        the account, unless ``required`` is false (then: an empty recordset)."""
        if not carrier:
            return self.browse()
        row = self._rows_for(credential, [("carrier_id", "=", carrier.id)])[:1]
        if not row and required:
            raise PermanentError(self.env._(
                "Carrier '%(carrier)s' has no %(platform)s mapping for account %(account)s: "
                "add one under Integrations ▸ Configuration ▸ Carrier Mapping.",
                carrier=carrier.name, account=credential.name,
                platform=dict(self._selection_platform()).get(credential.platform,
                                                              credential.platform)))
        return row

    @api.model
    def _odoo_carrier(self, credential, carrier_code, service_code=None):
        """The Odoo carrier of a platform carrier/service: a row with that exact service
        first, then a carrier-only row; empty when none is mapped."""
        if not carrier_code:
            return self.env["delivery.carrier"]
        rows = self._rows_for(credential, [("carrier_code", "=", carrier_code),
                                           ("carrier_id", "!=", False)])
        exact = rows.filtered(lambda row: service_code and row.service_code == service_code)
        generic = rows.filtered(lambda row: not row.service_code)
        return (exact or generic)[:1].carrier_id

    @api.model
    def _carrier_for_method(self, credential, method_code):
        """The Odoo carrier an inbound shipping-method code selects, or empty."""
        if not method_code:
            return self.env["delivery.carrier"]
        rows = self._rows_for(credential, [("method_code", "=", method_code),
                                           ("carrier_id", "!=", False)])
        return rows[:1].carrier_id
