"""Buyer messages: GetMemberMessages (Trading) brings unanswered questions into the chatter
of the buyer's eBay order for that item, else of the listed product; a message sent from
that chatter (Send message, not Log note) is answered with AddMemberMessageRTQ by a job,
and its delivery is posted back."""

from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models

from .. import const, mapping
from ..client import EbayClient
from ..orders_stream import iso_z


class EbayMemberMessage(models.Model):
    _name = "ebay.member.message"
    _description = "eBay Buyer Message"
    _order = "id desc"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    message_id = fields.Char("eBay Message ID", required=True, index=True)
    sender = fields.Char("Buyer", readonly=True)
    item_id = fields.Char("eBay Item ID", readonly=True)
    body = fields.Text(readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)
    state = fields.Selection([("open", "Unanswered"), ("sending", "Reply queued"),
                              ("answered", "Answered")], default="open", readonly=True)

    _sql_constraints = [("message_uniq", "unique(credential_id, message_id)",
                         "This eBay message is already imported.")]


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _ebay_read_messages(self, job):
        self._ebay_spend_trading(1, optional=True)
        cursor = self._get_cursor(const.MESSAGES_STREAM).value
        now = fields.Datetime.now()
        start = fields.Datetime.to_datetime(cursor) if cursor else now - timedelta(days=7)
        root = EbayClient(self).trading("GetMemberMessages", mapping.get_member_messages(
            iso_z(fields.Datetime.context_timestamp(self, start - timedelta(minutes=10))),
            iso_z(fields.Datetime.context_timestamp(self, now))))
        created = sum(bool(self._ebay_file_message(message))
                      for message in mapping.member_messages(root))
        self._set_cursor(const.MESSAGES_STREAM, fields.Datetime.to_string(now))
        return {"created": created}

    def _ebay_file_message(self, message):
        Message = self.env["ebay.member.message"].sudo()
        if not message["message_id"] or Message.search_count([
                ("credential_id", "=", self.id), ("message_id", "=", message["message_id"])]):
            return None
        target = self._ebay_message_target(message)
        record = Message.create({
            "credential_id": self.id, "message_id": message["message_id"],
            "sender": message["sender"], "item_id": message["item_id"], "body": message["body"],
            "res_model": target._name if target else False, "res_id": target.id if target else 0})
        if target:
            target.message_post(body=Markup("<p><b>%s</b></p><p>%s</p>") % (
                self.env._("eBay message from %s:", message["sender"]), message["body"]),
                message_type="notification")
        return record

    def _ebay_message_target(self, message):
        template = self.env["product.template"].search(
            [("ebay_item_id", "=", message["item_id"])], limit=1) if message["item_id"] \
            else self.env["product.template"]
        sale = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("ebay_buyer_username", "=", message["sender"]),
            ("order_line.product_id.product_tmpl_id", "in", template.ids)],
            order="id desc", limit=1) if template else self.env["sale.order"]
        return sale or template or None

    def _ebay_queue_reply(self, question, body):
        """One AddMemberMessageRTQ job for ``question`` (its record's chatter reply)."""
        question.state = "sending"
        record = self.env[question.res_model].browse(question.res_id)
        return self._enqueue_job(const.OP_SEND_MESSAGE, record=record, payload={
            "question_id": question.id, "body": body},
            dedup_key=f"ebay.reply:{question.id}")

    def _ebay_send_message(self, job):
        question = self.env["ebay.member.message"].sudo().browse(job.payload["question_id"])
        if question.state == "answered":
            return {"skipped": "already answered"}
        self._ebay_spend_trading(1)
        EbayClient(self).trading("AddMemberMessageRTQ", mapping.add_member_message_rtq(
            question.item_id, question.message_id, question.sender, job.payload["body"]))
        question.state = "answered"
        target = job._target()
        if target:
            target.message_post(body=self.env._("Reply delivered to %s on eBay.",
                                                question.sender), message_type="notification")
        return {"sent": 1}
