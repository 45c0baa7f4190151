"""The demo path of `docker compose up`, without docker (run by .ci/run after the tests).

    python tests/demo_check.py -c odoo.conf -d channel_demo_check [--keep]

1. Creates the database ``-d`` (dropped first) with demo data and the connector apps,
   as docker/odoo-entrypoint.sh does: odoo-bin -i channel_shipstation,channel_iqreseller,
   channel_iqmetrix,channel_dsco,channel_shopify,channel_ebay,channel_shiphero, with the
   config ``-c`` minus its without_demo.
2. Starts the seeded sandbox (simulators, seed data, control page) in this process on the
   ports the demo accounts point at (8071-8077, 8079); when one is taken it uses free ports
   and points the demo accounts there instead, saying so.
3. Runs the connectors' scheduled actions as the scheduler would (their ir.cron records,
   then the sync.job runner until the queue is empty), ships one transfer from the control
   page as a user would, and runs the ShipStation shipment poll.
4. Checks that orders arrived from every platform: the sandbox's IQ Reseller orders the
   filter keeps (and none it leaves out) and every iQmetrix feed order are sale orders, and
   their transfers reached ShipStation; the shipped one is done in Odoo; every DSCO
   stream order is a sale order and was acknowledged; every seeded Shopify, eBay and
   ShipHero (the demo brand's) order is a sale order.

Exits 0 when every check passes, 1 with the failed checks listed otherwise.
"""
import argparse
import configparser
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

import odoo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.simulators import SIMULATORS  # noqa: E402 - needs the repository on sys.path
from tests.simulators.console import SandboxConsole  # noqa: E402
from tests.simulators.seed import IQR_CHANNEL, seed  # noqa: E402

MODULES = ('channel_shipstation', 'channel_iqreseller', 'channel_iqmetrix', 'channel_dsco',
           'channel_shopify', 'channel_ebay', 'channel_shiphero')
SANDBOX_PLATFORMS = ('shipstation', 'iqreseller', 'iqmetrix', 'dsco', 'shopify', 'ebay',
                     'shiphero')
DEMO_ACCOUNTS = {platform: f'channel_{platform}.demo_account_{platform}'
                 for platform in SANDBOX_PLATFORMS}
CONSOLE_PORT = 8079
# One scheduler queues every account's due streams: IQ Reseller orders, the iQmetrix feed,
# ShipStation's shipments, voids and export sweep.
STREAM_SCHEDULER_CRON = 'channel_base.ir_cron_channel_stream_scheduler'
JOB_RUNNER_CRON = 'channel_base.ir_cron_sync_job_runner'
MAX_RUNNER_ROUNDS = 20


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('-c', '--config', required=True, help='an Odoo config file')
    parser.add_argument('-d', '--database', required=True, help='database to (re)create')
    parser.add_argument('--keep', action='store_true', help='keep the database afterwards')
    parser.add_argument('--reuse', action='store_true',
                        help='use the database as it is (made by an earlier --keep run)')
    return parser.parse_args(argv)


# --------------------------------------------------------------------- step 1: the database

def demo_config(config_path, database):
    """A copy of the config that loads demo data and serves only ``database``."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_path)
    options = parser['options']
    options.pop('without_demo', None)
    options['db_name'] = database
    options['dbfilter'] = f'^{database}$'
    options['max_cron_threads'] = '0'
    handle, path = tempfile.mkstemp(prefix='odoo-demo-check-', suffix='.conf')
    with os.fdopen(handle, 'w') as config_file:
        parser.write(config_file)
    return path


def odoo_bin():
    return str(Path(odoo.__file__).resolve().parent.parent / 'odoo-bin')


def create_demo_database(config_path, database):
    subprocess.run(['dropdb', '--if-exists', database], check=False, env=pg_environment(
        config_path))
    subprocess.run([sys.executable, odoo_bin(), '-c', config_path, '-d', database,
                    '-i', ','.join(MODULES), '--stop-after-init', '--log-level=warn'],
                   check=True)


def pg_environment(config_path):
    """libpq variables for dropdb from the config's db_* options."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_path)
    options = parser['options']
    environment = dict(os.environ)
    for option, variable in (('db_host', 'PGHOST'), ('db_port', 'PGPORT'),
                             ('db_user', 'PGUSER'), ('db_password', 'PGPASSWORD')):
        if options.get(option) not in (None, '', 'False'):
            environment[variable] = options[option]
    return environment


# --------------------------------------------------------------------- step 2: the sandbox

def port_is_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(('127.0.0.1', port)) != 0


def start_sandbox():
    """The seeded simulators and the control page; ports 0 (free ones) when a default
    port is taken. Returns ({platform: simulator}, console, moved)."""
    ports = [SIMULATORS[name].default_port for name in SANDBOX_PLATFORMS] + [CONSOLE_PORT]
    moved = not all(port_is_free(port) for port in ports)
    simulators = {name: SIMULATORS[name]().start(
        '127.0.0.1', 0 if moved else SIMULATORS[name].default_port)
        for name in SANDBOX_PLATFORMS}
    seed(simulators)
    console = SandboxConsole(simulators).start('127.0.0.1', 0 if moved else CONSOLE_PORT)
    return simulators, console, moved


def point_demo_accounts_at(env, simulators):
    """Only when the default ports were taken: the demo data's URLs with other ports."""
    urls = {name: simulator.url for name, simulator in simulators.items()}
    env.ref(DEMO_ACCOUNTS['shipstation']).write({
        'api_base_url': urls['shipstation'], 'shipstation_v2_base_url': urls['shipstation'],
        'shipstation_jwks_url': urls['shipstation'] + '/jwks'})
    env.ref(DEMO_ACCOUNTS['iqreseller']).write({
        'api_base_url': urls['iqreseller'], 'iqr_signin_url': urls['iqreseller']})
    env.ref(DEMO_ACCOUNTS['iqmetrix']).write({
        'api_base_url': urls['iqmetrix'] + '/v1',
        'iqmetrix_accounts_url': urls['iqmetrix'] + '/v1'})
    env.ref(DEMO_ACCOUNTS['dsco']).write({'api_base_url': urls['dsco']})
    for platform in ('shopify', 'ebay', 'shiphero'):
        env.ref(DEMO_ACCOUNTS[platform]).write({'api_base_url': urls[platform]})


# --------------------------------------------------------------------- step 3: the scheduler

def trigger(env, cron_xmlid):
    env.ref(cron_xmlid).method_direct_trigger()
    env.cr.commit()


def drain_jobs(env):
    """Run the job runner cron until no job is due (a job a run queues runs next round)."""
    Job = env['sync.job']
    for _round in range(MAX_RUNNER_ROUNDS):
        trigger(env, JOB_RUNNER_CRON)
        env.invalidate_all()
        due = Job.search([('state', '=', 'pending'),
                          ('next_attempt_at', '<=', odoo.fields.Datetime.now())])
        if not due:
            return


def ship_from_console(console, picking):
    """Ship a transfer's ShipStation order from the control page, as a user would."""
    answer = requests.post(f'{console.url}/action', timeout=30, data={
        'simulator': 'shipstation', 'action': 'ship', 'order_key': picking.shipstation_order_key,
        'tracking': 'DEMO-TRACK-1'})
    answer.raise_for_status()
    return answer.url


# --------------------------------------------------------------------- step 4: the checks

def check_orders(env, simulators, failures):
    SaleOrder = env['sale.order']
    iqr_so = simulators['iqreseller'].sos.values()
    wanted = {str(so['soid']) for so in iqr_so if so['status'] in ('Open', 'Partial')
              and so['userdefined5'] == IQR_CHANNEL and so['so'] and _recent(so)}
    imported = set(SaleOrder.search([
        ('channel_credential_id', '=', env.ref(DEMO_ACCOUNTS['iqreseller']).id)
    ]).mapped('channel_external_id'))
    expect(failures, imported == wanted and wanted,
           f'IQ Reseller sale orders {sorted(imported)}, expected {sorted(wanted)}')
    feed_orders = set(simulators['iqmetrix'].orders)
    imported = set(SaleOrder.search([
        ('channel_credential_id', '=', env.ref(DEMO_ACCOUNTS['iqmetrix']).id)
    ]).mapped('channel_external_id'))
    expect(failures, feed_orders and feed_orders <= imported,
           f'iQmetrix sale orders for {len(feed_orders & imported)} of the '
           f'{len(feed_orders)} feed orders')
    dsco = simulators['dsco']
    dsco_orders = set(dsco.orders)
    imported = set(SaleOrder.search([
        ('channel_credential_id', '=', env.ref(DEMO_ACCOUNTS['dsco']).id)
    ]).mapped('channel_external_id'))
    expect(failures, dsco_orders and dsco_orders <= imported
           and dsco_orders <= set(dsco.acknowledged),
           f'DSCO sale orders for {len(dsco_orders & imported)} of the {len(dsco_orders)} '
           f'stream orders, {len(set(dsco.acknowledged))} acknowledged')
    check_seeded_orders(env, simulators, failures)


# The seeded orders' ids as the connectors keep them (channel_external_id): Shopify's
# order gid's number, eBay's orderId, ShipHero's order id.
SEEDED_ORDER_IDS = {
    'shopify': lambda simulator: {gid.rsplit('/', 1)[-1] for gid in simulator.orders},
    'ebay': lambda simulator: set(simulator.orders),
    'shiphero': lambda simulator: set(simulator.orders),
}


def check_seeded_orders(env, simulators, failures):
    """Every order the sandbox seeded for Shopify, eBay and ShipHero is a sale order of
    its demo account (Shopify and eBay's "for visibility", ShipHero's of the demo brand)."""
    for platform, seeded_ids in SEEDED_ORDER_IDS.items():
        seeded = seeded_ids(simulators[platform])
        imported = set(env['sale.order'].search([
            ('channel_credential_id', '=', env.ref(DEMO_ACCOUNTS[platform]).id)
        ]).mapped('channel_external_id'))
        expect(failures, seeded and seeded <= imported,
               f'{platform} sale orders for {len(seeded & imported)} of the {len(seeded)} '
               f'seeded orders')
    cancelled = {gid.rsplit('/', 1)[-1] for gid, order in simulators['shopify'].orders.items()
                 if order['cancelledAt']}
    states = set(env['sale.order'].search([
        ('channel_credential_id', '=', env.ref(DEMO_ACCOUNTS['shopify']).id),
        ('channel_external_id', 'in', list(cancelled))]).mapped('state'))
    expect(failures, cancelled and states == {'cancel'},
           f'Shopify order cancelled in the sandbox is {sorted(states)} in Odoo')
    visible_only = [env.ref(DEMO_ACCOUNTS[platform]).id for platform in SEEDED_ORDER_IDS]
    sent = exported_pickings(env).filtered(
        lambda picking: picking.sale_id.channel_credential_id.id in visible_only)
    expect(failures, not sent, f'{len(sent)} Shopify, eBay or ShipHero transfers sent to '
           'ShipStation (Shopify and eBay orders are for visibility, ShipHero ships its own)')


def _recent(so):
    from datetime import datetime, timedelta  # noqa: PLC0415

    from tests.simulators.iqreseller import parse_iqr_date  # noqa: PLC0415
    return parse_iqr_date(so['saledate']) > datetime.now() - timedelta(days=29)


def exported_pickings(env):
    return env['stock.picking'].search([('shipstation_order_id', '!=', False)])


def check_export(env, simulators, failures):
    pickings = exported_pickings(env)
    in_sandbox = {order['orderKey'] for order in simulators['shipstation'].orders.values()}
    expect(failures, pickings and set(pickings.mapped('shipstation_order_key')) <= in_sandbox,
           f'{len(pickings)} transfers sent to ShipStation, all in the sandbox')


def expect(failures, condition, description):
    print(f"demo check: {'ok  ' if condition else 'FAIL'} {description}", flush=True)
    if not condition:
        failures.append(description)


# --------------------------------------------------------------------- main

def run_checks(env, simulators, console, moved):
    failures = []
    if moved:
        print('demo check: default sandbox ports taken; demo accounts moved to '
              + ', '.join(s.url for s in simulators.values()), flush=True)
        point_demo_accounts_at(env, simulators)
        env.cr.commit()
    trigger(env, STREAM_SCHEDULER_CRON)
    drain_jobs(env)
    shipstation = env.ref(DEMO_ACCOUNTS['shipstation'])
    # Transfers of orders imported after the sweep ran are sent by the next sweep.
    shipstation._channel_stream('export_sweep')._queue_run()
    env.cr.commit()
    drain_jobs(env)
    check_orders(env, simulators, failures)
    check_export(env, simulators, failures)
    pickings = exported_pickings(env)
    if pickings:
        picking = pickings[0]
        ship_from_console(console, picking)
        shipstation._shipstation_queue_polls()  # the next scheduled poll, now
        env.cr.commit()
        drain_jobs(env)
        picking.invalidate_recordset()
        expect(failures, picking.state == 'done',
               f'transfer {picking.name} shipped from the control page is {picking.state}')
    return failures


def main(argv=None):
    arguments = parse_arguments(argv)
    started = time.monotonic()
    config_path = demo_config(arguments.config, arguments.database)
    simulators, console = {}, None
    try:
        if not arguments.reuse:
            create_demo_database(config_path, arguments.database)
        odoo.tools.config.parse_config(['-c', config_path, '-d', arguments.database,
                                        '--log-level=warn'])
        simulators, console, moved = start_sandbox()
        registry = odoo.modules.registry.Registry(arguments.database)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            failures = run_checks(env, simulators, console, moved)
    finally:
        for running in [*simulators.values(), console]:
            if running is not None:
                running.stop()
        if not arguments.keep:
            odoo.sql_db.close_all()
            subprocess.run(['dropdb', '--if-exists', arguments.database], check=False,
                           env=pg_environment(config_path))
        os.unlink(config_path)
    print(f'demo check: {len(failures)} failed in {time.monotonic() - started:.0f} s',
          flush=True)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
