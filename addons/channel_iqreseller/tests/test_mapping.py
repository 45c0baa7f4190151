import json
from dataclasses import asdict
from datetime import datetime

from odoo.tests import BaseCase, tagged

from .. import listing, mapping


@tagged("post_install", "-at_install")
class TestMapping(BaseCase):
    def test_sale_date_in_the_credential_timezone(self):
        so = {"soid": 1, "so": 2, "saledate": "3/6/2020 12:00:00 AM"}
        self.assertEqual(mapping.parse_sale_date(so, "America/Chicago"),
                         datetime(2020, 3, 6, 6, 0))
        self.assertEqual(mapping.parse_sale_date(dict(so, saledate="7/4/2024 1:30:00 PM"),
                                                 "America/New_York"),
                         datetime(2024, 7, 4, 17, 30))
        with self.assertRaisesRegex(mapping.OrderDataError, "order 2 .soid 1.*no timezone"):
            mapping.parse_sale_date(so, None)

    def test_fingerprint_ignores_what_we_do_not_import(self):
        so = {"soid": 1, "so": 2, "status": "Open", "shiptocity": "Austin", "userdefined1": "",
              "SODetails": [{"sodetailid": 5, "item": "A", "quantity": 1, "unitprice": 2,
                             "serialnumber": "", "status": "Open"}]}
        base = mapping.order_fingerprint(so)
        touched = dict(so, status="Partial", userdefined1="1Z", SODetails=[
            dict(so["SODetails"][0], serialnumber="SN1", status="Allocated")])
        self.assertEqual(mapping.order_fingerprint(touched), base)
        self.assertNotEqual(mapping.order_fingerprint(dict(so, shiptocity="Dallas")), base)
        # A line shipping in IQR changes the order, but not its content.
        shipped = dict(so, SODetails=[dict(so["SODetails"][0], status="Invoiced")])
        self.assertNotEqual(mapping.order_fingerprint(shipped), base)
        self.assertTrue(mapping.same_content(base, mapping.order_fingerprint(shipped)))
        self.assertFalse(mapping.same_content(
            base, mapping.order_fingerprint(dict(shipped, shiptocity="Dallas"))))

    def test_shipped_lines_are_left_out(self):
        so = {"soid": 1, "so": 2, "SODetails": [
            {"sodetailid": 5, "line": 1, "item": "A", "quantity": 2, "status": "Shipped",
             "shipdate": "3/6/2026 12:00:00 AM"},
            {"sodetailid": 6, "line": 2, "item": "B", "quantity": 1, "status": "Partial",
             "shipdate": ""},
            {"sodetailid": 7, "line": 3, "item": "C", "quantity": 1, "status": "Open",
             "shipdate": "3/7/2026 12:00:00 AM"},
            {"sodetailid": 8, "line": 4, "item": "D", "quantity": 4, "status": "invoiced"},
        ]}
        self.assertEqual([line["sku"] for line in mapping.order_lines_from_so(so)], ["B"])
        self.assertEqual([line["sku"] for line in mapping.order_lines_from_so(so, {"x"})],
                         ["B", "D"], "a ship date counts whatever the statuses")
        self.assertEqual(mapping.shipped_line_summary(mapping.shipped_details(so))[0],
                         "2 x A (line 1, shipped 3/6/2026 12:00:00 AM)")
        self.assertFalse(mapping.everything_shipped(so))
        self.assertTrue(mapping.everything_shipped(dict(so, SODetails=so["SODetails"][:1])))
        self.assertFalse(mapping.everything_shipped(dict(so, SODetails=[])))

    def test_tracking_entry_appends_every_shipment(self):
        shipments = [
            {"numbers": ["1Z1"], "carrier": "UPS", "service": "Ground", "ship_date": "5/1/2024"},
            {"numbers": ["1Z2", "1Z3"], "carrier": "UPS", "service": "Air",
             "ship_date": "5/2/2024"},
        ]
        entry = mapping.tracking_entry("1813", shipments, {
            "tracking": "userdefined1", "carrier": "userdefined2",
            "ship_date": "userdefined3", "service": False}, "Odoo")
        self.assertEqual(entry, {"soid": 1813, "userdefined1": "1Z1, 1Z2, 1Z3",
                                 "userdefined2": "UPS", "userdefined3": "5/1/2024, 5/2/2024",
                                 "lastupdatedby": "Odoo"})
        self.assertEqual(mapping.tracking_numbers(shipments), ["1Z1", "1Z2", "1Z3"])
        # Every label voided: the entry empties the fields.
        self.assertEqual(mapping.tracking_entry("1813", [], {
            "tracking": "userdefined1", "carrier": "userdefined2", "ship_date": False,
            "service": False}, ""), {"soid": 1813, "userdefined1": "", "userdefined2": ""})
        self.assertEqual(mapping.split_tracking_numbers(" 1Z1, 1Z2;1Z3 "), ["1Z1", "1Z2", "1Z3"])

    def test_filter_and_answer_shapes(self):
        order_filter = mapping.OrderFilter({"open", "partial"}, "any_udf", "DPC - QUIC",
                                           datetime(2024, 1, 1), "UTC")
        so = {"soid": 1, "status": " open ", "userdefined4": "dpc - quic",
              "saledate": "1/2/2024 8:00:00 AM"}
        self.assertIsNone(order_filter.rejection(so))
        self.assertEqual(order_filter.rejection(dict(so, status="Voided")), "status")
        self.assertEqual(order_filter.rejection(dict(so, userdefined4="")), "channel")
        self.assertEqual(order_filter.rejection(dict(so, saledate="12/31/2023 8:00:00 AM")),
                         "date")
        self.assertIsNone(order_filter.rejection(dict(so, saledate="garbage")))
        self.assertEqual(mapping.orders_from_answer([so]), [so])
        self.assertEqual(mapping.orders_from_answer({"Data": [so]}), [so])
        self.assertIsNone(mapping.orders_from_answer({"Message": "error"}))
        self.assertIsNone(mapping.order_id({"soid": True}))
        with self.assertRaisesRegex(mapping.OrderDataError, "quantity"):
            mapping.order_lines_from_so({"soid": 1, "SODetails": [{"item": "A",
                                                                   "quantity": 0}]})

    def test_parse_order_checks_before_anything_is_written(self):
        so = {"soid": 9, "so": 77, "saledate": "3/6/2020 12:00:00 AM",
              "SODetails": [{"sodetailid": 1, "item": "A", "quantity": 2, "unitprice": 3},
                            {"sodetailid": 2, "item": "", "quantity": 1},
                            {"sodetailid": 3, "item": "A", "quantity": 1}]}
        parsed = mapping.parse_order(so, "America/Chicago")
        self.assertEqual((parsed.soid, parsed.label), ("9", "order 77 (soid 9)"))
        self.assertEqual(parsed.sale_date, datetime(2020, 3, 6, 6, 0))
        self.assertEqual(parsed.fingerprint, mapping.order_fingerprint(so))
        self.assertEqual(parsed.skus, ["A", "", "A"])
        self.assertEqual(mapping.unknown_skus(parsed.skus, {"A": 1}), [""])
        self.assertEqual(mapping.unknown_skus(["B", "A", "B"], {"A": 1}), ["B"])
        with self.assertRaisesRegex(mapping.OrderDataError, "order 77 .soid 9. has no lines"):
            mapping.parse_order(dict(so, SODetails=[]), "UTC")
        with self.assertRaisesRegex(mapping.OrderDataError, "order 77 .soid 9.*garbage"):
            mapping.parse_order(dict(so, saledate="garbage"), "UTC")

    def test_listing_cursor_survives_what_is_stored(self):
        now = datetime(2026, 3, 6, 12, 0)
        cursor = listing.ListingCursor(50, 25, 0, 0, now.isoformat())
        again = listing.ListingCursor.parse(json.dumps(asdict(cursor)))
        self.assertEqual(again, cursor)
        self.assertTrue(again.fits(25, 0, 0, now))
        self.assertFalse(again.fits(10, 0, 0, now), "another page size: read everything")
        self.assertFalse(again.fits(25, 1, 0, now))
        self.assertFalse(again.fits(25, 0, 0, datetime(2026, 3, 7, 12, 1)), "a day old")
        for stored in (False, "", "2026-03-06", "{}", '{"offset": "x"}',
                       '{"offset": 0, "page_size": 0, "first_page": 0, "sort_by": 0, '
                       '"full_read_at": "2026-03-06T12:00:00"}',
                       '{"offset": 0, "page_size": 25, "first_page": 0, "sort_by": 0, '
                       '"full_read_at": "soon"}'):
            self.assertIsNone(listing.ListingCursor.parse(stored), stored)
