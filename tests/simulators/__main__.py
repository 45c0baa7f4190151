"""Serve simulators until Ctrl-C: python -m tests.simulators [--host H] [--port-base P] [names...]

Each simulator listens on its class's ``default_port`` (shifted by --port-base minus 8070),
so a platform keeps its port whichever names are asked for; prints "name: url" at startup.

--seed (or SANDBOX_SEED=1) fills the simulators with the demo data of tests/simulators/seed.py,
adds new orders every --new-order-every seconds (SANDBOX_NEW_ORDER_EVERY; 0 = never) and
serves the control page (tests/simulators/console.py) on port base + 9 (8079). Without it
every simulator starts empty, as the tests build them.
"""
import argparse
import contextlib
import logging
import os
import signal
import threading

from . import SIMULATORS

CONSOLE_PORT_OFFSET = 9  # 8079 with the default port base


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.simulators', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('names', nargs='*', metavar='name',
                        help=f"simulators to serve (default: all of {', '.join(SIMULATORS)})")
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface to listen on; 0.0.0.0 inside docker')
    parser.add_argument('--port-base', type=int, default=8070)
    parser.add_argument('--advertised-host',
                        help='host name clients use to reach us (put in webhook resource URLs)')
    parser.add_argument('--seed', action='store_true',
                        default=os.environ.get('SANDBOX_SEED', '') not in ('', '0'),
                        help='start with demo data, add new orders, serve the control page')
    parser.add_argument('--new-order-every', type=float, metavar='SECONDS',
                        default=float(os.environ.get('SANDBOX_NEW_ORDER_EVERY', 60)),
                        help='with --seed: seconds between new orders (0: none; default 60)')
    parser.add_argument('--verbose', action='store_true', help='log every request')
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in SIMULATORS]
    if unknown:
        parser.error(f"unknown simulators {unknown}; known: {', '.join(SIMULATORS)}")
    return arguments


def start_simulators(arguments):
    """Start the asked simulators; returns {name: running simulator}."""
    names = arguments.names or list(SIMULATORS)
    running = {}
    for name, simulator_class in SIMULATORS.items():
        if name not in names:
            continue
        port = simulator_class.default_port + arguments.port_base - 8070
        running[name] = simulator_class().start(arguments.host, port, arguments.advertised_host)
        print(f'{name}: {running[name].url}', flush=True)
    return running


def start_sandbox_extras(arguments, running):
    """--seed: demo data, the new-order trickle and the control page; returns what to stop."""
    from .console import SandboxConsole  # noqa: PLC0415 - only the sandbox needs them
    from .seed import NewOrderTrickle, seed  # noqa: PLC0415
    seed(running)
    trickle = NewOrderTrickle(running, arguments.new_order_every).start()
    console = SandboxConsole(running).start(
        arguments.host, arguments.port_base + CONSOLE_PORT_OFFSET, arguments.advertised_host)
    print(f'console: {console.url}/', flush=True)
    return [trickle, console]


def main(argv=None):
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.INFO,
                        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    running = start_simulators(arguments)
    extras = start_sandbox_extras(arguments, running) if arguments.seed else []
    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop_requested.set())  # docker stop
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
        stop_requested.wait()
    for running_thing in [*extras, *running.values()]:
        running_thing.stop()


if __name__ == '__main__':
    main()
