"""Stateful platform simulators for connector tests and the docker sandbox.

    from tests.simulators import SIMULATORS
    with SIMULATORS['shipstation']() as shipstation:
        ...  # point the credential's base URL at shipstation.url

Every module of this package that defines a ``Simulator`` subclass with a ``name`` and a
``default_port`` is registered: adding a platform means adding one file.
"""
import importlib
import inspect
import pkgutil

from .base import RecordedRequest, Simulator, route


def _discover():
    found = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith('_') or module_info.name == 'base':
            continue
        module = importlib.import_module(f'{__name__}.{module_info.name}')
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Simulator) and value is not Simulator \
                    and value.__module__ == module.__name__ and value.default_port:
                found[value.name] = value
    return dict(sorted(found.items(), key=lambda item: item[1].default_port))


SIMULATORS = _discover()

__all__ = ['SIMULATORS', 'RecordedRequest', 'Simulator', 'route']
