"""The one DSCO client: OAuth2 client-credentials tokens, JSON over HTTPS."""

from urllib.parse import quote

from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.models.channel_access_token import TOKEN_MARGIN_SECONDS
from odoo.addons.channel_base.token_strategies import ClientCredentialsGrant

from . import const


class DscoClientCredentials(ClientCredentialsGrant):
    """DSCO tokens last an hour and are reused until 5 minutes before they expire: the
    stored expiry is shortened so that the store's own margin ends reuse there."""

    def obtain(self, client, stored):
        result = super().obtain(client, stored)
        lifetime = float(result.expires_in or 3600)
        early = const.TOKEN_REUSE_MARGIN_SECONDS - TOKEN_MARGIN_SECONDS
        return result._replace(expires_in=max(lifetime - early, 0.0))


class DscoClient(ChannelClient):
    token_strategy = DscoClientCredentials(const.TOKEN_PATH)
    # getStream / acknowledge / shipments: 10-15 requests per second (dsco.md).
    rate_limit_kind = "window"
    rate_limit_capacity = 10
    rate_limit_period = 1.0

    def _token_grant_fields(self, grant_type):
        return {"client_id": self.credential.dsco_client_id,
                "client_secret": self.credential.dsco_client_secret}

    def _error_message(self, response):
        """DSCO refusals are SyncUpdateResponses: ``messages[{code, description}]``."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("messages"), list):
            texts = [f"{m.get('code')}: {m.get('description')}" for m in body["messages"]
                     if isinstance(m, dict)]
            if texts:
                return "; ".join(texts)[:1000]
        return super()._error_message(response)

    def call(self, method, path, **kwargs):
        """The one request method: JSON in, JSON out (``path`` from const)."""
        return self.request_json(method, path, **kwargs)

    @staticmethod
    def events_path(stream_id, position, partition=const.PARTITION):
        # rithumClient.js URL-encodes the position: it is an opaque string.
        return const.STREAM_EVENTS_PATH.format(
            stream_id=quote(str(stream_id), safe=""), partition=partition,
            position=quote(str(position), safe=""))
