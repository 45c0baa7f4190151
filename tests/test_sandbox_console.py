"""The seeded sandbox and its control page, driven over HTTP as a browser's forms would."""
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.simulators import SIMULATORS, Simulator, route
from tests.simulators.__main__ import parse_arguments
from tests.simulators.console import SandboxConsole
from tests.simulators.iqreseller import parse_iqr_date
from tests.simulators.seed import (
    IQM_PRODUCTS,
    IQR_CHANNEL,
    IQR_CHANNEL_FIELD,
    IQR_PRODUCTS,
    NewOrderTrickle,
    seed,
)

PLATFORMS = ('shipstation', 'iqreseller', 'iqmetrix')


class WebhookReceiver(Simulator):
    """Records what is posted to it, standing in for Odoo's webhook intake."""

    name = 'receiver'

    @route('POST', '/hook')
    def hook(self, request):
        return self.json({'received': True})


@pytest.fixture
def sandbox():
    simulators = {name: SIMULATORS[name]().start() for name in PLATFORMS}
    seed(simulators)
    console = SandboxConsole(simulators).start()
    yield simulators, console
    console.stop()
    for simulator in simulators.values():
        simulator.stop()


def post(console, **form):
    """Submit a console form; returns the message the page shows after the redirect."""
    answer = requests.post(f'{console.url}/action', data=form, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.history and answer.history[0].status_code == 303
    return parse_qs(urlparse(answer.url).query)['message'][0]


def add_shipstation_order(simulator, quantity=3):
    return simulator.add_order({
        'orderNumber': 'SO-TEST-1', 'orderKey': 'test-1', 'orderStatus': 'awaiting_shipment',
        'orderDate': '2026-01-05T10:00:00', 'billTo': {'name': 'A'}, 'shipTo': {'name': 'A'},
        'items': [{'sku': 'DEMO-LAPTOP-T14', 'name': 'Laptop', 'quantity': quantity,
                   'lineItemKey': 'line-1'}]})


def test_simulators_start_empty_without_seed():
    assert SIMULATORS['iqreseller']().sos == {}
    assert SIMULATORS['iqmetrix']().entries == []
    assert SIMULATORS['shipstation']().orders == {}
    assert parse_arguments([]).seed is False
    assert parse_arguments(['--seed', '--new-order-every', '0']).seed is True


def test_seeded_iqr_orders_follow_the_seed_filter(sandbox):
    simulators, _console = sandbox
    recent = datetime.now() - timedelta(days=30)
    kept, left_out = [], []
    for so in simulators['iqreseller'].sos.values():
        matches = (so['status'] in ('Open', 'Partial') and so[IQR_CHANNEL_FIELD] == IQR_CHANNEL
                   and parse_iqr_date(so['saledate']) > recent)
        (kept if matches else left_out).append(so)
        assert {line['item'] for line in so['SODetails']} <= set(IQR_PRODUCTS)
    assert len(kept) == 6
    assert {so['status'] for so in kept} == {'Open', 'Partial'}
    assert len(left_out) == 3  # closed, another channel, too old


def test_seeded_iqmetrix_feed_has_store_and_home_deliveries(sandbox):
    orders = sandbox[0]['iqmetrix'].orders.values()
    deliveries = [order['ship-to-store'] for order in orders]
    assert deliveries.count('true') == 3 and deliveries.count('false') == 3
    assert {item['sku'] for order in orders for item in order['items']} <= set(IQM_PRODUCTS)


def test_page_lists_every_simulator_s_orders(sandbox):
    simulators, console = sandbox
    page = requests.get(console.url + '/', timeout=10).text
    assert 'WEB-1001' in page
    for so in simulators['iqreseller'].sos.values():
        assert f"<td>{so['so']}</td>" in page
    for order_id in simulators['iqmetrix'].orders:
        assert order_id in page
    assert page.count('Inject fault') == len(PLATFORMS)


def test_ship_partially_then_fully_with_tracking_and_webhook(sandbox):
    simulators, console = sandbox
    shipstation = simulators['shipstation']
    add_shipstation_order(shipstation)
    with WebhookReceiver() as receiver:
        requests.post(f'{shipstation.url}/webhooks/subscribe', timeout=10,
                      auth=('ShipStation', 'Rocks'),
                      json={'target_url': receiver.url + '/hook', 'event': 'SHIP_NOTIFY'})
        message = post(console, simulator='shipstation', action='ship', order_key='test-1',
                       tracking='1ZPARTIAL', items='DEMO-LAPTOP-T14:1')
        assert '1ZPARTIAL' in message
        assert shipstation.orders['test-1']['orderStatus'] == 'awaiting_shipment'
        post(console, simulator='shipstation', action='ship', order_key='test-1',
             tracking='1ZREST')
        hooks = [r for r in receiver.requests if r.path == '/hook']
    shipments = [s for s in shipstation.shipments.values() if s['orderKey'] == 'test-1']
    assert [(s['trackingNumber'], s['shipmentItems'][0]['quantity']) for s in shipments] == [
        ('1ZPARTIAL', 1), ('1ZREST', 2)]
    assert shipstation.orders['test-1']['orderStatus'] == 'shipped'
    assert [hook.json['resource_type'] for hook in hooks] == ['SHIP_NOTIFY', 'SHIP_NOTIFY']


def test_redeliver_last_webhook(sandbox):
    simulators, console = sandbox
    shipstation = simulators['shipstation']
    add_shipstation_order(shipstation)
    assert 'no webhook delivered yet' in post(console, simulator='shipstation',
                                              action='redeliver')
    with WebhookReceiver() as receiver:
        shipstation.webhooks[1] = {'HookType': 'SHIP_NOTIFY', 'Active': True, 'StoreID': None,
                                   'Url': receiver.url + '/hook'}
        post(console, simulator='shipstation', action='ship', order_key='test-1')
        post(console, simulator='shipstation', action='redeliver')
        bodies = [r.json for r in receiver.requests if r.path == '/hook']
    assert len(bodies) == 2 and bodies[0] == bodies[1]


def test_void_label_reopens_the_order(sandbox):
    simulators, console = sandbox
    shipstation = simulators['shipstation']
    add_shipstation_order(shipstation)
    post(console, simulator='shipstation', action='ship', order_key='test-1', tracking='1ZV')
    shipment_id = next(iter(shipstation.shipments))
    assert '1ZV voided' in post(console, simulator='shipstation', action='void',
                                shipment_id=str(shipment_id))
    assert shipstation.shipments[shipment_id]['voided'] is True
    assert shipstation.orders['test-1']['orderStatus'] == 'awaiting_shipment'


def test_cancel_orders(sandbox):
    simulators, console = sandbox
    post(console, simulator='shipstation', action='cancel', order_key='web-1001')
    assert simulators['shipstation'].orders['web-1001']['orderStatus'] == 'cancelled'
    soid = min(simulators['iqreseller'].sos)
    post(console, simulator='iqreseller', action='iqr_cancel', soid=str(soid))
    assert simulators['iqreseller'].sos[soid]['status'] == 'Cancelled'


def test_iqr_ship_lines_partial_then_closed(sandbox):
    iqr = sandbox[0]['iqreseller']
    console = sandbox[1]
    soid = min(iqr.sos)  # two lines, both open
    post(console, simulator='iqreseller', action='iqr_ship', soid=str(soid), lines='1')
    assert iqr.sos[soid]['status'] == 'Partial'
    assert 'Refused' in post(console, simulator='iqreseller', action='iqr_ship',
                             soid=str(soid), lines='1')
    post(console, simulator='iqreseller', action='iqr_ship', soid=str(soid))
    assert iqr.sos[soid]['status'] == 'Closed'


def test_fault_injection_for_the_next_n_calls(sandbox):
    simulators, console = sandbox
    iqr = simulators['iqreseller']
    sign_in = f'{iqr.url}/api/IntegrationAPI/Session'
    post(console, simulator='iqreseller', action='fault', kind='rate_limit', count='2')
    post(console, simulator='iqreseller', action='fault', kind='malformed', count='1')
    statuses = [requests.post(sign_in, json={'APIToken': 'iqr-api-key'}, timeout=10)
                for _call in range(4)]
    assert [answer.status_code for answer in statuses] == [429, 429, 200, 200]
    assert statuses[2].text.startswith('{"truncated"')
    assert statuses[3].json()['Data']


def test_server_error_and_clearing_faults(sandbox):
    simulators, console = sandbox
    shipstation = simulators['shipstation']
    post(console, simulator='shipstation', action='fault', kind='server_error', count='5')
    assert requests.get(shipstation.url + '/jwks', timeout=10).status_code == 500
    assert 'server_error x4' in requests.get(console.url + '/', timeout=10).text
    post(console, simulator='shipstation', action='clear_faults')
    assert requests.get(shipstation.url + '/jwks', timeout=10).status_code == 200


def test_iqmetrix_entry_delivered_again(sandbox):
    iqmetrix = sandbox[0]['iqmetrix']
    order_id = next(iter(iqmetrix.orders))
    before = len(iqmetrix.entries)
    post(sandbox[1], simulator='iqmetrix', action='iqm_redeliver', order_id=order_id)
    assert len(iqmetrix.entries) == before + 1
    assert iqmetrix.entries[-1]['payload']['order-id'] == order_id


def test_unknown_action_is_refused(sandbox):
    assert 'Unknown' in post(sandbox[1], simulator='shipstation', action='explode')
    assert 'Refused' in post(sandbox[1], simulator='shipstation', action='ship',
                             order_key='no-such-order')


def test_new_orders_keep_coming_at_the_configured_pace():
    simulators = {name: SIMULATORS[name]() for name in PLATFORMS}
    trickle = NewOrderTrickle(simulators, interval=0.05).start()
    deadline = time.monotonic() + 5
    while trickle.added < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    trickle.stop()
    assert len(simulators['iqreseller'].sos) >= 2
    assert len(simulators['iqmetrix'].orders) >= 2
    new_so = next(iter(simulators['iqreseller'].sos.values()))
    assert new_so['status'] == 'Open' and new_so[IQR_CHANNEL_FIELD] == IQR_CHANNEL
    idle = NewOrderTrickle({'iqreseller': SIMULATORS['iqreseller']()}, interval=0).start()
    time.sleep(0.1)
    idle.stop()
    assert idle.added == 0


NEW_PLATFORMS = ('shopify', 'ebay', 'shiphero')


@pytest.fixture
def new_platforms_sandbox():
    simulators = {name: SIMULATORS[name]().start() for name in NEW_PLATFORMS}
    seed(simulators)
    console = SandboxConsole(simulators).start()
    yield simulators, console
    console.stop()
    for simulator in simulators.values():
        simulator.stop()


def test_page_lists_the_seeded_shopify_ebay_and_shiphero_orders(new_platforms_sandbox):
    simulators, console = new_platforms_sandbox
    page = requests.get(console.url + '/', timeout=10).text
    shopify_orders = simulators['shopify'].orders.values()
    assert len(shopify_orders) == 3
    for order in shopify_orders:
        assert f"<td>{order['id']}</td>" in page and f"<td>{order['name']}</td>" in page
    assert '<td>cancelled</td>' in page and '<td>FULFILLED</td>' in page
    assert '1ZSANDBOX0001' in page  # the fulfilled one's tracking
    assert len(simulators['ebay'].orders) == 3
    for order_id in simulators['ebay'].orders:
        assert f'<td>{order_id}</td>' in page
    assert '9400111899223100000001' in page and '<td>demo_buyer</td>' in page
    assert len(simulators['shiphero'].orders) == 6
    for order_id, order in simulators['shiphero'].orders.items():
        assert f'<td>{order_id}</td>' in page and f"<td>{order['order_number']}</td>" in page
    for shipment_id in simulators['shiphero'].shipments:
        assert f'<td>{shipment_id}</td>' in page
    assert page.count('Inject fault') == len(NEW_PLATFORMS)


def test_ship_and_cancel_shopify_ebay_and_shiphero_orders(new_platforms_sandbox):
    simulators, console = new_platforms_sandbox
    shopify = simulators['shopify']
    open_gids = [gid for gid, order in shopify.orders.items()
                 if order['displayFulfillmentStatus'] == 'UNFULFILLED' and not order['cancelledAt']]
    assert 'fulfilled' in post(console, simulator='shopify', action='shopify_fulfil',
                               order_gid=open_gids[0], tracking='1ZCONSOLE')
    order = shopify.orders[open_gids[0]]
    assert order['displayFulfillmentStatus'] == 'FULFILLED'
    assert order['fulfillments'][-1]['trackingInfo'][0]['number'] == '1ZCONSOLE'
    ebay = simulators['ebay']
    open_ids = [order_id for order_id, order in ebay.orders.items()
                if order['orderFulfillmentStatus'] == 'NOT_STARTED']
    post(console, simulator='ebay', action='ebay_ship', order_id=open_ids[0], tracking='94CON')
    post(console, simulator='ebay', action='ebay_cancel', order_id=open_ids[1])
    assert ebay.orders[open_ids[0]]['orderFulfillmentStatus'] == 'FULFILLED'
    assert ebay.orders[open_ids[1]]['cancelStatus']['cancelState'] == 'CANCELED'
    shiphero = simulators['shiphero']
    open_ids = [order_id for order_id, order in shiphero.orders.items()
                if order['fulfillment_status'] == 'unfulfilled']
    post(console, simulator='shiphero', action='shiphero_ship', order_id=open_ids[0],
         tracking='1ZHERO')
    post(console, simulator='shiphero', action='shiphero_cancel', order_id=open_ids[1])
    assert shiphero.orders[open_ids[0]]['fulfillment_status'] == 'fulfilled'
    assert shiphero.orders[open_ids[1]]['fulfillment_status'] == 'canceled'
    page = requests.get(console.url + '/', timeout=10).text
    assert '1ZCONSOLE' in page and '94CON' in page and '1ZHERO' in page
