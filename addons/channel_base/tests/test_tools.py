from datetime import datetime, timezone

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tools import (
    MASK,
    NaiveTimestampError,
    backoff_delay,
    mask_body,
    mask_headers,
    mask_url,
    normalize_phone,
    parse_wait_hint,
    parse_timestamp,
)


@tagged("post_install", "-at_install")
class TestMasking(TransactionCase):
    SECRET = "s3cr3t-VALUE-123"

    def test_headers_masked_by_name_and_value(self):
        masked = mask_headers({
            "Authorization": "Basic U2hpcFN0YXRpb246Um9ja3M=",
            "X-Shopify-Access-Token": "shpat_abc",
            "api-key": "k-123",
            "iqr-session-token": "sess",
            "X-Custom": f"prefix {self.SECRET}",
            "Accept": "application/json",
        }, [self.SECRET])
        self.assertEqual(masked["Authorization"], MASK)
        self.assertEqual(masked["X-Shopify-Access-Token"], MASK)
        self.assertEqual(masked["api-key"], MASK)
        self.assertEqual(masked["iqr-session-token"], MASK)
        self.assertEqual(masked["X-Custom"], f"prefix {MASK}")
        self.assertEqual(masked["Accept"], "application/json")

    def test_url_query_userinfo_and_path_secrets(self):
        url = (f"https://user:pw@api.example.com/v1/{self.SECRET}/orders"
               "?token=abc&page=2&api_key=xyz&client_secret=zz")
        masked = mask_url(url, [self.SECRET])
        for leaked in ("abc", "xyz", "zz", self.SECRET, "pw"):
            self.assertNotIn(f"={leaked}", masked)
            self.assertNotIn(leaked + "/", masked)
        self.assertIn("page=2", masked)
        self.assertNotIn(self.SECRET, masked)

    def test_json_form_and_xml_bodies(self):
        json_body = (b'{"grant_type": "password", "password": "hunter2", "client_secret": "cs",'
                     b' "refresh_token": "rt", "nested": [{"APIToken": "tok"}], "qty": 3}')
        masked = mask_body(json_body)
        for leaked in ("hunter2", '"cs"', '"rt"', '"tok"'):
            self.assertNotIn(leaked, masked)
        self.assertIn('"qty": 3', masked)
        form = mask_body("grant_type=password&username=bob&password=hunter2&client_id=x")
        self.assertNotIn("hunter2", form)
        self.assertIn("username=bob", form)
        xml = mask_body("<Req><RequesterCredentials><eBayAuthToken>v^1.1#abc</eBayAuthToken>"
                        "</RequesterCredentials><Password>pw</Password></Req>")
        self.assertNotIn("v^1.1#abc", xml)
        self.assertNotIn(">pw<", xml)
        self.assertIn(self.SECRET.replace(self.SECRET, MASK), mask_body(f"raw {self.SECRET}",
                                                                          [self.SECRET]))


@tagged("post_install", "-at_install")
class TestTimestampsAndPhones(TransactionCase):
    def test_offset_timestamps_convert_to_naive_utc(self):
        self.assertEqual(parse_timestamp("2024-03-10T01:59:00-08:00"), datetime(2024, 3, 10, 9, 59))
        self.assertEqual(parse_timestamp("2024-07-01T12:00:00Z"), datetime(2024, 7, 1, 12, 0))

    def test_naive_timestamp_needs_a_source_timezone(self):
        with self.assertRaises(NaiveTimestampError):
            parse_timestamp("2024-03-10T01:59:00")
        # Pacific time across the spring-forward gap: 01:59 PST is 09:59 UTC, 03:00 PDT is
        # 10:00 UTC, one minute later in real time.
        before = parse_timestamp("2024-03-10T01:59:00", "America/Los_Angeles")
        after = parse_timestamp("2024-03-10T03:00:00", "America/Los_Angeles")
        self.assertEqual(before, datetime(2024, 3, 10, 9, 59))
        self.assertEqual((after - before).total_seconds(), 60)
        self.assertEqual(parse_timestamp("3/6/2020 12:00:00 AM", "America/Chicago"),
                         datetime(2020, 3, 6, 6, 0))

    def test_garbage_timestamp_is_a_clear_error(self):
        with self.assertRaisesRegex(ValueError, "Unreadable timestamp"):
            parse_timestamp("yesterday-ish")

    def test_phone_numbers_of_several_countries(self):
        self.assertEqual(normalize_phone("(512) 555-0147", "US"), "+15125550147")
        self.assertEqual(normalize_phone("020 7946 0958", "GB"), "+442079460958")
        self.assertEqual(normalize_phone("+49 30 901820", None), "+4930901820")
        self.assertEqual(normalize_phone("06 12 34 56 78", "FR"), "+33612345678")
        self.assertIsNone(normalize_phone("call me maybe", "US"))
        self.assertIsNone(normalize_phone("12", "US"))
        self.assertIsNone(normalize_phone("5551234567", None))  # no country, no +: unknown
        self.assertIsNone(normalize_phone("", "US"))


@tagged("post_install", "-at_install")
class TestBackoff(TransactionCase):
    def test_exponential_schedule_with_bounded_jitter(self):
        for attempt, expected in ((1, 30), (2, 60), (3, 120), (4, 240), (8, 3600)):
            low = backoff_delay(attempt, 30, 3600, rand=lambda: 0.0)
            high = backoff_delay(attempt, 30, 3600, rand=lambda: 1.0)
            self.assertEqual(low, expected / 2)
            self.assertEqual(high, expected)

    def test_platform_wait_hint_wins(self):
        self.assertGreaterEqual(backoff_delay(1, 30, 3600, wait_hint=120, rand=lambda: 0.5), 120)
        self.assertLess(backoff_delay(1, 30, 3600, wait_hint=120, rand=lambda: 1.0), 126)

    def test_retry_after_forms(self):
        self.assertEqual(parse_wait_hint("17"), 17.0)
        now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
        self.assertEqual(parse_wait_hint("Thu, 01 Jan 2026 12:00:30 GMT", now=now), 30.0)
        self.assertIsNone(parse_wait_hint("soon"))
        self.assertIsNone(parse_wait_hint(None))
        self.assertIsNone(parse_wait_hint(""))


@tagged("post_install", "-at_install")
class TestWaitHints(TransactionCase):
    """Every form a platform uses to say when a rate window reopens."""

    NOW = datetime(2015, 4, 16, 17, 45, 1, tzinfo=timezone.utc)

    def wait(self, value, **options):
        return parse_wait_hint(value, now=self.NOW, **options)

    def test_iqmetrix_iso_timestamp_with_seven_fractional_digits(self):
        # The documented 429 of developers.iqmetrix.com/api/rate-limiting/.
        self.assertEqual(self.wait("2015-04-16T17:46:00.0000000Z"), 59.0)

    def test_iso_timestamps_with_any_precision_and_offset(self):
        self.assertEqual(self.wait("2015-04-16T17:46:00Z"), 59.0)
        self.assertEqual(self.wait("2015-04-16T17:46:00.5Z"), 59.5)
        self.assertEqual(self.wait("2015-04-16T17:46:00.250000000Z"), 59.25)
        self.assertEqual(self.wait("2015-04-16T19:46:00.0000000+02:00"), 59.0)
        self.assertEqual(self.wait("2015-04-16T12:46:00-0500"), 59.0)
        # No zone: the headers are documented as UTC.
        self.assertEqual(self.wait("2015-04-16T17:46:00"), 59.0)

    def test_seconds_http_date_and_epoch(self):
        self.assertEqual(self.wait("59"), 59.0)
        self.assertEqual(self.wait("1.5"), 1.5)
        self.assertEqual(self.wait("0"), 0.0)
        self.assertEqual(self.wait("Thu, 16 Apr 2015 17:46:00 GMT"), 59.0)
        self.assertEqual(self.wait("1429206360"), 59.0, "epoch seconds of 17:46:00Z")

    def test_past_moment_is_a_short_wait_never_negative(self):
        self.assertEqual(self.wait("2015-04-16T17:40:00.0000000Z"), 5.0)
        self.assertEqual(self.wait("Thu, 16 Apr 2015 17:00:00 GMT"), 5.0)
        self.assertEqual(self.wait("2015-04-16T17:40:00Z", past_wait=0.0), 0.0)

    def test_absurd_waits_are_capped(self):
        self.assertEqual(self.wait("2015-04-20T17:46:00.0000000Z"), 3600.0)
        self.assertEqual(self.wait("86400"), 3600.0)
        self.assertEqual(self.wait("86400", max_wait=600), 600.0)

    def test_garbage_is_no_hint(self):
        for value in ("soon", "-5", "2015-13-45T99:00:00Z", "Thu, 99 Foo", "1e9"):
            self.assertIsNone(self.wait(value), value)
