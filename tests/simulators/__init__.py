"""Stateful platform simulators for connector tests and the docker sandbox.

    from tests.simulators import SIMULATORS
    with SIMULATORS['shipstation']() as shipstation:
        ...  # point the credential's base URL at shipstation.url
"""
from .base import RecordedRequest, Simulator, route
from .example import ExampleSimulator
from .shipstation import ShipStationSimulator

SIMULATORS = {
    ExampleSimulator.name: ExampleSimulator,
    ShipStationSimulator.name: ShipStationSimulator,
}

__all__ = ['SIMULATORS', 'ExampleSimulator', 'RecordedRequest', 'ShipStationSimulator',
           'Simulator', 'route']
