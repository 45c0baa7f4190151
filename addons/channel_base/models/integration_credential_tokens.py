from odoo import models

from .channel_access_token import RETRY_REFUSED_CONTEXT


class IntegrationCredential(models.Model):
    """The credential's side of the token store: tokens die with the secrets (or the API
    host) they were obtained with."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        result = super().write(vals)
        if set(vals) & self._token_source_fields():
            self.env["channel.access.token"].sudo()._forget(self.ids)
        return result

    def _token_source_fields(self):
        """Fields whose change makes every stored token worthless."""
        return set(self._secret_field_names()) - {"webhook_secret"} | {"api_base_url"}

    def _discard_access_token(self, token):
        """Forget ``token`` if it is still the stored one (compare before clearing)."""
        self.ensure_one()
        self.env["channel.access.token"].sudo()._discard_access_token(self.id, token)

    def _stored_token_values(self):
        """Every token held for this credential (for masking checks)."""
        self.ensure_one()
        return self.env["channel.access.token"].sudo()._stored_secrets(self.id)

    def action_test_connection(self):
        # The person's own retry: a grant may be asked even while reconnect is needed.
        return super(IntegrationCredential, self.with_context(
            **{RETRY_REFUSED_CONTEXT: True})).action_test_connection()
