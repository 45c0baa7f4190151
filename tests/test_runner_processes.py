"""The sync.job runner in production shape: real ``odoo-bin`` processes with cron threads on
one database, committed jobs, the example simulator as the platform.

- Two processes drain one mixed queue at once: every job done exactly once, both processes
  did work, and a webhook job of one account is done while another account's lane waits
  for its rate window.
- A process killed in the middle of a job loses only that job: every other job of the run
  is done (sent once) or pending (never sent, no attempt used); after recovery the killed
  job runs again and the platform holds exactly one copy of what it pushed.

The module makes its own database (the addons installed, no demo data) next to the one the
test run uses, and drops it at the end.
"""

import configparser
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import requests

import odoo

from tests.simulators.example import ExampleSimulator

ODOO_BIN = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
WAIT_LIMIT = 180  # seconds any one phase may take before the test gives up


# ---------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def odoo_env(pytestconfig, tmp_path_factory):
    """A database of our own with the addons installed, and a config without test mode."""
    source = pytestconfig.getoption("--odoo-config")
    if not source:
        pytest.fail("these tests need --odoo-config, as .ci/run passes it")
    parser = configparser.ConfigParser()
    parser.read(source)
    options = parser["options"]
    database = f"{options.get('db_name', 'channel')}_runner_{os.getpid()}"
    options.pop("test_file", None)
    options["db_name"] = database
    options["dbfilter"] = f"^{database}$"
    options["max_cron_threads"] = "2"
    folder = tmp_path_factory.mktemp("odoo_runner")
    conf = folder / "odoo.conf"
    with conf.open("w") as handle:
        parser.write(handle)
    env = {
        "conf": str(conf), "db": database, "folder": folder,
        "dsn": {"host": options.get("db_host") or None, "port": options.get("db_port") or None,
                "user": options.get("db_user") or None,
                "password": options.get("db_password") or None},
    }
    _drop_database(env)
    install = subprocess.run(
        [sys.executable, str(ODOO_BIN), "-c", str(conf), "-d", database, "-i",
         "test_channel_base", "--stop-after-init", "--without-demo=all", "--log-level=warn"],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    yield env
    _drop_database(env)


@pytest.fixture
def sim():
    simulator = ExampleSimulator(api_key="example-key").start()
    yield simulator
    simulator.stop()


def _connect(env, database=None):
    dsn = {key: value for key, value in env["dsn"].items() if value}
    connection = psycopg2.connect(dbname=database or env["db"], **dsn)
    connection.autocommit = True
    return connection


def _drop_database(env):
    connection = _connect(env, "postgres")
    with connection.cursor() as cr:
        cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = %s AND pid <> pg_backend_pid()", (env["db"],))
        cr.execute(f'DROP DATABASE IF EXISTS "{env["db"]}"')
    connection.close()


def _query(env, sql, params=()):
    connection = _connect(env)
    with connection.cursor() as cr:
        cr.execute(sql, params)
        rows = cr.fetchall() if cr.description else []
    connection.close()
    return rows


def _odoo_shell(env, script):
    """Run ``script`` in ``odoo-bin shell`` (committed); return what it printed as JSON."""
    result = subprocess.run(
        [sys.executable, str(ODOO_BIN), "shell", "-c", env["conf"], "-d", env["db"],
         "--no-http", "--log-level=warn"],
        input=("import json\n" + script
               + "\nenv.cr.commit()\nprint('RESULT=' + json.dumps(result))\n"),
        capture_output=True, text=True, timeout=300, check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT=")]
    assert lines, result.stdout[-2000:] + result.stderr[-3000:]
    return json.loads(lines[-1].removeprefix("RESULT="))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OdooProcess:
    """``odoo-bin`` with HTTP and cron threads, as production runs it."""

    def __init__(self, env, name, cron_threads=2):
        self.port = _free_port()
        self.log = Path(env["folder"]) / f"{name}.log"
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and odoo-bin
            [sys.executable, str(ODOO_BIN), "-c", env["conf"], "-d", env["db"],
             "--http-interface=127.0.0.1", f"--http-port={self.port}", "--workers=0",
             f"--max-cron-threads={cron_threads}", "--log-level=info",
             f"--logfile={self.log}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self):
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(self.url + "/web/health", timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # still starting (the registry loads before the first answer)
            time.sleep(0.3)
        raise AssertionError(f"odoo-bin not ready: {self.log.read_text()[-3000:]}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _wake_crons(env):
    """What ``ir.cron._trigger`` does: wake every cron thread. They LISTEN on the
    ``postgres`` database, so that is where the notification goes."""
    connection = _connect(env, "postgres")
    with connection.cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", (env["db"],))
    connection.close()


def _wait_until(env, condition, what, wake=True):
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        if condition():
            return
        if wake:
            _wake_crons(env)
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _posts_per_reference(sim, prefix):
    counts = {}
    for request in sim.requests:
        if request.method == "POST" and request.path == "/orders" and request.json:
            reference = request.json.get("reference", "")
            if reference.startswith(prefix):
                counts[reference] = counts.get(reference, 0) + 1
    return counts


def _jobs(env, operation, reference_prefix=None):
    sql = ("SELECT id, state, attempts, worker, payload->>'reference', next_attempt_at, "
           "now() AT TIME ZONE 'UTC' FROM sync_job WHERE operation = %s")
    params = [operation]
    if reference_prefix:
        sql += " AND payload->>'reference' LIKE %s"
        params.append(reference_prefix + "%")
    return _query(env, sql + " ORDER BY id", params)


# ---------------------------------------------------------------------------- tests

SETUP_QUEUE = """
Credential = env["integration.credential"]
base = dict(platform="example", api_base_url=SIM_URL, example_api_key="example-key",
            request_timeout=10)
blocked = Credential.create(dict(base, name="Rate-blocked", example_rate_limit=40))
busy = Credential.create(dict(base, name="Busy", job_concurrency=2))
hooks = Credential.create(dict(base, name="Hooks"))
# Their scheduled order imports would add jobs to the lanes under test.
(blocked | busy | hooks).stream_ids.action_pause()
Job = env["sync.job"]
Job._enqueue_many([{"operation": "noop"} for _ in range(N_NOOP)])
Job._enqueue_many([{"operation": "example.push_order", "credential": busy,
                    "payload": {"reference": f"BUSY-{i}"}} for i in range(N_BUSY)])
Job._enqueue_many([{"operation": "example.push_order", "credential": blocked,
                    "payload": {"reference": f"BLOCKED-{i}"}} for i in range(5)])
# The platform answered 429 "wait 90 s" a moment ago: the lane waits for every worker.
Limits = env["channel.rate.limit"]
Limits._reserve(blocked.id, "default", "window", 40, 60.0)
Limits._observe(blocked.id, "default", blocked_for=90)
result = {"hooks": hooks.id, "blocked": blocked.id, "secret": hooks.sudo().webhook_secret}
"""


def test_two_processes_drain_one_queue_and_lanes_do_not_wait_on_each_other(odoo_env, sim):
    env = odoo_env
    n_noop, n_busy = 1500, 40
    setup = _odoo_shell(env, SETUP_QUEUE.replace("SIM_URL", repr(sim.url))
                        .replace("N_NOOP", str(n_noop)).replace("N_BUSY", str(n_busy)))
    first, second = OdooProcess(env, "first"), OdooProcess(env, "second")
    try:
        first.wait_ready()
        second.wait_ready()
        _wake_crons(env)
        order = {"id": "hook-1", "reference": "HOOK-1", "lines": [],
                 "customer": {"name": "Hook Buyer", "email": "hook@example.com"}}
        response = requests.post(
            f"{second.url}/channel/webhook/example/{setup['hooks']}?token={setup['secret']}",
            json={"id": "evt-hook-1", "event": "order.created", "order": order}, timeout=30)
        assert response.status_code == 200, response.text
        delivered = time.monotonic()

        def webhook_done():
            return _query(env, "SELECT count(*) FROM sale_order WHERE channel_external_id = "
                               "'hook-1'")[0][0] == 1
        _wait_until(env, webhook_done, "the webhook's order")
        webhook_latency = time.monotonic() - delivered

        def drained():
            return _query(env, "SELECT count(*) FROM sync_job WHERE state <> 'done' AND "
                               "lane <> %s", (f"credential:{setup['blocked']}",))[0][0] == 0
        _wait_until(env, drained, "the queue to drain")
    finally:
        first.stop()
        second.stop()

    noops = _jobs(env, "noop")
    assert len(noops) == n_noop
    assert {state for _id, state, *_ in noops} == {"done"}
    assert {attempts for _id, _state, attempts, *_ in noops} == {1}, "no job ran twice"
    pids = {worker.split(":")[1] for *_, worker, _ref, _next, _now in noops}
    pids |= {worker.split(":")[1] for *_, worker, _ref, _next, _now in _jobs(
        env, "example.push_order", "BUSY-")}
    assert len(pids) == 2, f"both processes drained the queue: {pids}"

    assert _posts_per_reference(sim, "BUSY-") == {f"BUSY-{i}": 1 for i in range(n_busy)}

    blocked = _jobs(env, "example.push_order", "BLOCKED-")
    assert {state for _id, state, *_ in blocked} == {"pending"}
    assert {attempts for _id, _state, attempts, *_ in blocked} == {0}, \
        "waiting for the platform's reset used no attempt"
    assert min((next_at - now).total_seconds() for *_, next_at, now in blocked) > 20, \
        "the blocked lane still waits for its reset"
    assert not _posts_per_reference(sim, "BLOCKED-"), "nothing was sent while blocked"
    # Its neighbour's webhook did not wait for the blocked lane's 90 s (nor for the queue
    # of 1,500 jobs ahead of it to be done one lane at a time).
    assert webhook_latency < 20, webhook_latency


SETUP_KILL = """
credential = env["integration.credential"].create(dict(
    name="Killed worker", platform="example", api_base_url=SIM_URL,
    example_api_key="example-key", request_timeout=60))
credential.stream_ids.action_pause()  # its scheduled order import would GET /orders too
env["ir.config_parameter"].set_param("channel_base.job_running_timeout", "5")
env["sync.job"]._enqueue_many([{"operation": "example.push_order", "credential": credential,
                                "payload": {"reference": f"KILL-{i:02d}"}} for i in range(20)])
result = {"credential": credential.id}
"""


def test_a_killed_worker_loses_only_the_job_it_was_running(odoo_env, sim):
    env = odoo_env
    _odoo_shell(env, SETUP_KILL.replace("SIM_URL", repr(sim.url)))
    # Faults are taken in order: six pushes go through, the seventh hangs in the platform.
    sim.inject("slow", count=6, seconds=0, path="/orders")
    slow = sim.inject("slow", seconds=20, path="/orders")
    worker = OdooProcess(env, "killed", cron_threads=1)
    try:
        worker.wait_ready()
        _wait_until(env, lambda: slow.remaining <= 0, "a push in flight")
        time.sleep(0.5)  # the platform has the request; our transaction is open
        worker.kill()
    finally:
        worker.stop()

    jobs = _jobs(env, "example.push_order", "KILL-")
    posts = _posts_per_reference(sim, "KILL-")
    running = [ref for _id, state, _a, _w, ref, *_ in jobs if state == "running"]
    assert len(running) == 1, jobs
    killed_reference = running[0]
    for _id, state, attempts, _worker, reference, *_ in jobs:
        if state == "done":
            assert posts.get(reference) == 1, f"{reference} was sent once"
        elif state == "pending":
            assert attempts == 0 and reference not in posts, f"{reference} never started"
        else:
            assert reference == killed_reference
    assert posts[killed_reference] == 1
    assert any(state == "pending" for _id, state, *_ in jobs), "the kill came mid-run"
    assert sum(state == "done" for _id, state, *_ in jobs) == 6, "six pushes went through"

    time.sleep(5.5)  # channel_base.job_running_timeout: the dead worker's job is stale now
    again = OdooProcess(env, "recovered", cron_threads=1)
    try:
        again.wait_ready()
        _wait_until(env, lambda: {state for _id, state, *_ in _jobs(
            env, "example.push_order", "KILL-")} == {"done"}, "recovery")
    finally:
        again.stop()
    posts = _posts_per_reference(sim, "KILL-")
    assert {ref: count for ref, count in posts.items() if count != 1} == {killed_reference: 2}, \
        "only the killed job was sent again"
    assert sorted(ref for ref in sim.orders if ref.startswith("KILL-")) == [
        f"KILL-{i:02d}" for i in range(20)], "the platform holds exactly one copy of each"
    attempts = {ref: a for _id, _s, a, _w, ref, *_ in _jobs(env, "example.push_order", "KILL-")}
    assert attempts[killed_reference] == 2
    assert set(attempts.values()) == {1, 2}



# ---------------------------------------------------------------------------- paged import

SETUP_PAGED = """
env["product.product"].create({"name": "Paged gadget", "default_code": "PAGED-SKU"})
credential = env["integration.credential"].create(dict(
    name="Paged import", platform="example", api_base_url=SIM_URL,
    example_api_key="example-key", request_timeout=60))
env["ir.config_parameter"].set_param("channel_base.job_running_timeout", "5")
stream = credential._channel_stream("orders")
stream._queue_run()
result = {"credential": credential.id, "stream": stream.id}
"""


def _paged_state(env, credential_id):
    orders = _query(env, "SELECT channel_external_id, count(*) FROM sale_order "
                         "WHERE channel_credential_id = %s GROUP BY 1", (credential_id,))
    cursor = _query(env, "SELECT value FROM channel_sync_cursor WHERE credential_id = %s "
                         "AND stream = 'orders'", (credential_id,))
    stream = _query(env, "SELECT run_state, run_pages_done, run_items_done FROM channel_stream "
                         "WHERE credential_id = %s AND code = 'orders'", (credential_id,))[0]
    return dict(orders), (cursor[0][0] if cursor else None), stream


def test_a_killed_paged_import_resumes_at_the_first_uncommitted_page(odoo_env, sim):
    """Five pages of 50; the platform hangs on page 3; the worker is killed while it waits.
    Pages 1-2 stay committed with the cursor after them; the next worker recovers the
    page job and goes on from page 3: every order once, pages 1-2 never fetched again."""
    env = odoo_env
    sim.seed_orders(250, "PAGED-SKU")
    sim.hang_page(3, seconds=30)
    setup = _odoo_shell(env, SETUP_PAGED.replace("SIM_URL", repr(sim.url)))
    worker = OdooProcess(env, "paged-killed", cron_threads=1)
    try:
        worker.wait_ready()
        _wait_until(env, lambda: 3 in sim.page_fetches(), "page 3 in flight")
        time.sleep(0.5)  # the platform has the request; the page's transaction is open
        worker.kill()
    finally:
        worker.stop()
    orders, cursor, stream = _paged_state(env, setup["credential"])
    assert sim.page_fetches() == [1, 2, 3]
    assert len(orders) == 100 and set(orders.values()) == {1}, "pages 1-2 committed"
    assert cursor == "100", "the cursor is after page 2"
    assert stream == ("running", 2, 100)

    time.sleep(5.5)  # channel_base.job_running_timeout: the dead worker's job is stale now
    again = OdooProcess(env, "paged-recovered", cron_threads=1)
    try:
        again.wait_ready()
        _wait_until(env, lambda: _paged_state(env, setup["credential"])[2][0] == "idle",
                    "the run to finish")
    finally:
        again.stop()
    orders, cursor, stream = _paged_state(env, setup["credential"])
    assert len(orders) == 250 and set(orders.values()) == {1}, "every order exactly once"
    assert cursor == "250"
    assert stream == ("idle", 5, 250), "no page was counted twice"
    assert sim.page_fetches() == [1, 2, 3, 3, 4, 5], "after the restart: page 3 on, only"
