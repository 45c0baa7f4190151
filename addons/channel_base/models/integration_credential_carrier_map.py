from odoo import fields, models


class IntegrationCredential(models.Model):
    # One file per mechanism (issue 15), so parallel work on the credential merges cleanly.
    """The carrier mapping rows that apply to an account: its own and its platform's."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    carrier_map_count = fields.Integer("Carrier Mappings", compute="_compute_carrier_map_count")

    def _carrier_map_domain(self):
        self.ensure_one()
        return [("platform", "=", self.platform), ("credential_id", "in", [self.id, False])]

    def _compute_carrier_map_count(self):
        CarrierMap = self.env["channel.carrier.map"]
        for credential in self:
            credential.carrier_map_count = CarrierMap.search_count(
                credential._carrier_map_domain()) if credential.id else 0

    def action_open_carrier_maps(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Carrier Mapping"),
            "res_model": "channel.carrier.map",
            "view_mode": "list",
            "domain": self._carrier_map_domain(),
            "context": {"default_platform": self.platform, "default_credential_id": self.id},
        }
