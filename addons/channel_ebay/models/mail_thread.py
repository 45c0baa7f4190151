from odoo import models
from odoo.tools import html2plaintext

from .. import const


class EbayReplyMixin(models.AbstractModel):
    """A message sent (not a log note) from the chatter of a record holding an unanswered
    eBay question is sent to the buyer as the answer."""

    _name = "ebay.reply.mixin"
    _description = "eBay replies from the chatter"

    def _ebay_reply_from_chatter(self, message):
        if message.message_type != "comment" or message.subtype_id != self.env.ref(
                "mail.mt_comment") or self.env.context.get("ebay_no_reply"):
            return
        credentials = self.env["integration.credential"].sudo().search(
            [("platform", "=", const.PLATFORM)])
        for record in self:
            for credential in credentials:
                credential._ebay_queue_reply(record, html2plaintext(message.body or "").strip())


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "ebay.reply.mixin"]

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        self._ebay_reply_from_chatter(message)
        return message


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "ebay.reply.mixin"]

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        self._ebay_reply_from_chatter(message)
        return message
