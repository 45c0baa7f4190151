from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.exceptions import AccessError

from odoo.addons.channel_base.exceptions import PermanentError


@tagged("post_install", "-at_install")
class TestCarrierMap(TransactionCase):
    """Odoo carriers named through channel.carrier.map: account rows before platform
    defaults, exact services before carrier-only rows, unmapped carriers refused clearly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Credential = cls.env["integration.credential"]
        cls.account = Credential.create({"name": "Main store", "platform": "example"})
        cls.other_account = Credential.create({"name": "Second store", "platform": "example"})
        service = cls.env["product.product"].create({"name": "Shipping", "type": "service"})
        Carrier = cls.env["delivery.carrier"]
        cls.ups = Carrier.create({"name": "UPS Ground", "product_id": service.id})
        cls.ups_air = Carrier.create({"name": "UPS Air", "product_id": service.id})
        cls.dhl = Carrier.create({"name": "DHL Express", "product_id": service.id})
        Map = cls.Map = cls.env["channel.carrier.map"]
        Map.create([
            {"platform": "example", "carrier_id": cls.ups.id, "carrier_code": "ups",
             "provider_name": "UPS", "method_code": "STD"},
            {"platform": "example", "carrier_id": cls.ups_air.id, "carrier_code": "ups",
             "service_code": "ups_next_day_air", "method_code": "EXPRESS"},
            {"platform": "example", "credential_id": cls.account.id, "carrier_id": cls.ups.id,
             "carrier_code": "ups", "service_code": "ups_ground", "method_code": "STD"},
        ])

    def _picking(self, carrier):
        return self.env["stock.picking"].create({
            "picking_type_id": self.env.ref("stock.picking_type_out").id,
            "carrier_id": carrier.id if carrier else False, "origin": "S-1",
            "carrier_tracking_ref": "1Z999",
        })

    def test_account_row_wins_over_the_platform_default(self):
        self.assertEqual(self.Map._platform_codes(self.account, self.ups).service_code,
                         "ups_ground")
        default = self.Map._platform_codes(self.other_account, self.ups)
        self.assertEqual((default.carrier_code, default.service_code, default.provider_name),
                         ("ups", False, "UPS"))

    def test_shipment_push_sends_the_mapped_codes(self):
        values = self.account._example_shipment_values(self._picking(self.ups))
        self.assertEqual(values, {"reference": "S-1", "carrier": "ups", "service": "ups_ground",
                                  "tracking_number": "1Z999"})
        no_carrier = self.account._example_shipment_values(self._picking(None))
        self.assertEqual((no_carrier["carrier"], no_carrier["service"]), (None, None))

    def test_unmapped_carrier_is_a_clear_permanent_error(self):
        picking = self._picking(self.dhl)
        with self.assertRaisesRegex(
                PermanentError, r"Carrier 'DHL Express' has no Example \(tests\) mapping for "
                r"account Main store: add one under Integrations ▸ Configuration ▸ Carrier"):
            self.account._example_shipment_values(picking)
        self.assertFalse(self.Map._platform_codes(self.account, self.dhl, required=False))

    def test_inbound_codes_choose_the_carrier_exact_service_first(self):
        carrier_of = self.other_account._example_carrier_of_shipment
        self.assertEqual(carrier_of({"carrier": "ups", "service": "ups_next_day_air"}),
                         self.ups_air)
        self.assertEqual(carrier_of({"carrier": "ups", "service": "ups_surepost"}), self.ups)
        self.assertEqual(carrier_of({"carrier": "ups"}), self.ups)
        self.assertFalse(carrier_of({"carrier": "fedex", "service": "ground"}))

    def test_method_codes_choose_the_carrier(self):
        self.assertEqual(self.Map._carrier_for_method(self.account, "EXPRESS"), self.ups_air)
        self.assertEqual(self.Map._carrier_for_method(self.account, "STD"), self.ups)
        self.assertFalse(self.Map._carrier_for_method(self.account, "UNKNOWN"))
        self.assertFalse(self.Map._carrier_for_method(self.account, None))

    def test_archived_rows_and_other_platforms_do_not_apply(self):
        self.Map.search([("carrier_id", "=", self.ups_air.id)]).active = False
        self.assertFalse(self.Map._carrier_for_method(self.account, "EXPRESS"))
        self.assertEqual(self.account.carrier_map_count, 2)
        action = self.account.action_open_carrier_maps()
        self.assertEqual(self.Map.search_count(action["domain"]), 2)

    def test_integration_users_read_managers_write(self):
        user = new_test_user(self.env, "map_user", groups="channel_base.group_integration_user")
        row = self.Map.search([], limit=1)
        self.assertTrue(row.with_user(user).carrier_code)
        with self.assertRaises(AccessError):
            row.with_user(user).write({"carrier_code": "fedex"})
