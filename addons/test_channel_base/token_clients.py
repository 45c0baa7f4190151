"""Example-platform clients, one per token strategy of channel_base (tests only)."""

from odoo.addons.channel_base.token_strategies import (
    ClientCredentialsGrant,
    PasswordGrant,
    RefreshTokenGrant,
    SessionLogin,
)

from .client import ExampleClient

CLIENT_ID = "example-client"
USERNAME = "example-user"


class ExampleClientCredentialsClient(ExampleClient):
    token_strategy = ClientCredentialsGrant("/oauth2/token", scope="orders")

    def _token_grant_fields(self, grant_type):
        return {"client_id": CLIENT_ID, "client_secret": self.credential.example_client_secret}


class ExamplePasswordClient(ExampleClient):
    token_strategy = PasswordGrant("/oauth2/token")

    def _token_grant_fields(self, grant_type):
        fields = {"client_id": CLIENT_ID}
        if grant_type == "password":
            fields.update(username=USERNAME, password=self.credential.example_password)
        return fields


class ExampleConsentClient(ExampleClient):
    token_strategy = RefreshTokenGrant("example_refresh_token", "/oauth2/token")

    def _token_grant_fields(self, grant_type):
        return {"client_id": CLIENT_ID}


class ExampleSessionClient(ExampleClient):
    token_strategy = SessionLogin("/session/login", lifetime=600, answer_key="Data",
                                  header_name="X-Session-Token", header_prefix="")

    def _session_login_payload(self):
        return {"api_key": self.credential.example_api_key}


class ExampleSmallAnswersClient(ExampleClient):
    max_response_bytes = 256 * 1024

    def fetch_big(self, size, mode):
        return self.request("GET", "/big", params={"size": size, "mode": mode})
