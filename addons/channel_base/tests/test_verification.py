import base64
import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.verification import (
    FollowedUrlRefused,
    XmlDocumentError,
    XmlMalformed,
    XmlRefused,
    check_followed_url,
    followed_url_refusal,
    hmac_sha256_signature,
    parse_xml,
    verify_hmac_sha256,
    verify_url_token,
    within_timestamp_window,
)

SECRET = "whsec-0123456789"
BODY = b'{"id": 1, "total": "9.99"}'


def _digest(secret=SECRET, body=BODY):
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


@tagged("post_install", "-at_install")
class TestHmac(TransactionCase):
    def test_hex_and_base64_signatures_verify(self):
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, _digest().hex(), encoding="hex"))
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, _digest().hex().upper(), "hex"))
        b64 = base64.b64encode(_digest()).decode()
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, b64, encoding="base64"))
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, b64.encode(), encoding="base64"))
        self.assertEqual(hmac_sha256_signature(SECRET, BODY, "base64"), b64)
        self.assertEqual(hmac_sha256_signature(SECRET, BODY, "hex"), _digest().hex())

    def test_prefix_and_whitespace_are_tolerated(self):
        signature = " sha256=" + _digest().hex() + "\n"
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, signature, "hex", prefix="sha256="))
        self.assertTrue(verify_hmac_sha256(SECRET, BODY, "SHA256=" + _digest().hex(), "hex",
                                           prefix="sha256="))
        # Without the declared prefix the scheme is not silently accepted.
        self.assertFalse(verify_hmac_sha256(SECRET, BODY, signature, "hex"))

    def test_wrong_missing_or_garbled_signature_is_false_not_an_error(self):
        wrong = base64.b64encode(_digest(secret="other")).decode()
        for signature in (wrong, None, "", "   ", "not base64!!", "=" * 8, 12345,
                          base64.b64encode(_digest()[:16]).decode(), "\x00\xff"):
            self.assertFalse(verify_hmac_sha256(SECRET, BODY, signature, "base64"), signature)
        for signature in ("zz" * 32, _digest().hex()[:-2], _digest().hex() + "00"):
            self.assertFalse(verify_hmac_sha256(SECRET, BODY, signature, "hex"), signature)
        self.assertFalse(verify_hmac_sha256(SECRET, BODY + b" ", _digest().hex(), "hex"))

    def test_no_secret_never_verifies(self):
        empty_key_signature = hmac.new(b"", BODY, hashlib.sha256).hexdigest()
        for secret in (None, False, ""):
            self.assertFalse(verify_hmac_sha256(secret, BODY, empty_key_signature, "hex"))

    def test_unknown_encoding_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            verify_hmac_sha256(SECRET, BODY, _digest().hex(), encoding="base32")

    def test_url_token(self):
        self.assertTrue(verify_url_token(SECRET, SECRET))
        for expected, given in ((SECRET, SECRET + "x"), (SECRET, ""), (SECRET, None),
                                (None, None), ("", ""), (False, ""), (SECRET, ["list"])):
            self.assertFalse(verify_url_token(expected, given), (expected, given))


@tagged("post_install", "-at_install")
class TestTimestampWindow(TransactionCase):
    NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)

    def test_epoch_and_iso_within_the_window(self):
        epoch = int(self.NOW.timestamp())
        for value in (epoch, epoch - 299, str(epoch + 299), f"{epoch}.5", float(epoch),
                      "2026-12-01T12:04:00Z", "2026-12-01T07:01:00-05:00",
                      "2026-12-01T11:56:00.1234567+00:00", self.NOW):
            self.assertTrue(within_timestamp_window(value, 300, now=self.NOW), value)

    def test_outside_the_window_on_either_side(self):
        epoch = int(self.NOW.timestamp())
        for value in (epoch - 301, epoch + 301, "2026-12-01T12:06:00Z", "2026-11-30T12:00:00Z",
                      "2099-01-01T00:00:00Z", 0, "99999999999"):
            self.assertFalse(within_timestamp_window(value, 300, now=self.NOW), value)

    def test_naive_or_unreadable_is_refused(self):
        for value in ("2026-12-01T12:00:00", datetime(2026, 12, 1, 12), None, "", "soon",
                      True, "1e9", "-5", "2026-13-45T00:00:00Z"):
            self.assertFalse(within_timestamp_window(value, 300, now=self.NOW), value)

    def test_default_now_is_the_current_time(self):
        self.assertTrue(within_timestamp_window(datetime.now(UTC).timestamp(), 60))
        old = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        self.assertFalse(within_timestamp_window(old, 60))


@tagged("post_install", "-at_install")
class TestFollowedUrl(TransactionCase):
    BASE = "https://api.example.com/v1"

    def test_same_origin_is_allowed_whatever_the_path(self):
        for url in ("https://api.example.com/v1/shipments?batchId=5",
                    "https://API.Example.com/other", "https://api.example.com:443/x",
                    "HTTPS://api.example.com/x"):
            self.assertIsNone(followed_url_refusal(url, [self.BASE]), url)
            self.assertEqual(check_followed_url(url, [self.BASE]), url)

    def test_local_simulator_origin(self):
        base = "http://127.0.0.1:8070"
        self.assertIsNone(followed_url_refusal("http://127.0.0.1:8070/feed?page=2", [base]))
        for url in ("http://127.0.0.1:8071/feed", "http://127.1:8070/feed",
                    "http://2130706433:8070/", "http://0x7f.0.0.1:8070/",
                    "http://0177.0.0.1:8070/", "http://[::ffff:127.0.0.1]:8070/",
                    "http://localhost:8070/", "https://127.0.0.1:8070/"):
            self.assertIsNotNone(followed_url_refusal(url, [base]), url)

    def test_tricks_are_refused(self):
        for url in (
            "https://api.example.com.evil.net/v1", "https://evilapi.example.com/",
            "https://example.com/", "https://evil.net/api.example.com/",
            "https://user:pw@api.example.com/", "https://api.example.com@evil.net/",
            "https://evil.net\\@api.example.com/", "https://evil.net#@api.example.com/",
            "http://api.example.com/", "https://api.example.com:8443/",
            "https://api.example.com./", "https://api%2Eexample.com/",
            "https://api.exаmple.com/", "ftp://api.example.com/", "file:///etc/passwd",
            "javascript:alert(1)", "//api.example.com/x", "/relative", "",
            None, 42, " https://api.example.com/", "https://api.example.com/\r\nHost: x",
            "https://api.example.com:99999/", "https://[::1]/",
        ):
            self.assertIsNotNone(followed_url_refusal(url, [self.BASE]), url)

    def test_refusal_names_the_url_masked_and_is_permanent(self):
        url = "https://evil.net/steal?token=abc123secret&page=2"
        with self.assertRaises(FollowedUrlRefused) as caught:
            check_followed_url(url, [self.BASE])
        self.assertIsInstance(caught.exception, PermanentError)
        message = str(caught.exception)
        self.assertIn("evil.net", message)
        self.assertIn("page=2", message)
        self.assertNotIn("abc123secret", message)
        self.assertIn("api.example.com", message)
        with self.assertRaises(FollowedUrlRefused) as caught:
            check_followed_url("https://me:hunter2@api.example.com/", [self.BASE])
        self.assertNotIn("hunter2", str(caught.exception))

    def test_extra_bases_and_host_patterns(self):
        extra = "https://storage.example-cdn.com"
        result = "https://storage.example-cdn.com/bulk/123.jsonl?sig=abc"
        self.assertIsNotNone(followed_url_refusal(result, [self.BASE]))
        self.assertIsNone(followed_url_refusal(result, [self.BASE, extra]))
        pattern = r"ssapi\d*\.example\.com"
        self.assertIsNone(followed_url_refusal("https://ssapi7.example.com/s", [self.BASE],
                                               [pattern]))
        for url in ("http://ssapi7.example.com/s", "https://ssapi7.example.com:8443/s",
                    "https://ssapi7.example.com.evil.net/s", "https://xssapi7.example.com/s",
                    "https://u@ssapi7.example.com/s"):
            self.assertIsNotNone(followed_url_refusal(url, [self.BASE], [pattern]), url)

    def test_no_allowed_base_refuses_everything(self):
        self.assertIsNotNone(followed_url_refusal("https://api.example.com/", []))
        self.assertIsNotNone(followed_url_refusal("https://api.example.com/", ["", None]))
        self.assertIsNotNone(followed_url_refusal("https://api.example.com/",
                                                  ["https://u:p@api.example.com"]))


class _CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - http.server's naming
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "remote">')

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestParseXml(TransactionCase):
    def test_plain_document_parses(self):
        root = parse_xml(b'<?xml version="1.0" encoding="utf-8"?>'
                         b'<feed xmlns="urn:x"><entry id="1">caf\xc3\xa9</entry><!-- c --></feed>')
        self.assertEqual(root.tag, "{urn:x}feed")
        self.assertEqual(root[0].text, "café")
        self.assertEqual(len(root), 1, "comments are dropped")

    def test_billion_laughs_is_refused(self):
        lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10 if i > 1
                                                      else b"&lol;" * 10) for i in range(1, 10))
               + b']><lolz>&lol9;</lolz>')
        with self.assertRaises(XmlRefused) as caught:
            parse_xml(lol)
        self.assertIn("DOCTYPE", str(caught.exception))

    def test_xxe_file_is_refused_and_nothing_is_read(self):
        for body in (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
                     b'<!doctype r SYSTEM "file:///etc/passwd"><r/>',
                     b'<?xml version="1.0"?>\n<!DocType r [<!entity x SYSTEM "file:///etc/hostname">]>'
                     b'<r>&x;</r>'):
            with self.assertRaises(XmlRefused):
                parse_xml(body)

    def test_xxe_http_makes_no_request(self):
        server = HTTPServer(("127.0.0.1", 0), _CountingHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.dtd"
        for body in (f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>',
                     f'<!DOCTYPE r SYSTEM "{url}"><r/>'):
            with self.assertRaises(XmlRefused):
                parse_xml(body.encode())
        xinclude = parse_xml(f'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
                             f'<xi:include href="{url}"/></r>'.encode())
        self.assertEqual(len(xinclude), 1, "XInclude is left as an element, never expanded")
        self.assertEqual(_CountingHandler.hits, 0, "the parser fetched a remote document")

    def test_utf16_cannot_hide_a_doctype(self):
        body = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'
        with self.assertRaises(XmlRefused) as caught:
            parse_xml(body.encode("utf-16"))
        self.assertIn("UTF-8", str(caught.exception))

    def test_oversized_is_refused_before_parsing(self):
        body = b"<r>" + b"x" * 2000 + b"</r>"
        with self.assertRaises(XmlRefused) as caught:
            parse_xml(body, max_bytes=1000)
        self.assertIn("over the 1000 bytes limit", str(caught.exception))
        self.assertEqual(parse_xml(body, max_bytes=len(body)).tag, "r")

    def test_malformed_is_a_value_error(self):
        for body in (b"<r><unclosed></r>", b"", b"not xml", b"<r>&undefined;</r>"):
            with self.assertRaises(XmlMalformed) as caught:
                parse_xml(body)
            self.assertIsInstance(caught.exception, XmlDocumentError)
            self.assertIsInstance(caught.exception, ValueError)
        with self.assertRaises(XmlMalformed):
            parse_xml("<r/>")
