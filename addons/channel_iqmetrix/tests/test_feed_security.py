from odoo.tests import BaseCase, tagged

from .. import feed
from .common import IqmetrixCase

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol3;</title></feed>"""

XXE = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><id>&secret;</id></feed>"""

DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE feed>
<feed xmlns="http://www.w3.org/2005/Atom"></feed>"""

MALFORMED = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:uuid:1</id></feed>"""


@tagged("post_install", "-at_install")
class TestHostileFeeds(IqmetrixCase):

    def assert_refused(self, body):
        self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.sim.serve_raw_feed(body)
        job = self.import_feed()
        self.assertEqual((job.state, job.error_kind), ("failed", "permanent"))
        self.assertIn("refused", job.last_error)
        self.assertNotIn("root:", job.last_error)
        self.assertFalse(self.orders())
        self.assertFalse(self.marker(), "the marker does not move")
        stream = self.feed_stream()  # the account's Streams tab says so
        self.assertEqual(stream.run_state, "failed")
        self.assertIn("refused", stream.last_error)
        # The response is in the API log for whoever investigates.
        self.assertIn("<!DOCTYPE", self.api_logs()[-1]["response_body"])
        # The next poll reads the real feed normally.
        self.assertEqual(self.import_feed().state, "done")
        self.assertEqual(len(self.orders()), 1)

    def test_billion_laughs_is_refused(self):
        self.assert_refused(BILLION_LAUGHS)

    def test_external_entity_is_refused(self):
        self.assert_refused(XXE)

    def test_any_doctype_is_refused(self):
        self.assert_refused(DOCTYPE)

    def test_malformed_xml_is_recorded_and_retried(self):
        self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.sim.serve_raw_feed(MALFORMED)
        job = self.import_feed()
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.assertIn("unreadable", job.last_error)
        self.assertIn("Malformed XML", job.last_error)
        self.assertFalse(self.orders())
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.orders()), 1)

    def test_archive_link_to_another_host_is_not_followed(self):
        self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.sim.serve_raw_feed(
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id>'
            b'<link rel="prev-archive" href="http://attacker.invalid/steal"/></feed>')
        job = self.import_feed()
        self.assertEqual(job.state, "failed")
        self.assertIn("Refused to follow http://attacker.invalid/steal", job.last_error)
        self.assertFalse([r for r in self.sim.requests if "steal" in r.path])


@tagged("post_install", "-at_install")
class TestFeedParser(BaseCase):
    """feed.py under Odoo (also tested without Odoo in tests/test_sim_iqmetrix.py)."""

    def test_hostile_documents_are_refused(self):
        for body in (BILLION_LAUGHS, XXE, DOCTYPE):
            with self.assertRaises(feed.FeedRefused):
                feed.parse_feed(body)

    def test_malformed_document(self):
        with self.assertRaises(feed.FeedMalformed):
            feed.parse_feed(MALFORMED)

    def test_documented_example_shape(self):
        body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:uuid:f1</id><updated>2015-10-23T21:37:34Z</updated>
  <link rel="current" href="https://dropship.iqmetrix.net/v1/Suppliers(60455)/Notifications"/>
  <link rel="prev-archive" href="https://dropship.iqmetrix.net/v1/Suppliers(60455)/Notifications/Pages(e1)"/>
  <entry><id>urn:uuid:9e</id><title type="text">Dropship Order Created</title>
    <updated>2015-10-23T21:37:31Z</updated>
    <content type="application/xml">
      <order-created xmlns:i="http://www.w3.org/2001/XMLSchema-instance"
                     xmlns="urn:iQmetrix:dropship">
        <items><order-item><catalog-id>18e0</catalog-id><description>Some Item</description>
          <quantity>1</quantity><selling-price>100</selling-price><sku>AB-JH0786-MI</sku>
        </order-item></items>
        <order-id>32cb2b46-fb26-48c8-9b8f-67ed759e2599</order-id>
        <seller><company-id>33772</company-id><location-id>33773</location-id>
          <po-reference>ABC123N1</po-reference><printable-id>98764531</printable-id></seller>
        <ship-to-store>true</ship-to-store>
        <shipping-address><attention-to>Bob Eh</attention-to><phone i:nil="true" />
          <type i:nil="true" /></shipping-address>
        <shipping-customer><family-name>Eh</family-name><primary-name>Bob</primary-name>
        </shipping-customer>
        <shipping-method>123</shipping-method><supplier-id>60455</supplier-id>
      </order-created>
    </content></entry>
</feed>"""
        page = feed.parse_feed(body)
        self.assertTrue(page.prev_archive.endswith("Pages(e1)"))
        entry = page.entries[0]
        self.assertEqual(entry.kind, feed.ORDER_CREATED)
        self.assertEqual(entry.order_id, "32cb2b46-fb26-48c8-9b8f-67ed759e2599")
        self.assertTrue(entry.payload["ship_to_store"])
        self.assertIsNone(entry.payload["shipping_address"]["type"])
        self.assertEqual(entry.payload["items"][0]["selling_price"], 100.0)
        self.assertEqual(entry.updated.isoformat(), "2015-10-23T21:37:31+00:00")
