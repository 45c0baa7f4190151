"""Verification of ShipStation V2 (ShipEngine) webhook signatures.

RSASSA-PKCS1-v1_5 / SHA-256 over ``timestamp + "." + raw body``, base64 in the
``x-shipengine-rsa-sha256-signature`` header, public key found by the ``key-id`` header in the
JWKS. The JWKS is cached per URL in the process (a cache, not state: any worker can
refetch it) and refetched when a delivery names a key it does not hold.
"""

import base64
import binascii
import threading
import time
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from odoo.addons.channel_base import verification

from .const import (
    V2_KEY_ID_HEADER,
    V2_SIGNATURE_HEADER,
    V2_SIGNATURE_MAX_AGE,
    V2_TIMESTAMP_HEADER,
)

# An unknown key id triggers at most one refetch per this many seconds and URL, so forged
# deliveries naming random key ids cannot make us hammer the JWKS endpoint.
UNKNOWN_KID_REFETCH_SECONDS = 30
# Cached keys are refreshed anyway after this long.
JWKS_MAX_AGE_SECONDS = 3600

_cache = {}  # jwks url -> {"keys": {kid: public key}, "fetched": monotonic, "refetched": monotonic}
_lock = threading.Lock()


class SignatureError(Exception):
    pass


def lower_headers(headers):
    return {str(name).lower(): value for name, value in (headers or {}).items()}


def has_v2_signature(headers):
    """True when any of the ShipEngine RSA headers is present (then it must verify)."""
    names = lower_headers(headers)
    return any(name.startswith("x-shipengine-rsa-sha256-") for name in names)


def clear_cache():
    with _lock:
        _cache.clear()


def public_keys_from_jwks(jwks):
    """{kid: RSA public key} from a JWKS document; malformed keys are skipped."""
    keys = {}
    for entry in (jwks or {}).get("keys") or []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not entry.get("kid"):
            continue
        try:
            numbers = rsa.RSAPublicNumbers(_b64url_int(entry["e"]), _b64url_int(entry["n"]))
            keys[entry["kid"]] = numbers.public_key()
        except (KeyError, TypeError, ValueError, binascii.Error):
            continue
    return keys


def _b64url_int(text):
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return int.from_bytes(raw, "big")


def public_key(jwks_url, kid, fetch_jwks, now=time.monotonic):
    """The key ``kid`` from the cached JWKS of ``jwks_url``, refetching (``fetch_jwks()``
    returns the JWKS dict) when the cache is empty, stale, or lacks that key."""
    with _lock:
        entry = _cache.get(jwks_url)
    moment = now()
    stale = not entry or moment - entry["fetched"] > JWKS_MAX_AGE_SECONDS
    if entry and not stale and kid in entry["keys"]:
        return entry["keys"][kid]
    may_refetch = stale or moment - entry.get("refetched", -1e9) > UNKNOWN_KID_REFETCH_SECONDS
    if not may_refetch:
        raise SignatureError(f"unknown signing key {kid!r}")
    keys = public_keys_from_jwks(fetch_jwks())
    with _lock:
        _cache[jwks_url] = {
            "keys": keys,
            "fetched": moment,
            "refetched": moment if entry and not stale else -1e9,
        }
    if kid not in keys:
        raise SignatureError(f"unknown signing key {kid!r}")
    return keys[kid]


def verify(raw_body, headers, jwks_url, fetch_jwks, utcnow=None):
    """Raise SignatureError unless the delivery is signed by ShipStation within the window."""
    names = lower_headers(headers)
    kid = names.get(V2_KEY_ID_HEADER)
    signature_b64 = names.get(V2_SIGNATURE_HEADER)
    timestamp = names.get(V2_TIMESTAMP_HEADER)
    if not (kid and signature_b64 and timestamp):
        raise SignatureError("incomplete signature headers")
    check_timestamp(timestamp, utcnow or datetime.now(timezone.utc))
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("signature is not base64") from None
    key = public_key(jwks_url, kid, fetch_jwks)
    try:
        key.verify(signature, timestamp.encode() + b"." + raw_body, padding.PKCS1v15(),
                   hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("signature does not match the body") from None


def check_timestamp(timestamp, utcnow):
    """The shared window check: an ISO 8601 stamp with its zone, at most
    V2_SIGNATURE_MAX_AGE seconds away either way (clock skew)."""
    if not verification.within_timestamp_window(timestamp, V2_SIGNATURE_MAX_AGE, now=utcnow):
        raise SignatureError(f"timestamp {timestamp!r} is unreadable, has no timezone or is "
                             f"more than {V2_SIGNATURE_MAX_AGE} s away from now")
