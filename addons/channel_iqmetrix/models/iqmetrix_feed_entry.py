import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import feed


class IqmetrixFeedEntry(models.Model):
    """A feed entry that could not be imported, kept with its XML so nothing is lost.

    The feed marker moves past an entry only once it is imported or recorded here; a person
    fixes the cause (a product, a mapping) and retries it from here.
    """

    _name = "iqmetrix.feed.entry"
    _description = "iQmetrix Feed Entry Needing Attention"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "entry_id"

    credential_id = fields.Many2one(
        "integration.credential", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    entry_id = fields.Char("Entry ID", required=True, readonly=True)
    kind = fields.Char(readonly=True)
    order_external_id = fields.Char("iQmetrix Order ID", readonly=True, index=True)
    updated_at = fields.Datetime("Entry Updated", readonly=True)
    state = fields.Selection(
        [("failed", "Needs Attention"), ("done", "Imported"), ("ignored", "Ignored")],
        default="failed", required=True, readonly=True, tracking=True)
    error = fields.Text(readonly=True)
    attempts = fields.Integer(default=1, readonly=True)
    entry_xml = fields.Text("Entry XML", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, ondelete="set null")

    _sql_constraints = [
        ("entry_uniq", "unique(credential_id, entry_id)", "This feed entry is already recorded."),
    ]

    @api.model
    def _record_failure(self, credential, entry, message):
        entry_id = entry.entry_id or "sha256:" + hashlib.sha256(entry.xml.encode()).hexdigest()
        existing = self.search(
            [("credential_id", "=", credential.id), ("entry_id", "=", entry_id)], limit=1)
        if existing:
            existing.write({"state": "failed", "error": message,
                            "attempts": existing.attempts + 1})
            return existing
        return self.create({
            "credential_id": credential.id,
            "entry_id": entry_id,
            "kind": entry.kind,
            "order_external_id": entry.order_id or _order_id_from_xml(entry.xml),
            "updated_at": entry.updated.replace(tzinfo=None) if entry.updated else False,
            "error": message,
            "entry_xml": entry.xml,
        })

    @api.model
    def _resolve(self, credential, orders):
        """Entries recorded as failed earlier whose orders were imported after all."""
        by_order_id = {order.channel_external_id: order for order in orders}
        if not by_order_id:
            return
        recorded = self.search([("credential_id", "=", credential.id),
                                ("order_external_id", "in", list(by_order_id)),
                                ("state", "!=", "done")])
        for record in recorded:
            record.write({"state": "done",
                          "sale_order_id": by_order_id[record.order_external_id].id})

    def action_retry(self):
        self.check_access("write")
        for record in self.filtered(lambda r: r.state != "done"):
            record._retry()
        return True

    def _retry(self):
        self.ensure_one()
        try:
            entry = feed.parse_entry_xml(self.entry_xml or "")
        except feed.FeedError as error:
            raise UserError(self.env._("Entry %(entry)s cannot be read: %(error)s",
                              entry=self.entry_id, error=error)) from None
        credential = self.credential_id.with_company(self.credential_id.company_id)
        stats = credential._iqmetrix_process_entries([entry])
        if self.state == "failed" and not stats.get("failed"):
            order = self.env["sale.order"].search([
                ("channel_credential_id", "=", credential.id),
                ("channel_external_id", "=", entry.order_id)], limit=1) if entry.order_id else None
            self.write({"state": "done", "sale_order_id": order.id if order else False})

    def action_ignore(self):
        self.check_access("write")
        self.filtered(lambda r: r.state == "failed").write({"state": "ignored"})
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "sale.order",
                "res_id": self.sale_order_id.id, "view_mode": "form"}


def _order_id_from_xml(xml):
    """Best effort: the order-id of an entry whose content did not parse as a whole."""
    marker = "<order-id>"
    start = (xml or "").find(marker)
    if start < 0:
        return False
    end = xml.find("</order-id>", start)
    return xml[start + len(marker):end].strip()[:64] if end > start else False
