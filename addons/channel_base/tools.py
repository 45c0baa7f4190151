"""Pure helpers shared by every platform: no ORM access in here."""

import json
import random
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo


import phonenumbers
from dateutil import parser as date_parser

UTC = timezone.utc
MASK = "***"

# Names whose values are secrets wherever they appear (header, query, JSON, form field).
SECRET_KEY_PATTERN = re.compile(
    r"(authorization|api[-_]?key|apikey|api[-_]?secret|secret|token|password|passwd"
    r"|client[-_]?secret|signature|session)",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- masking


def is_secret_key(name):
    return bool(name) and bool(SECRET_KEY_PATTERN.search(str(name)))


def mask_values(text, secret_values):
    """Replace every occurrence of the known secret values in ``text``."""
    if not text:
        return text
    for value in sorted({v for v in secret_values if v and len(v) >= 4}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def mask_headers(headers, secret_values=()):
    masked = {}
    for name, value in (headers or {}).items():
        value = str(value)
        masked[name] = MASK if is_secret_key(name) else mask_values(value, secret_values)
    return masked


def mask_url(url, secret_values=()):
    """Mask secret query parameters and any known secret value (e.g. in the path)."""
    if not url:
        return url
    parts = urlsplit(url)
    query = [
        (key, MASK if is_secret_key(key) else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.netloc
    if "@" in netloc:  # user:password@host
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    masked = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))
    return mask_values(masked, secret_values)


def _mask_structure(data):
    if isinstance(data, dict):
        return {
            key: MASK if is_secret_key(key) and isinstance(value, str | int)
            else _mask_structure(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_mask_structure(item) for item in data]
    return data


def _mask_json_text(text):
    try:
        return json.dumps(_mask_structure(json.loads(text)), ensure_ascii=False)
    except ValueError:
        return text  # not JSON after all: value-based masking below still applies


def mask_body(body, secret_values=(), limit=20000):
    """Mask a request/response body given as bytes or str, JSON or form or XML or text."""
    if body is None:
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    body = str(body)
    stripped = body.lstrip()
    if stripped[:1] in ("{", "["):
        body = _mask_json_text(body)
    elif "=" in body and "\n" not in body and "<" not in body:
        pairs = parse_qsl(body, keep_blank_values=True)
        if pairs:
            body = urlencode([(k, MASK if is_secret_key(k) else v) for k, v in pairs], safe="*")
    else:
        # XML/SOAP elements such as <Password>..</Password> or <eBayAuthToken>..</...>
        body = re.sub(
            r"<(?P<tag>[\w:]*(?:password|token|secret|apikey|api_key)[\w:]*)>[^<]*</(?P=tag)>",
            lambda m: f"<{m.group('tag')}>{MASK}</{m.group('tag')}>",
            body,
            flags=re.IGNORECASE,
        )
    body = mask_values(body, secret_values)
    return body[:limit]


# --------------------------------------------------------------------------- storage


def without_nul(data):
    """``data`` with NUL characters replaced by U+FFFD in every string and key.

    PostgreSQL text and jsonb columns cannot hold NUL; one such character in a platform
    field must not make a whole poll or webhook fail to store.
    """
    if isinstance(data, str):
        return data.replace("\x00", "\ufffd")
    if isinstance(data, dict):
        return {without_nul(key): without_nul(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [without_nul(item) for item in data]
    return data


# --------------------------------------------------------------------------- retry


def backoff_delay(attempt, base_seconds, max_seconds, wait_hint=None, rand=random.random):
    """Seconds to wait before attempt ``attempt + 1``.

    A platform's own hint (Retry-After, reset header) wins, padded by a little jitter so a
    crowd of workers does not hit the reset second together; otherwise exponential backoff
    with "equal jitter" (half fixed, half random) capped at ``max_seconds``.
    """
    if wait_hint is not None and wait_hint >= 0:
        return wait_hint + rand() * min(5.0, 1 + wait_hint * 0.1)
    exponential = min(max_seconds, base_seconds * (2 ** max(attempt - 1, 0)))
    return exponential / 2 + rand() * exponential / 2


#: Longest wait a platform hint may impose (the ``channel_base.rate_limit_max_wait``
#: parameter overrides it): a reset a day away is a platform bug or a clock gone wrong,
#: and must not park a job for a day.
DEFAULT_MAX_WAIT = 3600.0
#: Wait when the announced reset is already past (clock skew, a slow answer): the
#: window is about to reopen, so try again shortly, never "now minus something".
PAST_RESET_WAIT = 5.0
#: A bare number this large cannot be a delay (31 years): it is an epoch timestamp.
EPOCH_THRESHOLD = 1e9
_NUMBER = re.compile(r"\d+(\.\d+)?")


def parse_wait_hint(value, now=None, max_wait=DEFAULT_MAX_WAIT, past_wait=PAST_RESET_WAIT):
    """Seconds to wait from a Retry-After or rate-limit reset header; None if unusable.

    Platforms say "when" in several ways, and a retry that comes early earns another 429:
    delta-seconds (``Retry-After: 17``, ``X-RateLimit-ResetSeconds: 59``), an HTTP date
    (``Retry-After``, RFC 9110 section 10.2.3), an ISO 8601 timestamp with any number of
    fractional digits and ``Z`` or an offset (iQmetrix ``X-RateLimit-Reset:
    2015-04-16T17:46:00.0000000Z``; a timestamp without a zone is UTC), or epoch seconds.
    A moment already past gives ``past_wait``; anything longer than ``max_wait`` is capped.
    """
    if value in (None, "", False):
        return None
    value = str(value).strip()
    now = now or datetime.now(UTC)
    if _NUMBER.fullmatch(value):
        seconds = float(value)
        if seconds < EPOCH_THRESHOLD:
            return min(seconds, max_wait)
        when = datetime.fromtimestamp(seconds, UTC)
    else:
        when = _parse_moment(value)
        if when is None:
            return None
    wait = (when - now).total_seconds()
    if wait <= 0:
        return past_wait
    return min(wait, max_wait)


def _parse_moment(value):
    """An aware datetime from an HTTP date or an ISO 8601 timestamp, or None."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = date_parser.isoparse(value)
        except (ValueError, OverflowError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- timestamps


class NaiveTimestampError(ValueError):
    pass


def parse_timestamp(value, source_tz=None):
    """Parse a platform timestamp into a naive UTC datetime (Odoo's storage convention).

    A timestamp without an offset is only accepted with an explicit ``source_tz``, because
    platforms that send local time (ShipStation: Pacific) would otherwise shift by hours.
    """
    if value in (None, "", False):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = date_parser.parse(str(value))
        except (ValueError, OverflowError) as error:
            raise ValueError(f"Unreadable timestamp {value!r}: {error}") from None
    if moment.tzinfo is None:
        if not source_tz:
            raise NaiveTimestampError(
                f"Timestamp {value!r} has no timezone and no source timezone is configured"
            )
        moment = moment.replace(tzinfo=ZoneInfo(source_tz))
    return moment.astimezone(UTC).replace(tzinfo=None)


def format_local(moment_utc, target_tz, fmt="%Y-%m-%d %H:%M:%S"):
    """Render a naive-UTC datetime in a platform's local timezone (for query filters)."""
    aware = moment_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(target_tz))
    return aware.strftime(fmt)


def utc_window_start(last_success, overlap_seconds, default_days):
    """Start of an incremental fetch: last success minus an overlap, or N days back."""
    if last_success:
        return last_success - timedelta(seconds=overlap_seconds)
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(days=default_days)


# --------------------------------------------------------------------------- phones


def normalize_phone(raw, default_country=None):
    """E.164 form of ``raw`` or None when it does not parse as a possible number."""
    if not raw or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw), (default_country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty_body(body, limit=200000):
    """A logged body made readable: JSON indented, XML re-indented, anything else (or
    anything that does not parse) as it was. Display only: never fed back to a platform."""
    if not body:
        return body or ""
    text = body if isinstance(body, str) else str(body)
    if len(text) > limit:
        return text
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=False)
        except ValueError:
            return text
    if stripped.startswith("<"):
        return _pretty_xml(text)
    return text


def _pretty_xml(text):
    from lxml import etree

    from .verification import XmlDocumentError, parse_xml

    try:
        root = parse_xml(text.encode("utf-8"))  # hardened: no DTD, no entity, bounded
    except XmlDocumentError:
        return text
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")
