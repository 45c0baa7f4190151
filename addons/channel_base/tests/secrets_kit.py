"""The shared secrets test kit every platform module runs on its flows.

After the platform's own flows ran (imports, pushes, a refused call, a webhook...), no
secret of the credential (every manager-only field, the webhook secret included) and no
token the token store holds or the platform handed out may appear in what people and
logs can read: ``channel.api.log`` (every text field), ``mail.message`` bodies,
``sync.job`` errors and results, ``channel.webhook.event``, and the Python log output of
Odoo's loggers and werkzeug's request lines (``odoo.addons`` captured at DEBUG).

Use it in a ``TransactionCase`` of the platform module, whose ``self.credential`` is the
account the flows use::

    class TestShipStationSecrets(SecretsKit, ShipStationTestMixin, TransactionCase):
        def _secrets_kit_run_flows(self):        # run the platform's flows
            ...
        def _secrets_kit_platform_secrets(self):  # tokens the simulator handed out
            return self.sim.issued_tokens
"""

import logging

from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name
from odoo.tools import SQL

#: Models whose stored text is read by people; only rows created by the flows are read.
SCANNED_MODELS = ("channel.api.log", "mail.message", "sync.job", "channel.webhook.event")
TEXT_TYPES = ("char", "text", "html", "json")
#: Our code logs under "odoo"; "werkzeug" writes the request line of every HTTP call
#: Odoo serves (a secret in a webhook URL would land there).
CAPTURED_LOGGERS = ("odoo", "werkzeug")


class _CapturedLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a record that cannot be formatted shows nothing
            self.lines.append(str(record.msg))


class SecretsKit:
    def _secrets_kit_run_flows(self):
        """Run the platform's flows against its simulator (the kit then scans)."""
        raise NotImplementedError

    def _secrets_kit_platform_secrets(self):
        """Tokens and sessions the platform (simulator) handed out during the flows."""
        return []

    def _secrets_kit_credential(self):
        return self.credential

    # ------------------------------------------------------------------ the test

    def test_secrets_kit_no_secret_is_readable_after_the_flows(self):
        starts = {model: self._secrets_kit_last_id(model) for model in SCANNED_MODELS}
        captured = self._secrets_kit_capture_logs()
        try:
            self._secrets_kit_run_flows()
        finally:
            self._secrets_kit_release_logs(captured)
        secrets = self._secrets_kit_secrets()
        self.assertTrue(secrets, "the kit found no secret to look for")
        texts = self._secrets_kit_texts(starts)
        texts["python log"] = captured.lines
        self.assertTrue(texts["channel.api.log"], "the flows called no API")
        for where, values in texts.items():
            for value in values:
                for secret in secrets:
                    self.assertNotIn(secret, value, f"a secret is readable in {where}")

    # ------------------------------------------------------------------ collecting

    def _secrets_kit_secrets(self):
        credential = self._secrets_kit_credential()
        found = set(credential.sudo()._secret_values())
        found.update(credential._stored_token_values())
        found.update(self._secrets_kit_platform_secrets())
        # Too short to be a real secret: it would match unrelated text.
        return sorted(value for value in found if value and len(value) >= 8)

    def _secrets_kit_last_id(self, model):
        self.env.cr.execute(SQL("SELECT COALESCE(MAX(id), 0) FROM %s",
                                SQL.identifier(self.env[model]._table)))
        return self.env.cr.fetchone()[0]

    def _secrets_kit_texts(self, starts):
        """Text of the rows the flows created: from this test's transaction and from a
        fresh cursor (logs are committed on their own cursor, after our snapshot)."""
        self.env.flush_all()
        texts = {model: self._secrets_kit_rows(self.env.cr, model, starts[model])
                 for model in SCANNED_MODELS}
        with Registry(get_db_name()).cursor() as cr:
            for model in SCANNED_MODELS:
                texts[model] += self._secrets_kit_rows(cr, model, starts[model])
        return texts

    def _secrets_kit_rows(self, cr, model, start_id):
        columns = [name for name, field in self.env[model]._fields.items()
                   if field.type in TEXT_TYPES and field.store and field.column_type]
        selected = SQL(", ").join(SQL("COALESCE(%s::text, '')", SQL.identifier(name))
                                  for name in columns)
        cr.execute(SQL("SELECT %s FROM %s WHERE id > %s", selected,
                       SQL.identifier(self.env[model]._table), start_id))
        return [" | ".join(row) for row in cr.fetchall()]

    # ------------------------------------------------------------------ python log

    def _secrets_kit_capture_logs(self):
        captured = _CapturedLog()
        captured.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        captured.previous_level = logging.getLogger("odoo.addons").level
        for name in CAPTURED_LOGGERS:
            logging.getLogger(name).addHandler(captured)
        logging.getLogger("odoo.addons").setLevel(logging.DEBUG)
        return captured

    def _secrets_kit_release_logs(self, captured):
        logging.getLogger("odoo.addons").setLevel(captured.previous_level)
        for name in CAPTURED_LOGGERS:
            logging.getLogger(name).removeHandler(captured)
