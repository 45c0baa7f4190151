"""Test helpers shared by every connector's tests.

Some state is written on independent cursors (API log, rate-limit rows, cached tokens) so
that it survives rollbacks; its foreign keys need the credential to exist in a committed
transaction. ``CommittedCredentialMixin`` creates such credentials before the test
transaction starts and deletes them (with everything that cascades) afterwards.
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name


class CommittedCredentialMixin:
    @classmethod
    def create_committed_credential(cls, vals):
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            credential_id = env["integration.credential"].create(vals).id
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._delete_committed_credential, credential_id)
        return credential_id

    @classmethod
    def _delete_committed_credential(cls, credential_id):
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sale.order"].search([("channel_credential_id", "=", credential_id)]).write(
                {"channel_credential_id": False})
            env["integration.credential"].browse(credential_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit


def drain_jobs(env, credential, make_due=False, batch_size=8, max_jobs=500):
    """Run every due job (the runner's loop, in the test transaction, no commit) and
    forget the cache. ``make_due`` first brings the account's postponed retries forward,
    so a test needs no sleep to see a retry run."""
    Job = env["sync.job"]
    if make_due:
        Job.search([("credential_id", "=", credential.id), ("state", "=", "pending")]).write(
            {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
    Job._run_due_jobs(batch_size=batch_size, time_budget=120, max_jobs=max_jobs)
    env.invalidate_all()


def start_simulator(test_class, simulator_class, **options):
    """Start a simulator for a test class and stop it when the class is done."""
    simulator = simulator_class(**options).start()
    test_class.addClassCleanup(simulator.stop)
    return simulator


def load_migration_script(test_file, version, script="post-migrate.py"):
    """The module of an addon's upgrade script (``migrations/<version>/<script>``), for
    tests that run its ``migrate(cr, installed_version)`` on rows written the old way."""
    path = Path(test_file).resolve().parent.parent / "migrations" / version / script
    module_name = f"{path.parent.parent.parent.name}_migration_{version.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
