"""eBay notification signatures (pure functions, no ORM).

``X-EBAY-SIGNATURE`` is base64 of a JSON object ``{alg, kid, signature, digest}``; the
key of ``kid`` comes from the Notification API getPublicKey (``{algorithm: "ECDSA",
digest: "SHA1", key: PEM}``) and ``signature`` (base64) is ECDSA over the raw body with
that digest (developer.ebay.com/marketplace-account-deletion; eBay's
event-notification-nodejs-sdk lib/validator.js). The scheme is kept in one place:
``verify`` takes the key's algorithm and digest as eBay states them.
"""

import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

DIGESTS = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}


def parse_header(value):
    """The decoded header as a dict, or None when it is missing or garbled."""
    if not value:
        return None
    try:
        decoded = json.loads(base64.b64decode(value, validate=False))
    except (ValueError, binascii.Error, TypeError):
        return None
    if not isinstance(decoded, dict) or not decoded.get("kid") or not decoded.get("signature"):
        return None
    return decoded


BEGIN, END = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"


def pem_of(key):
    """eBay answers the PEM on one line (BEGIN, base64, END run together): re-wrap it."""
    body = "".join(key.replace(BEGIN, "").replace(END, "").split())
    lines = [body[start:start + 64] for start in range(0, len(body), 64)]
    return "\n".join([BEGIN, *lines, END, ""]).encode()


def verify(public_key, raw_body, header, digest="SHA1"):
    """True when ``header`` (decoded) signs ``raw_body`` with ``public_key`` (PEM text)."""
    if not header or digest not in DIGESTS:
        return False
    try:
        key = serialization.load_pem_public_key(pem_of(public_key))
        signature = base64.b64decode(header["signature"])
        key.verify(signature, raw_body, ec.ECDSA(DIGESTS[digest]()))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True
