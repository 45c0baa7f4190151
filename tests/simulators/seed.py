"""Sandbox seed: demo data for the simulators and a slow trickle of new orders.

Only the sandbox (python -m tests.simulators --seed, or SANDBOX_SEED=1) calls this module;
a simulator built by a test starts empty, as it always did.

The SKUs are those of the connectors' demo products (addons/channel_iqreseller/demo,
addons/channel_iqmetrix/demo) and the credentials are the simulators' default options, which
the demo accounts use. The IQ Reseller orders follow seed 000's filter (agent channel
"DPC - QUIC", status Open or Partial, sold in the last 30 days) and a few are there for the
filter to leave out; the iQmetrix feed (seed 001) holds store and home deliveries.
"""
import logging
import threading
import uuid
from datetime import datetime, timedelta

# The platforms added since keep their seeders beside their simulators.
from .dsco import add_demo_order as add_dsco_order
from .dsco import seed_demo as seed_dsco
from .ebay import seed_ebay
from .shiphero import seed_sandbox as seed_shiphero
from .shopify import seed_sandbox as seed_shopify

_logger = logging.getLogger(__name__)

IQR_CHANNEL = 'DPC - QUIC'
IQR_CHANNEL_FIELD = 'userdefined5'  # the tracking write-back uses userdefined1..4
IQR_PRODUCTS = {  # SKU -> (description, unit price)
    'DEMO-LAPTOP-T14': ('Refurbished laptop 14"', 649.0),
    'DEMO-DOCK-USBC': ('USB-C docking station', 129.0),
    'DEMO-MONITOR-24': ('24" monitor', 179.0),
}
IQM_PRODUCTS = {
    'DEMO-PHONE-CASE': ('Rugged phone case', 29.99),
    'DEMO-CHARGER-30W': ('30 W USB-C charger', 39.99),
    'DEMO-SCREEN-GUARD': ('Tempered glass screen guard', 19.99),
}
IQR_CUSTOMERS = (
    {'clientid': 'ACMECORP', 'shiptocompany': 'Acme Corp', 'shiptoname': 'Acme Corp',
     'shiptocontact': 'Jane Buyer', 'shiptocity': 'Austin', 'shiptostate': 'TX',
     'shiptopostalcode': '78701', 'shiptoaddress1': '123 Main St'},
    {'clientid': 'GLOBEX', 'shiptocompany': 'Globex Inc', 'shiptoname': 'Globex Inc',
     'shiptocontact': 'Hank Scorpio', 'shiptocity': 'Portland', 'shiptostate': 'OR',
     'shiptopostalcode': '97201', 'shiptoaddress1': '500 Volcano Way',
     'shiptoemail': 'purchasing@globex.example'},
    {'clientid': 'INITECH', 'shiptocompany': 'Initech', 'shiptoname': 'Initech',
     'shiptocontact': 'Bill Lumbergh', 'shiptocity': 'Dallas', 'shiptostate': 'TX',
     'shiptopostalcode': '75201', 'shiptoaddress1': '4120 Freidrich Ln',
     'shiptoemail': 'it@initech.example'},
)
SHIPSTATION_OTHER_STORE_ID = 100002  # a web shop's store, beside the default manual store
# Seeded iQmetrix orders keep their ids from one sandbox start to the next (like the IQ
# Reseller soids), so a restarted sandbox does not look like new orders to a database.
SEED_NAMESPACE = uuid.UUID('5d1c6a52-3b8e-4f0e-9a57-2f1f3e0c9b11')


def _iqr_lines(*items):
    return [{'item': sku, 'description': IQR_PRODUCTS[sku][0], 'quantity': quantity,
             'unitprice': IQR_PRODUCTS[sku][1], 'listprice': IQR_PRODUCTS[sku][1]}
            for sku, quantity in items]


def _iqr_order(simulator, days_ago, lines, customer=0, status='Open', channel=IQR_CHANNEL):
    sale_date = datetime.now() - timedelta(days=days_ago)
    return simulator.add_so(details=lines, saledate=sale_date, status=status,
                            **{IQR_CHANNEL_FIELD: channel}, **IQR_CUSTOMERS[customer])


def seed_iqreseller(simulator):
    """Six orders the demo account imports (Open or Partial, "DPC - QUIC", last 30 days)
    and three it must leave out (Closed, another channel, 45 days old). Returns the SOs."""
    imported = [
        _iqr_order(simulator, 1, _iqr_lines(('DEMO-LAPTOP-T14', 2), ('DEMO-DOCK-USBC', 2))),
        _iqr_order(simulator, 2, _iqr_lines(('DEMO-MONITOR-24', 4)), customer=1),
        _iqr_order(simulator, 3, _iqr_lines(('DEMO-DOCK-USBC', 1)), customer=2),
        _iqr_order(simulator, 6, _iqr_lines(('DEMO-LAPTOP-T14', 1), ('DEMO-MONITOR-24', 1))),
        _iqr_order(simulator, 12, _iqr_lines(('DEMO-LAPTOP-T14', 5)), customer=1),
    ]
    partial = _iqr_order(simulator, 8, _iqr_lines(('DEMO-LAPTOP-T14', 1), ('DEMO-DOCK-USBC', 1)),
                         customer=2)
    imported.append(simulator.ship_line(partial['soid'], 1, shipdate=datetime.now()))
    excluded = [
        _iqr_order(simulator, 4, _iqr_lines(('DEMO-DOCK-USBC', 3)), status='Closed'),
        _iqr_order(simulator, 5, _iqr_lines(('DEMO-MONITOR-24', 2)), channel='WEB - RETAIL'),
        _iqr_order(simulator, 45, _iqr_lines(('DEMO-LAPTOP-T14', 1)), customer=1),
    ]
    return imported + excluded


def add_iqreseller_order(simulator, number):
    """One new order the demo account imports (the trickle)."""
    skus = list(IQR_PRODUCTS)
    return _iqr_order(simulator, 0, _iqr_lines((skus[number % len(skus)], 1 + number % 3)),
                      customer=number % len(IQR_CUSTOMERS))


def _iqm_items(*items):
    return [{'sku': sku, 'description': IQM_PRODUCTS[sku][0], 'quantity': quantity,
             'selling-price': IQM_PRODUCTS[sku][1]} for sku, quantity in items]


def seed_iqmetrix(simulator):
    """Three ship-to-store and three ship-to-home orders in the feed. Returns their ids."""
    baskets = (
        (('DEMO-PHONE-CASE', 2),), (('DEMO-CHARGER-30W', 1), ('DEMO-SCREEN-GUARD', 1)),
        (('DEMO-SCREEN-GUARD', 3),),
    )
    order_ids = []
    for index, basket in enumerate(baskets):
        order_ids.append(simulator.add_order(
            items=_iqm_items(*basket), ship_to_store=True, order_id=_seed_id(f'store-{index}')))
        order_ids.append(simulator.add_order(
            items=_iqm_items(*basket), customer={'primary-name': ('Ann', 'Raj', 'Mia')[index]},
            order_id=_seed_id(f'home-{index}')))
    return order_ids


def _seed_id(name):
    return str(uuid.uuid5(SEED_NAMESPACE, name))


def add_iqmetrix_order(simulator, number):
    skus = list(IQM_PRODUCTS)
    return simulator.add_order(items=_iqm_items((skus[number % len(skus)], 1)),
                               ship_to_store=number % 2 == 0)


def seed_shipstation(simulator):
    """One order of a web shop already in the account (another store than the demo
    account's default manual store): Odoo's exports land beside it. Returns it."""
    name, price = IQM_PRODUCTS['DEMO-PHONE-CASE']
    return simulator.add_order({
        'orderNumber': 'WEB-1001', 'orderKey': 'web-1001', 'orderStatus': 'awaiting_shipment',
        'orderDate': datetime.now().isoformat(timespec='seconds'),
        'billTo': {'name': 'Sam Shopper'},
        'shipTo': {'name': 'Sam Shopper', 'street1': '9 Elm St', 'city': 'Reno',
                   'state': 'NV', 'postalCode': '89501', 'country': 'US'},
        'items': [{'sku': 'DEMO-PHONE-CASE', 'name': name, 'quantity': 1, 'unitPrice': price}],
        'advancedOptions': {'storeId': SHIPSTATION_OTHER_STORE_ID},
    })


SEEDERS = {'iqreseller': seed_iqreseller, 'iqmetrix': seed_iqmetrix,
           'shipstation': seed_shipstation, 'dsco': seed_dsco, 'ebay': seed_ebay,
           'shiphero': seed_shiphero, 'shopify': seed_shopify}
NEW_ORDER_MAKERS = {'iqreseller': add_iqreseller_order, 'iqmetrix': add_iqmetrix_order,
                    'dsco': add_dsco_order}


def seed(simulators):
    """Seed every simulator of ``simulators`` (name -> running or not simulator) that has
    a seeder; returns {name: what was added}."""
    return {name: SEEDERS[name](simulator) for name, simulator in simulators.items()
            if name in SEEDERS}


class NewOrderTrickle:
    """Adds one new order to each order-producing simulator every ``interval`` seconds,
    in a daemon thread, until stop(). An interval of 0 (or less) adds nothing."""

    def __init__(self, simulators, interval):
        self.simulators = {name: simulator for name, simulator in simulators.items()
                           if name in NEW_ORDER_MAKERS}
        self.interval = interval
        self.added = 0
        self._stopped = threading.Event()
        self._thread = None

    def start(self):
        if self.interval > 0 and self.simulators:
            self._thread = threading.Thread(target=self._run, name='sandbox-new-orders',
                                            daemon=True)
            self._thread.start()
        return self

    def add_once(self):
        for name, simulator in self.simulators.items():
            NEW_ORDER_MAKERS[name](simulator, self.added)
        self.added += 1

    def _run(self):
        while not self._stopped.wait(self.interval):
            try:
                self.add_once()
            except Exception:  # a failed addition must not end the trickle
                _logger.exception('sandbox: adding new orders failed')

    def stop(self):
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
