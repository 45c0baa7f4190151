"""Serve simulators until Ctrl-C: python -m tests.simulators [--host H] [--port-base P] [names...]

Each simulator listens on its class's ``default_port`` (shifted by --port-base minus 8070),
so a platform keeps its port whichever names are asked for; prints "name: url" at startup.
"""
import argparse
import contextlib
import logging
import signal
import threading

from . import SIMULATORS


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.simulators', description=__doc__)
    parser.add_argument('names', nargs='*', metavar='name',
                        help=f"simulators to serve (default: all of {', '.join(SIMULATORS)})")
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface to listen on; 0.0.0.0 inside docker')
    parser.add_argument('--port-base', type=int, default=8070)
    parser.add_argument('--advertised-host',
                        help='host name clients use to reach us (put in webhook resource URLs)')
    parser.add_argument('--verbose', action='store_true', help='log every request')
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in SIMULATORS]
    if unknown:
        parser.error(f"unknown simulators {unknown}; known: {', '.join(SIMULATORS)}")
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.INFO,
                        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    names = arguments.names or list(SIMULATORS)
    running = []
    for name, simulator_class in SIMULATORS.items():
        if name not in names:
            continue
        port = simulator_class.default_port + arguments.port_base - 8070
        simulator = simulator_class().start(arguments.host, port, arguments.advertised_host)
        running.append(simulator)
        print(f'{name}: {simulator.url}', flush=True)
    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop_requested.set())  # docker stop
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
        stop_requested.wait()
    for simulator in running:
        simulator.stop()


if __name__ == '__main__':
    main()
