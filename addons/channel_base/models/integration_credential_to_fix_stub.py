"""STUB, until p2/screens lands on main: the dashboard's "N to fix" entry point the tour
``channel_to_fix_retry`` drives. Drop this file (and its view) at merge: screens owns
``action_open_to_fix`` and the ``o_channel_to_fix`` button."""

from odoo import models


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def action_open_to_fix(self):
        return self.action_open_failed_jobs()
