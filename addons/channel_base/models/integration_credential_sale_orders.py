"""What every order import shares: the salesperson and sales team an imported sale order
starts with, and one chatter note per imported order naming the platform's order."""

from markupsafe import escape

from odoo import fields, models

from ..exceptions import PermanentError


class IntegrationCredentialSaleOrders(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    sale_user_id = fields.Many2one(
        "res.users", "Default Salesperson", domain="[('share', '=', False)]",
        help="Salesperson of the sale orders this account imports. Empty: Odoo's usual "
        "choice (the customer's salesperson, else the user running the import).")
    sale_team_id = fields.Many2one(
        "crm.team", "Default Sales Team",
        help="Sales team of the sale orders this account imports. Empty: the salesperson's "
        "team.")

    def _channel_sale_order_defaults(self):
        """{user_id, team_id} to put in the values of every sale order this account
        imports (only those set on the account)."""
        self.ensure_one()
        values = {}
        if self.sale_user_id:
            values["user_id"] = self.sale_user_id.id
        if self.sale_team_id:
            values["team_id"] = self.sale_team_id.id
        return values

    def _channel_log_imported_orders(self, orders):
        """One chatter note per order just imported: "Imported from <platform> order
        <number> (account <name>)", the number being the platform's order reference
        (``channel_external_ref``, else ``channel_external_id``). One batch insert of
        mail.message for all of them, no notification."""
        self.ensure_one()
        if not orders:
            return orders.env["mail.message"]
        platform = dict(self._fields["platform"]._description_selection(self.env)).get(
            self.platform, self.platform)
        bodies = {order.id: escape(self.env._(
            "Imported from %(platform)s order %(number)s (account %(account)s).",
            platform=platform, number=order.channel_external_ref or order.channel_external_id,
            account=self.name)) for order in orders}
        return orders._message_log_batch(bodies)

    def _channel_retry_parked_order(self, external_id, skus, problem_of, create):
        """What every platform's inbox Retry of a parked order does: the sale order if it
        was imported meanwhile, else the products of ``skus`` (one query), the problem
        ``problem_of(unknown skus)`` names (raised as a PermanentError: the item stays
        open with it) and, when there is none, ``create(products by sku)``."""
        self.ensure_one()
        existing = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("channel_external_id", "=", external_id)], limit=1)
        if existing:
            return existing
        products = self.env["channel.mapping"]._products_by_skus(
            [sku for sku in skus if sku], self)
        problem = problem_of(products.unknown)
        if problem:
            raise PermanentError(problem)
        return create(products.products)

    def _channel_address_match(self, address):
        """The batched partner lookup for one address (customer and delivery address)."""
        return self.env["channel.mapping"]._partners_for_addresses(
            [address], self.company_id)[0]
