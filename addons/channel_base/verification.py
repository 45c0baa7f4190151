"""Inbound verification: what every platform needs before it trusts bytes it did not ask for.

Pure functions (no Odoo import beyond the error classes), unit-tested on their own:

- ``verify_hmac_sha256`` / ``hmac_sha256_signature``: HMAC-signed webhook bodies
  (Shopify, ShipHero: base64; others: hex, sometimes behind a ``sha256=`` scheme prefix).
- ``within_timestamp_window``: replay window for platforms that sign a timestamp.
- ``verify_url_token``: the per-account secret in the webhook URL, for platforms that
  do not sign.
- ``followed_url_refusal`` / ``check_followed_url``: an allow-list for URLs taken from a
  platform's payload (a webhook's resource URL, a feed's archive link, a bulk result): we
  call them with the account's credentials, so only the account's own API origin (and the
  extra origins a platform declares) may be followed.
- ``parse_xml``: a hardened lxml parser (size limit first, no DTD, no entities, no network).

Every check answers False (or raises its own error class) for hostile input: none lets a
garbled header or document escape as an unexpected exception.
"""

import base64
import binascii
import hashlib
import hmac
import ipaddress
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from dateutil import parser as date_parser
from lxml import etree

from .exceptions import PermanentError
from .tools import mask_url

# --------------------------------------------------------------------------- HMAC

SIGNATURE_ENCODINGS = ("hex", "base64")


def hmac_sha256_signature(secret, raw_body, encoding="hex"):
    """The HMAC-SHA256 of ``raw_body`` under ``secret``, as the platform would send it."""
    digest = hmac.new(_as_bytes(secret), _as_bytes(raw_body), hashlib.sha256).digest()
    if encoding == "base64":
        return base64.b64encode(digest).decode("ascii")
    if encoding == "hex":
        return digest.hex()
    raise ValueError(f"Unknown signature encoding {encoding!r}; use one of {SIGNATURE_ENCODINGS}")


def verify_hmac_sha256(secret, raw_body, signature, encoding="hex", prefix=""):
    """True when ``signature`` is the HMAC-SHA256 of ``raw_body`` under ``secret``.

    ``signature`` is the header value as received: surrounding whitespace and the scheme
    ``prefix`` (``"sha256="``, matched case-insensitively) are tolerated. False, never an
    exception, when the secret or signature is missing or the signature is garbled. The
    digests are compared in constant time.
    """
    if not secret or not isinstance(signature, (str, bytes)):
        return False
    given = _decode_signature(_strip_prefix(signature, prefix), encoding)
    if given is None:
        return False
    expected = hmac.new(_as_bytes(secret), _as_bytes(raw_body), hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


def _strip_prefix(signature, prefix):
    text = signature.decode("ascii", errors="replace") if isinstance(signature, bytes) \
        else signature
    text = text.strip()
    if prefix and text.lower().startswith(prefix.lower()):
        text = text[len(prefix):].strip()
    return text


def _decode_signature(text, encoding):
    """The raw digest bytes of a signature, or None when it is not valid ``encoding``."""
    if encoding not in SIGNATURE_ENCODINGS:
        raise ValueError(f"Unknown signature encoding {encoding!r}")
    try:
        if encoding == "hex":
            return bytes.fromhex(text) if re.fullmatch(r"[0-9a-fA-F]{64}", text) else None
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    return str(value or "").encode("utf-8")


# --------------------------------------------------------------------------- URL token


def verify_url_token(expected, given):
    """True when the URL's token equals the account's secret (constant time). False when
    no secret is configured: an account without a secret accepts nothing."""
    if not expected or not isinstance(given, (str, bytes)) or not given:
        return False
    return secrets.compare_digest(_as_bytes(given), _as_bytes(expected))


# --------------------------------------------------------------------------- timestamps


def within_timestamp_window(timestamp, tolerance_seconds, now=None):
    """True when ``timestamp`` is at most ``tolerance_seconds`` away from ``now``.

    Accepts epoch seconds (int, float or their text) and ISO 8601 with an offset or ``Z``.
    False for naive ISO timestamps (their zone is a guess), unreadable values, and
    anything outside the window on either side (a far-future stamp is as suspect as an
    old one: it would keep a captured delivery replayable).
    """
    moment = _timestamp_moment(timestamp)
    if moment is None:
        return False
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("within_timestamp_window: 'now' must be timezone-aware")
    return abs((now - moment).total_seconds()) <= tolerance_seconds


def _timestamp_moment(timestamp):
    if isinstance(timestamp, bool) or timestamp in (None, ""):
        return None
    if isinstance(timestamp, datetime):
        return timestamp if timestamp.tzinfo else None
    text = str(timestamp).strip()
    try:
        if re.fullmatch(r"\d{1,12}(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), UTC)
        moment = date_parser.isoparse(text)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo else None


# --------------------------------------------------------------------------- followed URLs


class FollowedUrlRefused(PermanentError):
    """A URL from a platform's payload that we refuse to call (the message names it, masked)."""


DEFAULT_PORTS = {"http": 80, "https": 443}
# A host name as we accept it: ASCII labels, no percent-encoding, no trailing dot.
HOST_NAME_PATTERN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
UNSAFE_URL_CHARACTERS = re.compile(r"[\s\\\x00-\x1f\x7f]")


def followed_url_refusal(url, allowed_base_urls, allowed_host_patterns=()):
    """Why ``url`` must not be followed, or None when it may be.

    It may be followed when its scheme, host and port equal those of one of
    ``allowed_base_urls`` (the account's API base URL first, then origins the platform
    declares), or, over https on the default port, its host fully matches one of
    ``allowed_host_patterns`` (regular expressions, for numbered hosts like ``ssapi7``).
    Refused: non-http(s) schemes, user info (``user@host``), backslashes or whitespace
    (parsers disagree on them), IP literals in any spelling other than the allowed base's,
    percent-encoded or non-ASCII hosts, and look-alike hosts (``api.example.com.evil.net``).
    """
    target = _origin(url)
    if isinstance(target, str):
        return f"the URL {target}"
    if target[1] is None:
        return "the URL carries user information"
    for base_url in allowed_base_urls or ():
        base = _origin(base_url)
        if not isinstance(base, str) and base[1] is not None and base == target:
            return None
    scheme, host, port = target
    if scheme == "https" and port == 443 and _is_host_name(host) and any(
            re.fullmatch(pattern, host) for pattern in allowed_host_patterns or ()):
        return None
    allowed = ", ".join(f"{b[0]}://{b[1]}:{b[2]}" for b in map(_origin, allowed_base_urls or ())
                        if not isinstance(b, str) and b[1]) or "none configured"
    return f"{scheme}://{host}:{port} is not an allowed origin ({allowed})"


def check_followed_url(url, allowed_base_urls, allowed_host_patterns=()):
    """``url`` itself when it may be followed; otherwise FollowedUrlRefused naming it."""
    refusal = followed_url_refusal(url, allowed_base_urls, allowed_host_patterns)
    if refusal:
        shown = mask_url(url) if isinstance(url, str) else repr(url)
        raise FollowedUrlRefused(f"Refused to follow {shown[:300]}: {refusal}.")
    return url


def _origin(url):
    """(scheme, host, port) of ``url``; host None when it carries user info; a string
    saying what is wrong when it is not a usable http(s) URL."""
    if not isinstance(url, str) or not url:
        return "is missing"
    if UNSAFE_URL_CHARACTERS.search(url):
        return "contains whitespace, control characters or backslashes"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return f"uses the scheme {scheme or '(none)'!r}"
    if "@" in parts.netloc:
        return (scheme, None, port)
    host = (parts.hostname or "").lower()
    if not host or not (_is_host_name(host) or _is_ip_literal(host)):
        return "has an invalid or encoded host"
    return (scheme, host, port or DEFAULT_PORTS[scheme])


def _is_host_name(host):
    """A DNS name, not an IP address written in some other form (``2130706433``)."""
    last_label = host.rsplit(".", 1)[-1]
    return bool(HOST_NAME_PATTERN.match(host)) and not (
        last_label.isdigit() or last_label.startswith("0x"))


def _is_ip_literal(host):
    """Only the canonical spellings: 127.0.0.1 or an IPv6 address (brackets removed)."""
    try:
        return str(ipaddress.ip_address(host)) == host
    except ValueError:
        return False


# --------------------------------------------------------------------------- XML

DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024
FORBIDDEN_XML_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


class XmlDocumentError(ValueError):
    """An XML document we will not use. ``ValueError``, so the webhook route stores a
    malformed delivery as a failed event (400) like a malformed JSON body."""


class XmlRefused(XmlDocumentError):
    """Refused without parsing: oversized, DOCTYPE or entity declarations, not UTF-8.
    Retrying will not help."""


class XmlMalformed(XmlDocumentError):
    """Not well-formed XML (often a truncated transfer: worth another try)."""


def make_hardened_xml_parser():
    """An lxml parser that never loads a DTD, never resolves an entity, never touches the
    network and refuses huge trees."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False,
    )


def parse_xml(body, max_bytes=DEFAULT_MAX_XML_BYTES):
    """The root element of ``body`` (bytes). XmlRefused for oversized, DTD-carrying or
    non-UTF-8 documents (so billion laughs and XXE never reach the parser), XmlMalformed
    for anything that is not well-formed."""
    if not isinstance(body, bytes):
        raise XmlMalformed("The XML document must be bytes")
    refusal = _refusal_before_parsing(body, max_bytes)
    if refusal:
        raise XmlRefused(refusal)
    try:
        root = etree.fromstring(body, make_hardened_xml_parser())
    except etree.XMLSyntaxError as error:
        raise XmlMalformed(f"Malformed XML: {error}") from None
    return _checked_root(root)


def _checked_root(root):
    """Defence in depth: whatever slipped past the byte scan is still refused here."""
    if root is None:
        raise XmlMalformed("Empty XML document")
    has_entities = any(True for _node in root.iter(etree.Entity))
    if root.getroottree().docinfo.doctype or has_entities:
        raise XmlRefused("The XML document declares a DOCTYPE or entities: refused")
    return root


def _refusal_before_parsing(body, max_bytes):
    """Why ``body`` is refused without being parsed, or None."""
    if len(body) > max_bytes:
        return f"XML document of {len(body)} bytes is over the {max_bytes} bytes limit"
    if b"\x00" in body[:512]:
        # UTF-16/32 would hide markup from the byte scan below.
        return "XML document is not UTF-8 encoded"
    upper = body.upper()
    declared = [markup.decode() for markup in FORBIDDEN_XML_MARKUP if markup in upper]
    if declared:
        return (f"XML document contains {declared[0]}: refused (DTDs and entities are never "
                "processed)")
    return None
