"""pytest configuration for the whole repository.

- The repository root is importable, so Odoo tests can start the simulators in
  ``tests/simulators`` (plain Python, no Odoo).
- Odoo's own test runner marks the main thread as testing; pytest-odoo does not, and
  code that must not commit inside tests (the job runner) relies on that flag.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_runtest_setup(item):
    # Set before every test: loading a registry with test_enable resets the flag.
    threading.current_thread().testing = True
