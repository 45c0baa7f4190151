import json
from contextlib import closing

import requests

from odoo import sql_db
from odoo.tests import HttpCase, get_db_name, tagged

from .. import mapping
from .common import VERIFICATION_TOKEN, EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayAccountDeletion(EbayAccountMixin, HttpCase):
    ebay_account_name = "eBay deletion"

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.endpoint = self.credential.ebay_deletion_endpoint
        self.buyer = self.env["res.partner"].create({
            "name": "Gone Buyer", "email": "gone@members.ebay.example", "street": "1 Road",
            "city": "Reno", "ebay_username": "gone_buyer", "phone": "+15125550100"})
        self.delivery = self.env["res.partner"].create({
            "name": "Gone Buyer", "parent_id": self.buyer.id, "type": "delivery",
            "street": "2 Road", "city": "Reno"})
        self.other = self.env["res.partner"].create({"name": "Kept", "ebay_username": "kept"})

    def _records(self):
        return self.env["ebay.account.deletion"].search(
            [("credential_id", "=", self.credential.id)])

    def test_challenge_answer_is_the_documented_hash(self):
        self.assertEqual(self.endpoint, f"{self.base_url()}/channel/ebay/account_deletion/"
                                        f"{self.credential.id}")
        answer = self.url_open(self.endpoint + "?challenge_code=abc123")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.headers["Content-Type"], "application/json")
        self.assertEqual(answer.json(), {"challengeResponse": mapping.challenge_response(
            "abc123", VERIFICATION_TOKEN, self.endpoint)})
        # eBay's SDK example: sha256(challengeCode + verificationToken + endpoint), hex
        self.assertEqual(mapping.challenge_response("a", "b", "c"),
                         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

    def test_signed_notification_anonymises_the_buyer_once(self):
        sale_partner = self.buyer
        notification = self.sim.deletion_notification("gone_buyer")
        challenge_ok, status = self.sim.send_account_deletion(
            self.endpoint, "gone_buyer", verification_token=VERIFICATION_TOKEN,
            notification=notification)
        self.assertTrue(challenge_ok)
        self.assertEqual(status, 204)
        self.env.invalidate_all()
        self.assertEqual(sale_partner.name, "Deleted eBay user")
        self.assertFalse(sale_partner.email or sale_partner.phone or sale_partner.street
                         or sale_partner.ebay_username)
        self.assertFalse(self.delivery.street, "the buyer's addresses too")
        self.assertEqual(self.other.ebay_username, "kept")
        record = self._records()
        self.assertEqual((record.notification_id, record.partner_count),
                         (notification["notification"]["notificationId"], 2))
        # eBay retries a delivery: answered, not processed twice
        _ok, status = self.sim.send_account_deletion(self.endpoint, "gone_buyer",
                                                     notification=notification)
        self.assertEqual(status, 204)
        self.assertEqual(len(self._records()), 1)

    def test_forged_or_missing_signature_is_refused_and_recorded(self):
        _ok, status = self.sim.send_account_deletion(self.endpoint, "gone_buyer", forge=True)
        self.assertEqual(status, 412)
        body = json.dumps(self.sim.deletion_notification("gone_buyer"))
        self.assertEqual(requests.post(self.endpoint, data=body, timeout=10).status_code, 412)
        garbled = requests.post(self.endpoint, data=body, timeout=10,
                                headers={"X-EBAY-SIGNATURE": "not base64 json"})
        self.assertEqual(garbled.status_code, 412)
        self.env.invalidate_all()
        self.assertEqual(self.buyer.ebay_username, "gone_buyer", "nothing anonymised")
        self.assertFalse(self._records())
        with closing(sql_db.db_connect(get_db_name()).cursor()) as cr:  # committed apart
            cr.execute("SELECT status_code, reason FROM channel_webhook_refusal WHERE path = %s "
                       "ORDER BY id DESC LIMIT 3", (self.endpoint.split(self.base_url())[1],))
            self.assertEqual(cr.fetchall(), [(412, "bad_signature")] * 3)

    def test_signed_but_malformed_body_is_a_400(self):
        raw = b'{"metadata": {"topic": "MARKETPLACE_ACCOUNT_DELETION"}'
        answer = requests.post(self.endpoint, data=raw, timeout=10,
                               headers={"X-EBAY-SIGNATURE": self.sim.sign(raw)})
        self.assertEqual(answer.status_code, 400)
        other_topic = json.dumps({"metadata": {"topic": "OTHER"}, "notification": {}}).encode()
        answer = requests.post(self.endpoint, data=other_topic, timeout=10,
                               headers={"X-EBAY-SIGNATURE": self.sim.sign(other_topic)})
        self.assertEqual(answer.status_code, 400)

    def test_sha256_keys_are_verified_too(self):
        self.sim.options["signature_digest"] = "SHA256"
        _ok, status = self.sim.send_account_deletion(self.endpoint, "gone_buyer")
        self.assertEqual(status, 204)

    def test_setup_check_and_repair(self):
        action = self.credential.action_ebay_check_deletion_setup()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("HTTPS", action["params"]["message"])
        self.assertIn("public host", action["params"]["message"])
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example")
        self.credential.sudo().ebay_verification_token = "short"
        self.credential.invalidate_recordset(["ebay_deletion_endpoint"])
        self.assertIn("32 to 80", self.credential.action_ebay_check_deletion_setup()[
            "params"]["message"])
        action = self.credential.action_ebay_repair_deletion_setup()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.credential.sudo().ebay_verification_token), 64)

    def test_unknown_account_and_unknown_key(self):
        self.assertEqual(self.url_open("/channel/ebay/account_deletion/999999?challenge_code=x")
                         .status_code, 404)
        raw = json.dumps(self.sim.deletion_notification("gone_buyer")).encode()
        answer = requests.post(self.endpoint, data=raw, timeout=10, headers={
            "X-EBAY-SIGNATURE": self.sim.sign(raw, kid="unknown-kid")})
        self.assertEqual(answer.status_code, 503, "eBay retries when the key is not fetched")
