from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.verification import FollowedUrlRefused


@tagged("post_install", "-at_install")
class TestCheckFollowedUrl(TransactionCase):
    """``_check_followed_url`` allows the account's own API origin and nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].create({
            "name": "Follow", "platform": "example", "api_base_url": "http://127.0.0.1:8070/"})

    def test_own_origin_is_followed(self):
        url = "http://127.0.0.1:8070/orders?page=2"
        self.assertEqual(self.credential._check_followed_url(url), url)

    def test_other_origin_is_a_permanent_error_naming_the_url_masked(self):
        with self.assertRaises(FollowedUrlRefused) as caught:
            self.credential._check_followed_url("http://127.0.0.1:9999/x?api_key=k-secret-1")
        self.assertIsInstance(caught.exception, PermanentError)
        self.assertIn("127.0.0.1:9999", str(caught.exception))
        self.assertNotIn("k-secret-1", str(caught.exception))

    def test_follows_the_base_url_when_it_changes(self):
        self.credential.api_base_url = "https://api.example.com"
        with self.assertRaises(FollowedUrlRefused):
            self.credential._check_followed_url("http://127.0.0.1:8070/orders")
        self.assertTrue(self.credential._check_followed_url("https://api.example.com/orders"))
