from odoo import api, fields, models

DEFAULT_POLICY = {
    "max_attempts": 5,
    "backoff_base_seconds": 30,
    "backoff_max_seconds": 3600,
}


class SyncJobPolicy(models.Model):
    """Retry settings per operation; operations without a policy use the defaults."""

    _name = "sync.job.policy"
    _description = "Sync Job Retry Policy"
    _order = "operation"

    operation = fields.Char(required=True, help="Exact operation name, e.g. shipstation.export")
    max_attempts = fields.Integer(default=DEFAULT_POLICY["max_attempts"], required=True)
    backoff_base_seconds = fields.Integer(default=DEFAULT_POLICY["backoff_base_seconds"])
    backoff_max_seconds = fields.Integer(default=DEFAULT_POLICY["backoff_max_seconds"])
    active = fields.Boolean(default=True)

    _sql_constraints = [("operation_uniq", "unique(operation)", "One policy per operation.")]

    @api.model
    def _for_operation(self, operation):
        policy = self.search([("operation", "=", operation)], limit=1)
        if policy:
            return {key: policy[key] for key in DEFAULT_POLICY}
        return dict(DEFAULT_POLICY)
