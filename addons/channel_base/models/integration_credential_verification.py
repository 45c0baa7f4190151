import logging

from odoo import models

from .. import verification

_logger = logging.getLogger(__name__)

URL_TOKEN_PARAMETER = "token"  # noqa: S105 - a parameter name, not a secret


def header_value(headers, name):
    """The value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if str(key).lower() == wanted:
            return value
    return None


class IntegrationCredential(models.Model):
    """Inbound verification, declared per platform instead of re-implemented.

    A platform that signs its bodies with HMAC-SHA256 overrides two hooks::

        def _webhook_signature_header(self):
            if self.platform != "shopify":
                return super()._webhook_signature_header()
            return "X-Shopify-Hmac-Sha256"

        def _webhook_signing_secret(self):
            if self.platform != "shopify":
                return super()._webhook_signing_secret()
            return self._secret("shopify_api_secret")

    A platform that does not sign overrides nothing: the URL's ``token`` parameter must
    equal the account's webhook secret. Platforms that sign with something else (RSA)
    override ``_webhook_authenticate`` and call ``super()`` for the URL token.
    """

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ webhook hooks

    def _webhook_signature_header(self):
        """The header carrying the HMAC-SHA256 of the raw body, or False when the platform
        does not sign with an HMAC."""
        return False

    def _webhook_signature_encoding(self):
        """``"base64"`` (Shopify, ShipHero) or ``"hex"``."""
        return "base64"

    def _webhook_signature_prefix(self):
        """A scheme prefix before the digest, e.g. ``"sha256="``; empty for none."""
        return ""

    def _webhook_signing_secret(self):
        """The HMAC key; by default the account's webhook secret."""
        return self._secret("webhook_secret")

    def _webhook_requires_url_token(self):
        """True when deliveries must carry ``?token=<webhook secret>``: by default every
        platform that does not sign. A signing platform returns True as well where one
        signing key serves every customer (the signature then does not prove the account)."""
        return not self._webhook_is_signed()

    def _webhook_is_signed(self):
        """True where the platform signs deliveries (HMAC/RSA); False means the token in
        the URL authenticates them. Names the refusal reason: bad_signature / bad_token."""
        return bool(self._webhook_signature_header())

    # ------------------------------------------------------------------ webhook check

    def _webhook_authenticate(self, raw_body, headers, query):
        """The URL token where required, then the HMAC signature where declared. Reads
        nothing but this credential, and nothing at all is parsed before it answers True."""
        self.ensure_one()
        if self._webhook_requires_url_token() and not verification.verify_url_token(
                self._secret("webhook_secret"), (query or {}).get(URL_TOKEN_PARAMETER)):
            return False
        header = self._webhook_signature_header()
        if not header:
            return True
        return self._webhook_verify_hmac(raw_body, header_value(headers, header))

    def _webhook_verify_hmac(self, raw_body, signature):
        verified = verification.verify_hmac_sha256(
            self._webhook_signing_secret(), raw_body, signature,
            encoding=self._webhook_signature_encoding(),
            prefix=self._webhook_signature_prefix(),
        )
        if not verified:
            _logger.warning("Webhook for credential %s refused: signature %s", self.id,
                            "missing" if not signature else "does not match")
        return verified

    # ------------------------------------------------------------------ followed URLs

    def _followed_url_extra_bases(self):
        """Origins besides the API base URL whose URLs this platform's payloads may name
        (e.g. a bulk-export host); full base URLs, compared by scheme, host and port."""
        return []

    def _followed_url_host_patterns(self):
        """Regular expressions for numbered https hosts a payload may name (fullmatch,
        default port), e.g. ``r"ssapi\\d*\\.shipstation\\.com"``; none by default."""
        return ()

    def _check_followed_url(self, url):
        """``url`` when it may be called with this account's credentials; otherwise
        ``verification.FollowedUrlRefused`` (a PermanentError) naming it, masked."""
        self.ensure_one()
        bases = [self._get_api_base_url(), *self._followed_url_extra_bases()]
        return verification.check_followed_url(url, bases, self._followed_url_host_patterns())
