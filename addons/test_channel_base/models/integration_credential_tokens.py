from odoo import fields, models

MANAGER_GROUP = "channel_base.group_integration_manager"


class IntegrationCredential(models.Model):
    """Secrets of the example platform's token strategies (see ../token_clients.py)."""

    _inherit = "integration.credential"

    example_client_secret = fields.Char(groups=MANAGER_GROUP)
    example_password = fields.Char(groups=MANAGER_GROUP)
    example_refresh_token = fields.Char(
        groups=MANAGER_GROUP, help="Refresh token handed out by the user's consent.")
