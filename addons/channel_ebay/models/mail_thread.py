from odoo import models
from odoo.tools import html2plaintext


class EbayReplyMixin(models.AbstractModel):
    """A message sent (not a log note) from the chatter of a record holding an unanswered
    eBay question is sent to the buyer as the answer."""

    _name = "ebay.reply.mixin"
    _description = "eBay replies from the chatter"

    def _ebay_may_hold_questions(self):
        return self

    def _ebay_reply_from_chatter(self, message):
        if message.message_type != "comment" or self.env.context.get("ebay_no_reply"):
            return
        records = self._ebay_may_hold_questions()
        if not records or message.subtype_id != self.env.ref("mail.mt_comment"):
            return
        questions = self.env["ebay.member.message"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", records.ids),
            ("state", "=", "open")], order="id desc")
        body = html2plaintext(message.body or "").strip()
        answered = set()
        for question in questions:
            if question.res_id not in answered:  # the latest question of each record
                answered.add(question.res_id)
                question.credential_id._ebay_queue_reply(question, body)


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "ebay.reply.mixin"]

    def _ebay_may_hold_questions(self):
        return self.filtered(lambda order: order.ebay_buyer_username)

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        self._ebay_reply_from_chatter(message)
        return message


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "ebay.reply.mixin"]

    def _ebay_may_hold_questions(self):
        return self.filtered("ebay_item_id")

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        self._ebay_reply_from_chatter(message)
        return message
