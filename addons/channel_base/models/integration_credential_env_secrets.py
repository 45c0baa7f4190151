"""Secrets from the server: any secret field of any account may be given by the server's
environment or odoo.conf instead of the database (``docs/server_secrets.md``).

``CHANNEL_<ACCOUNT_CODE>_<FIELD>`` (environment) wins over ``channel_<account_code>_<field>``
(odoo.conf), which wins over the database. Both are read once, when the process starts
(``os.environ``, ``tools.config``): rotating a server secret is a restart.
"""

import os
import re
from functools import lru_cache

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .integration_credential import MANAGER_GROUP

ACCOUNT_CODE_PATTERN = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
SOURCE_DATABASE = "database"
SOURCE_ENVIRONMENT = "environment"
SOURCE_CONFIG = "odoo.conf"


def account_code_from_name(name):
    """``"Main Store (EU)"`` -> ``"main_store_eu"``; ``"account"`` when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "_", (name or "").lower()).strip("_") or "account"


def server_secret_names(account_code, field_name):
    """(environment variable, odoo.conf option) that may hold ``field_name`` of an account."""
    return (f"CHANNEL_{account_code}_{field_name}".upper(),
            f"channel_{account_code}_{field_name}".lower())


def server_secret(account_code, field_name):
    """(value, source, where) from the server, or (None, None, None) if it gives none."""
    if not account_code:
        return None, None, None
    variable, option = server_secret_names(account_code, field_name)
    if os.environ.get(variable):
        return os.environ[variable], SOURCE_ENVIRONMENT, variable
    if tools.config.get(option):
        return tools.config[option], SOURCE_CONFIG, option
    return None, None, None


class _ServerSecretField:
    """Read one secret field of a credential view through ``_secret()``."""

    def __init__(self, name):
        self.name = name

    def __get__(self, record, owner=None):
        if record is None:
            return self
        return record._secret(self.name) if record else False


@lru_cache(maxsize=64)
def _secret_view_class(model_class, secret_names):
    attrs = {"_register": False, "__module__": model_class.__module__}
    attrs.update({name: _ServerSecretField(name) for name in secret_names})
    return type(model_class)(model_class.__name__, (model_class,), attrs)


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    account_code = fields.Char(
        copy=False, index=True,
        help="Technical code naming this account on the server: its secrets may be given "
        "as environment variables CHANNEL_<CODE>_<FIELD> or odoo.conf options "
        "channel_<code>_<field> instead of being stored in the database. Lower-case "
        "letters, digits and underscores; defaults from the name.")
    secret_source_info = fields.Text(
        "Where Secrets Come From", compute="_compute_secret_source_info", groups=MANAGER_GROUP)

    _sql_constraints = [
        ("account_code_unique", "unique(account_code)", "Another account has this code."),
    ]

    def init(self):
        # Accounts created before account codes existed get one from their name.
        self.env.cr.execute("""
            WITH coded AS (
                SELECT id, COALESCE(NULLIF(trim(both '_' from regexp_replace(
                           lower(name), '[^a-z0-9]+', '_', 'g')), ''), 'account') AS code
                  FROM integration_credential WHERE account_code IS NULL)
            UPDATE integration_credential c SET account_code = coded.code || '_' || c.id
              FROM coded WHERE coded.id = c.id""")

    @api.model_create_multi
    def create(self, vals_list):
        taken = set()
        for vals in vals_list:
            if not vals.get("account_code"):
                vals["account_code"] = self._free_account_code(
                    account_code_from_name(vals.get("name")), taken)
            taken.add(vals["account_code"])
        return super().create(vals_list)

    def _free_account_code(self, wanted, taken):
        existing = set(self.with_context(active_test=False).search(
            [("account_code", "=like", wanted + "%")]).mapped("account_code")) | taken
        code, suffix = wanted, 1
        while code in existing:
            suffix += 1
            code = f"{wanted}_{suffix}"
        return code

    @api.constrains("account_code")
    def _check_account_code(self):
        for credential in self:
            if not ACCOUNT_CODE_PATTERN.match(credential.account_code or ""):
                raise ValidationError(self.env._(
                    "The account code %(code)r may hold only lower-case letters, digits and "
                    "single underscores.", code=credential.account_code))

    # ------------------------------------------------------------------ the accessor

    def _secret(self, field_name):
        """The value of secret ``field_name``: the server's (environment, then odoo.conf)
        when it gives one, otherwise the database's. Every read of a secret goes here."""
        self.ensure_one()
        value = server_secret(self.account_code, field_name)[0]
        return value if value is not None else self.sudo()[field_name]

    def _secret_source(self, field_name):
        """(source, where): ``("environment", "CHANNEL_X_Y")``, ``("odoo.conf", ...)``,
        ``("database", None)``, or ``(None, None)`` when nothing gives a value."""
        self.ensure_one()
        _value, source, where = server_secret(self.account_code, field_name)
        if source:
            return source, where
        return (SOURCE_DATABASE, None) if self.sudo()[field_name] else (None, None)

    def _secret_values(self):
        """Every secret value in use, the server's and the database's (all masked in logs)."""
        self.ensure_one()
        record = self.sudo()
        names = self._secret_field_names()
        values = [record._secret(name) for name in names] + [record[name] for name in names]
        return list(dict.fromkeys(value for value in values if value))

    def _with_server_secrets(self):
        """This credential as a view whose secret fields read through ``_secret()``:
        ``view.shipstation_api_key`` is the server's value when it gives one. The view is
        a recordset of the same model (usable anywhere a credential is); only attribute
        reads of secret fields differ. ``ChannelClient`` hands its clients this view."""
        view_class = _secret_view_class(type(self), tuple(self._secret_field_names()))
        return view_class(self.env, self._ids, self._prefetch_ids)

    @api.depends("account_code", "platform")
    def _compute_secret_source_info(self):
        for credential in self:
            names = ["webhook_secret", *credential._platform_secret_field_names()]
            credential.secret_source_info = "\n".join(
                credential._secret_source_line(name) for name in names
            ) if credential.id and credential.platform else False

    def _secret_source_line(self, field_name):
        label = self._fields[field_name].get_description(self.env)["string"]
        source, where = self._secret_source(field_name)
        if source == SOURCE_ENVIRONMENT:
            text = self.env._("server environment (%s)", where)
        elif source == SOURCE_CONFIG:
            text = self.env._("odoo.conf (%s)", where)
        elif source == SOURCE_DATABASE:
            text = self.env._("database")
        else:
            variable, option = server_secret_names(self.account_code or "<code>", field_name)
            text = self.env._("not set (database, %(variable)s or %(option)s)",
                              variable=variable, option=option)
        return f"{label}: {text}"
