"""The shared webhook test kit every platform module runs on its intake.

It posts deliveries over real HTTP to ``POST /channel/webhook/<platform>/<credential_id>``
and checks the route's contract for that platform's authentication and body format:
a valid delivery is stored once, queued, answered 200 before any processing and processed
once; a redelivery answers 200 and is not processed again; forged or missing
authentication is 401 with a recorded refusal and nothing stored; a wrong account or
platform is 404; an oversized body is 413; an authenticated but malformed body is stored
as a failed event (400), its bytes kept.

Use it in an ``HttpCase`` of the platform module (``@tagged("post_install",
"-at_install")``); ``self.credential`` is the platform account under test::

    class TestShopifyWebhookKit(WebhookKit, ShopifyAccountMixin, HttpCase):
        def _webhook_kit_event_body(self, event_id):   # raw body of a new event
            ...
        def _webhook_kit_authenticate(self, body):     # (headers, query) a valid delivery has
            ...
        def _webhook_kit_forge(self, body):            # (headers, query) with a wrong secret
            ...
        def _webhook_kit_malformed_body(self):         # bytes the platform's parser refuses
            ...
        def _webhook_kit_processed_count(self, event_id):  # how often it was applied
            ...

Optional: ``_webhook_kit_unauthenticated(body)`` (default: the valid headers without the
signature header and no query), ``_webhook_kit_delivery_id(event_id)`` (default: the
event id itself), ``_webhook_kit_signs_body()`` (default: ``credential._webhook_is_signed()``),
``webhook_kit_response_seconds`` (the answer must come within it).
"""

import time
from contextlib import closing
from urllib.parse import urlencode

from odoo import sql_db
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.models.integration_credential_verification import header_value
from odoo.addons.channel_base.models.sync_job import WEBHOOK_OPERATION

UNKNOWN_CREDENTIAL_ID = 987654320
OTHER_PLATFORM = "webhook-kit-other"


class WebhookKit:
    webhook_kit_response_seconds = 5.0

    # ------------------------------------------------------------------ platform hooks

    def _webhook_kit_event_body(self, event_id):
        """The raw body (bytes) of a new, processable event whose delivery id derives from
        ``event_id``."""
        raise NotImplementedError

    def _webhook_kit_authenticate(self, body):
        """(headers, query) the platform sends with ``body``: signature, token, type."""
        raise NotImplementedError

    def _webhook_kit_forge(self, body):
        """(headers, query) as a forger would send them: signed or tokened with a wrong
        secret."""
        raise NotImplementedError

    def _webhook_kit_malformed_body(self):
        """Bytes the platform's ``_webhook_parse`` refuses (truncated JSON, broken XML)."""
        raise NotImplementedError

    def _webhook_kit_processed_count(self, event_id):
        """How many times the event was applied (records it created, say)."""
        raise NotImplementedError

    def _webhook_kit_delivery_id(self, event_id):
        return event_id

    def _webhook_kit_signs_body(self):
        """True when a signature covers the body (a valid one for another body fails)."""
        return self.credential._webhook_is_signed()

    def _webhook_kit_unauthenticated(self, body):
        headers, _query = self._webhook_kit_authenticate(body)
        signature_header = self.credential._webhook_signature_header()
        if signature_header:
            headers = {name: value for name, value in headers.items()
                       if name.lower() != signature_header.lower()}
        return headers, {}

    # ------------------------------------------------------------------ helpers

    def setUp(self):
        super().setUp()
        self._webhook_kit_refusals_before = self._webhook_kit_last_refusal_id()

    def _webhook_kit_post(self, body, headers, query, credential_id=None, platform=None):
        path = self._webhook_kit_path(credential_id, platform)
        url = path + ("?" + urlencode(query) if query else "")
        started = time.monotonic()
        response = self.url_open(url, data=body, headers=headers)
        response.elapsed_seconds = time.monotonic() - started
        return response

    def _webhook_kit_path(self, credential_id=None, platform=None):
        return (f"/channel/webhook/{platform or self.credential.platform}/"
                f"{credential_id or self.credential.id}")

    def _webhook_kit_deliver(self, event_id):
        body = self._webhook_kit_event_body(event_id)
        return self._webhook_kit_post(body, *self._webhook_kit_authenticate(body))

    def _webhook_kit_events(self, event_id=None):
        domain = [("credential_id", "=", self.credential.id)]
        if event_id is not None:
            domain.append(("delivery_id", "=", self._webhook_kit_delivery_id(event_id)))
        return self.env["channel.webhook.event"].search(domain)

    def _webhook_kit_jobs(self, events):
        return self.env["sync.job"].search([
            ("operation", "=", WEBHOOK_OPERATION), ("res_model", "=", "channel.webhook.event"),
            ("res_id", "in", events.ids)])

    def _webhook_kit_last_refusal_id(self):
        with closing(sql_db.db_connect(get_db_name()).cursor()) as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM channel_webhook_refusal")
            return cr.fetchone()[0]

    def _webhook_kit_refusals(self):
        """(status, reason) of the refusals recorded since the test started for this
        account's paths. Refusals are committed on their own cursor: read them fresh."""
        paths = (self._webhook_kit_path(), self._webhook_kit_path(UNKNOWN_CREDENTIAL_ID),
                 self._webhook_kit_path(platform=OTHER_PLATFORM))
        with closing(sql_db.db_connect(get_db_name()).cursor()) as cr:
            cr.execute("SELECT status_code, reason FROM channel_webhook_refusal "
                       "WHERE id > %s AND path IN %s ORDER BY id",
                       (self._webhook_kit_refusals_before, paths))
            return [tuple(row) for row in cr.fetchall()]

    def _webhook_kit_expected_refusal_reason(self):
        return "bad_signature" if self.credential._webhook_is_signed() else "bad_token"

    def _webhook_kit_assert_nothing_stored(self, event_id):
        self.assertFalse(self._webhook_kit_events(event_id), "a refused delivery was stored")
        self.assertEqual(self._webhook_kit_processed_count(event_id), 0)

    def _webhook_kit_assert_refused_401(self, response, event_id):
        self.assertEqual(response.status_code, 401, response.text)
        self._webhook_kit_assert_nothing_stored(event_id)
        self.assertEqual(self._webhook_kit_refusals(),
                         [(401, self._webhook_kit_expected_refusal_reason())])

    # ------------------------------------------------------------------ the contract

    def test_webhook_kit_valid_delivery_is_stored_queued_and_processed_once(self):
        response = self._webhook_kit_deliver("kit-valid")
        self.assertEqual(response.status_code, 200, response.text)
        event = self._webhook_kit_events("kit-valid")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.job_id.state, "pending")
        # Answered before any business processing: the job is only queued.
        self.assertEqual(self._webhook_kit_processed_count("kit-valid"), 0)
        self.assertLess(response.elapsed_seconds, self.webhook_kit_response_seconds)
        event.job_id._run_one()
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(self._webhook_kit_processed_count("kit-valid"), 1)
        self.assertEqual(self._webhook_kit_refusals(), [])

    def test_webhook_kit_redelivery_is_200_and_not_processed_twice(self):
        first = self._webhook_kit_deliver("kit-dup")
        self._webhook_kit_events("kit-dup").job_id._run_one()
        second = self._webhook_kit_deliver("kit-dup")
        self.assertEqual((first.status_code, second.status_code), (200, 200), second.text)
        event = self._webhook_kit_events("kit-dup")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.duplicate_count, 1)
        jobs = self._webhook_kit_jobs(event)
        self.assertEqual(len(jobs), 1, "a redelivery queued a second processing")
        self.assertEqual(jobs.state, "done")
        self.assertEqual(self._webhook_kit_processed_count("kit-dup"), 1)

    def test_webhook_kit_forged_delivery_is_401_and_recorded(self):
        body = self._webhook_kit_event_body("kit-forged")
        response = self._webhook_kit_post(body, *self._webhook_kit_forge(body))
        self._webhook_kit_assert_refused_401(response, "kit-forged")

    def test_webhook_kit_signature_of_another_body_is_401(self):
        signed = self._webhook_kit_event_body("kit-signed")
        tampered = self._webhook_kit_event_body("kit-tampered")
        headers, query = self._webhook_kit_authenticate(signed)
        response = self._webhook_kit_post(tampered, headers, query)
        # A URL token does not cover the body: there, any body with the token is accepted.
        expected = 401 if self._webhook_kit_signs_body() else 200
        self.assertEqual(response.status_code, expected, response.text)
        if expected == 401:
            self._webhook_kit_assert_nothing_stored("kit-tampered")

    def test_webhook_kit_missing_authentication_is_401(self):
        body = self._webhook_kit_event_body("kit-bare")
        headers, query = self._webhook_kit_unauthenticated(body)
        signature_header = self.credential._webhook_signature_header()
        if signature_header:
            self.assertIsNone(header_value(headers, signature_header))
        self._webhook_kit_assert_refused_401(self._webhook_kit_post(body, headers, query),
                                             "kit-bare")

    def test_webhook_kit_wrong_account_or_platform_is_404(self):
        body = self._webhook_kit_event_body("kit-elsewhere")
        headers, query = self._webhook_kit_authenticate(body)
        unknown = self._webhook_kit_post(body, headers, query,
                                         credential_id=UNKNOWN_CREDENTIAL_ID)
        mismatched = self._webhook_kit_post(body, headers, query, platform=OTHER_PLATFORM)
        self.credential.active = False
        archived = self._webhook_kit_post(body, headers, query)
        self.credential.active = True
        self.assertEqual([unknown.status_code, mismatched.status_code, archived.status_code],
                         [404, 404, 404])
        self._webhook_kit_assert_nothing_stored("kit-elsewhere")
        self.assertEqual(self._webhook_kit_refusals(), [
            (404, "unknown_credential"), (404, "platform_mismatch"),
            (404, "archived_credential")])

    def test_webhook_kit_malformed_body_is_kept_as_a_failed_event(self):
        body = self._webhook_kit_malformed_body()
        response = self._webhook_kit_post(body, *self._webhook_kit_authenticate(body))
        self.assertEqual(response.status_code, 400, response.text)
        failed = self._webhook_kit_events().filtered(lambda event: event.state == "failed")
        self.assertEqual(len(failed), 1)
        self.assertTrue(failed.error)
        self.assertEqual(failed.body, body.decode("utf-8", errors="replace").replace(
            "\x00", "\ufffd"), "the malformed body must be kept as received")
        self.assertFalse(failed.job_id, "a malformed body is not queued for processing")
        self.assertEqual(self._webhook_kit_refusals(), [])

    def test_webhook_kit_oversized_body_is_413(self):
        body = self._webhook_kit_event_body("kit-big")
        headers, query = self._webhook_kit_authenticate(body)
        self.env["ir.config_parameter"].sudo().set_param(
            "channel_base.webhook_max_bytes", len(body) - 1)
        response = self._webhook_kit_post(body, headers, query)
        self.assertEqual(response.status_code, 413, response.text)
        self._webhook_kit_assert_nothing_stored("kit-big")
        self.assertEqual(self._webhook_kit_refusals(), [(413, "too_large")])
