"""Test Connection keeps its result on the account and in the chatter, and names the
field to fix when the error says which (``docs/connection_test.md``)."""

from odoo import fields, models

from ..exceptions import AuthError, TransientError


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    last_connection_test_at = fields.Datetime("Last Connection Test", readonly=True, copy=False)
    last_connection_test_ok = fields.Boolean("Last Test Succeeded", readonly=True, copy=False)
    last_connection_test_message = fields.Char("Last Test Result", readonly=True, copy=False)

    def _record_connection_test(self, succeeded, message):
        self.sudo().write({
            "last_connection_test_at": fields.Datetime.now(),
            "last_connection_test_ok": succeeded,
            "last_connection_test_message": message[:1000],
        })
        self.message_post(body=self.env._("Test Connection: %s", message))
        action = self._notification(message, "success" if succeeded else "danger")
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return action

    def _connection_error_text(self, error):
        text = self.env._("Connection to %(name)s failed: %(error)s", name=self.name,
                          error=getattr(error, "message", None) or error)
        field_name = self._connection_error_field(error)
        if field_name:
            label = self._fields[field_name].get_description(self.env)["string"]
            text += " " + self.env._("Check the field “%s”.", label)
        return text

    def _connection_error_field(self, error):
        """The field the user should fix for ``error``, or False. Platforms override to
        name a precise field (a sign-in URL, a client id) when their error says which;
        by default a refusal of the credentials names the first secret, and a server that
        cannot be reached the API base URL."""
        if isinstance(error, AuthError):
            secrets = self._platform_secret_field_names()
            return secrets[0] if secrets else False
        if isinstance(error, TransientError) and not error.status:
            return "api_base_url"
        return False

    def _platform_secret_field_names(self):
        """This platform's own secret fields, in definition order: those defined by the
        module(s) that added the platform's key (or, failing that, named
        ``<platform>_...``). A platform overrides this if neither fits."""
        modules = self._fields["platform"]._selection_modules(self).get(self.platform, set())
        prefix = f"{self.platform}_"
        return [name for name in self._secret_field_names() if name != "webhook_secret" and (
            self._fields[name]._module in modules or name.startswith(prefix))]
