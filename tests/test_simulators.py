"""Plain pytest tests of the simulator harness, the example simulator and ShipStation.

Run: /opt/odoo18/venv/bin/python -m pytest tests/test_simulators.py -q -p no:odoo
"""
import base64
import json
import time
from datetime import UTC, datetime

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.simulators.base import ManualClock
from tests.simulators import SIMULATORS, Simulator, route
from tests.simulators.example import ExampleSimulator
from tests.simulators.shipstation import ShipStationSimulator

SHIPSTATION_AUTH = ('ShipStation', 'Rocks')




class EchoSimulator(Simulator):
    """Minimal simulator for harness tests; also serves as a webhook receiver."""

    name = 'echo'

    @route('GET', '/items')
    def list_items(self, request):
        return self.json({'items': [1, 2, 3]})

    @route('GET', '/items/<int:item_id>')
    def get_item(self, request, item_id):
        return self.json({'id': item_id})

    @route('POST', '/hook')
    def receive_hook(self, request):
        return self.json({'received': True})


@pytest.fixture
def echo():
    with EchoSimulator() as simulator:
        yield simulator


@pytest.fixture
def receiver():
    with EchoSimulator() as simulator:
        yield simulator


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def shipstation(clock):
    with ShipStationSimulator(clock=clock) as simulator:
        yield simulator


def shipstation_order(number, key=None, status='awaiting_shipment', **fields):
    order = {
        'orderNumber': number,
        'orderDate': '2024-01-15T10:00:00.000Z',
        'orderStatus': status,
        'billTo': {'name': 'John Doe'},
        'shipTo': {'name': 'John Doe', 'street1': '123 Main St', 'city': 'Austin',
                   'state': 'TX', 'postalCode': '78701', 'country': 'US'},
        'items': [{'lineItemKey': f'{number}-1', 'sku': 'WIDGET-001', 'name': 'Premium Widget',
                   'quantity': 2, 'unitPrice': 29.99}],
        **fields,
    }
    if key:
        order['orderKey'] = key
    return order


# --------------------------------------------------------------------- harness


def test_registry_lists_the_simulators():
    assert SIMULATORS['example'] is ExampleSimulator
    assert SIMULATORS['shipstation'] is ShipStationSimulator


def test_routes_and_unknown_routes(echo):
    assert requests.get(f'{echo.url}/items').json() == {'items': [1, 2, 3]}
    assert requests.get(f'{echo.url}/items/7').json() == {'id': 7}
    unknown = requests.get(f'{echo.url}/nothing')
    assert unknown.status_code == 404
    assert unknown.headers['Content-Type'] == 'application/json'
    assert 'No route' in unknown.json()['message']
    assert requests.delete(f'{echo.url}/items').status_code == 405


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match='unknown options'):
        ShipStationSimulator(api_kee='typo')


def test_requests_are_recorded_in_order(echo):
    requests.get(f'{echo.url}/items', params={'page': '2'}, headers={'X-Trace': 'abc'})
    requests.post(f'{echo.url}/hook', json={'a': 1})
    requests.post(f'{echo.url}/hook', data=b'not json')
    first, second, third = echo.requests
    assert (first.method, first.path, first.query) == ('GET', '/items', {'page': '2'})
    assert first.headers['x-trace'] == 'abc'
    assert first.headers.get('X-TRACE') == 'abc'
    assert 'x-trace' in first.headers
    assert (second.method, second.json, second.body) == ('POST', {'a': 1}, b'{"a": 1}')
    assert third.body == b'not json'
    assert third.json is None


def test_rate_limit_fault(echo):
    echo.inject('rate_limit', retry_after=7, reset=30)
    limited = requests.get(f'{echo.url}/items')
    assert limited.status_code == 429
    assert limited.headers['Retry-After'] == '7'
    assert limited.headers['X-Rate-Limit-Reset'] == '30'
    assert limited.headers['X-Rate-Limit-Remaining'] == '0'
    assert requests.get(f'{echo.url}/items').status_code == 200


def test_rate_limit_fault_with_custom_body(echo):
    echo.inject('rate_limit', body={'error': 'slow down'})
    assert requests.get(f'{echo.url}/items').json() == {'error': 'slow down'}


def test_server_error_fault_statuses(echo):
    echo.inject('server_error')
    echo.inject('server_error', status=503)
    assert requests.get(f'{echo.url}/items').status_code == 500
    assert requests.get(f'{echo.url}/items').status_code == 503
    assert requests.get(f'{echo.url}/items').status_code == 200
    with pytest.raises(ValueError, match='5xx'):
        echo.inject('server_error', status=404)


def test_unauthorized_fault(echo):
    echo.inject('unauthorized')
    assert requests.get(f'{echo.url}/items').status_code == 401


def test_malformed_fault_gives_invalid_json(echo):
    echo.inject('malformed')
    answer = requests.get(f'{echo.url}/items')
    assert answer.status_code == 200
    assert answer.headers['Content-Type'] == 'application/json'
    with pytest.raises(requests.exceptions.JSONDecodeError):
        answer.json()


def test_slow_fault_exceeds_client_timeout(echo):
    echo.inject('slow', seconds=0.6)
    with pytest.raises(requests.exceptions.Timeout):
        requests.get(f'{echo.url}/items', timeout=0.2)
    assert requests.get(f'{echo.url}/items', timeout=2).status_code == 200


def test_drop_fault_is_a_connection_error(echo):
    echo.inject('drop')
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f'{echo.url}/items', timeout=2)
    assert requests.get(f'{echo.url}/items', timeout=2).status_code == 200
    with requests.Session() as session:  # a pooled session sees the same error
        assert session.get(f'{echo.url}/items', timeout=2).status_code == 200
        echo.inject('drop')
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(f'{echo.url}/items', timeout=2)


def test_fault_count_and_path_filter(echo):
    echo.inject('server_error', count=2, path='/items/')
    assert requests.get(f'{echo.url}/items').status_code == 200  # not under /items/
    assert requests.get(f'{echo.url}/items/1').status_code == 500
    assert requests.get(f'{echo.url}/items/2').status_code == 500
    assert requests.get(f'{echo.url}/items/3').status_code == 200
    assert echo.pending_faults == []


def test_unknown_fault_kind_is_refused(echo):
    with pytest.raises(ValueError, match='unknown fault kind'):
        echo.inject('explode')


def test_reset_clears_requests_and_faults(echo):
    requests.get(f'{echo.url}/items')
    echo.inject('server_error')
    echo.reset()
    assert echo.requests == []
    assert echo.pending_faults == []
    assert requests.get(f'{echo.url}/items').status_code == 200


# --------------------------------------------------------------------- example simulator


def example_token(simulator):
    answer = requests.post(f'{simulator.url}/oauth/token', json={'api_key': 'example-key'})
    assert answer.status_code == 200
    return {'Authorization': f"Bearer {answer.json()['access_token']}"}


def test_example_token_flow_and_expiry():
    with ExampleSimulator() as example:
        wrong = requests.post(f'{example.url}/oauth/token', json={'api_key': 'nope'})
        assert wrong.status_code == 401
        assert requests.get(f'{example.url}/orders').status_code == 401
        token = requests.post(f'{example.url}/oauth/token', json={'api_key': 'example-key'})
        assert token.json()['expires_in'] == 3600
        headers = {'Authorization': f"Bearer {token.json()['access_token']}"}
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 200
        example.expire_tokens()
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 401
        fresh_headers = example_token(example)
        assert requests.get(f'{example.url}/orders', headers=fresh_headers).status_code == 200


def test_example_token_lifetime_follows_the_clock(clock):
    with ExampleSimulator(clock=clock, token_lifetime=10) as example:
        headers = example_token(example)
        clock.advance(9)
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 200
        clock.advance(2)
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 401


def test_example_pagination():
    with ExampleSimulator() as example:
        for number in range(1, 251):
            example.add_order({'reference': f'R{number:03d}'})
        headers = example_token(example)
        first = requests.get(f'{example.url}/orders', params={'page': 1, 'page_size': 100},
                             headers=headers).json()
        assert (first['page'], first['pages'], first['total']) == (1, 3, 250)
        assert [order['reference'] for order in first['orders']][:2] == ['R001', 'R002']
        last = requests.get(f'{example.url}/orders', params={'page': 3, 'page_size': 100},
                            headers=headers).json()
        assert len(last['orders']) == 50
        clamped = requests.get(f'{example.url}/orders', params={'page_size': 1000},
                               headers=headers).json()
        assert len(clamped['orders']) == 100


def test_example_upsert_by_reference_is_idempotent():
    with ExampleSimulator() as example:
        headers = example_token(example)
        created = requests.post(f'{example.url}/orders', headers=headers,
                                json={'reference': 'SO001', 'amount': 10})
        again = requests.post(f'{example.url}/orders', headers=headers,
                              json={'reference': 'SO001', 'amount': 12})
        assert (created.status_code, again.status_code) == (201, 200)
        assert created.json()['id'] == again.json()['id']
        assert len(example.orders) == 1
        assert example.orders['SO001']['amount'] == 12
        missing = requests.post(f'{example.url}/orders', headers=headers, json={'amount': 1})
        assert missing.status_code == 400
        order_id = created.json()['id']
        fetched = requests.get(f'{example.url}/orders/{order_id}', headers=headers)
        assert fetched.json()['reference'] == 'SO001'


def test_example_rate_limit_window(clock):
    with ExampleSimulator(rate_limit_per_minute=3, clock=clock) as example:
        headers = example_token(example)  # the token request counts too
        allowed = [requests.get(f'{example.url}/orders', headers=headers) for _ in range(2)]
        assert [answer.headers['X-Rate-Limit-Remaining'] for answer in allowed] == ['1', '0']
        assert allowed[0].headers['X-Rate-Limit-Limit'] == '3'
        limited = requests.get(f'{example.url}/orders', headers=headers)
        assert limited.status_code == 429
        assert limited.headers['X-Rate-Limit-Remaining'] == '0'
        assert limited.headers['X-Rate-Limit-Reset'] == '60'
        refused = requests.get(f'{example.url}/orders')  # no token: not counted, still told
        assert refused.status_code == 401
        assert refused.headers['X-Rate-Limit-Remaining'] == '0'
        clock.advance(60)
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 200


def test_example_without_rate_limit_sends_no_rate_headers():
    with ExampleSimulator() as example:
        answer = requests.get(f'{example.url}/orders', headers=example_token(example))
        assert 'X-Rate-Limit-Limit' not in answer.headers


# --------------------------------------------------------------------- ShipStation: V1 API


def test_shipstation_basic_auth_with_the_official_test_vector(shipstation):
    vector = {'Authorization': 'Basic U2hpcFN0YXRpb246Um9ja3M='}
    assert requests.get(f'{shipstation.url}/orders', headers=vector).status_code == 200
    assert requests.get(f'{shipstation.url}/orders').status_code == 401
    wrong = requests.get(f'{shipstation.url}/orders', auth=('ShipStation', 'Paper'))
    assert wrong.status_code == 401


def test_shipstation_createorders_upsert_is_idempotent(shipstation):
    batch = [shipstation_order('SO001', key='odoo-db-1'), shipstation_order('SO002')]
    first = requests.post(f'{shipstation.url}/orders/createorders', json=batch,
                          auth=SHIPSTATION_AUTH).json()
    assert first['hasErrors'] is False
    generated_key = first['results'][1]['orderKey']
    assert first['results'][0]['orderKey'] == 'odoo-db-1'
    assert generated_key
    assert all(isinstance(result['orderId'], int) for result in first['results'])
    batch[0]['items'][0]['quantity'] = 5
    second = requests.post(f'{shipstation.url}/orders/createorders', json=batch[:1],
                           auth=SHIPSTATION_AUTH).json()
    assert second['results'][0]['orderId'] == first['results'][0]['orderId']
    assert len(shipstation.orders) == 2
    assert shipstation.orders['odoo-db-1']['items'][0]['quantity'] == 5


def test_shipstation_createorder_returns_the_order(shipstation):
    answer = requests.post(f'{shipstation.url}/orders/createorder', auth=SHIPSTATION_AUTH,
                           json=shipstation_order('SO001', key='k1', orderId=999))
    order = answer.json()
    assert answer.status_code == 200
    assert isinstance(order['orderId'], int)
    assert order['orderId'] != 999
    assert order['orderKey'] == 'k1'
    assert order['orderDate'] == '2024-01-15T02:00:00.0000000'  # 10:00Z in PST
    fetched = requests.get(f"{shipstation.url}/orders/{order['orderId']}",
                           auth=SHIPSTATION_AUTH).json()
    assert fetched['orderNumber'] == 'SO001'
    missing = requests.get(f'{shipstation.url}/orders/1', auth=SHIPSTATION_AUTH)
    assert missing.status_code == 404


def test_shipstation_createorder_without_bill_to_is_refused(shipstation):
    order = shipstation_order('SO001')
    del order['billTo']  # like the connector spec's appendix B example
    answer = requests.post(f'{shipstation.url}/orders/createorder', json=order,
                           auth=SHIPSTATION_AUTH)
    assert answer.status_code == 400
    assert 'billTo is required' in answer.json()['message']


def test_shipstation_more_than_100_orders_is_a_400(shipstation):
    batch = [shipstation_order(f'SO{number:03d}') for number in range(101)]
    answer = requests.post(f'{shipstation.url}/orders/createorders', json=batch,
                           auth=SHIPSTATION_AUTH)
    assert answer.status_code == 400
    assert shipstation.orders == {}


def test_shipstation_per_order_errors(shipstation):
    shipstation.reject_sku('BAD')
    no_bill_to = shipstation_order('SO003')
    del no_bill_to['billTo']
    bad_sku = shipstation_order('SO004')
    bad_sku['items'][0]['sku'] = 'BAD'
    batch = [shipstation_order('SO001'), shipstation_order('X' * 51), no_bill_to, bad_sku,
             shipstation_order('SO005', orderDate='yesterday', orderStatus='lost')]
    answer = requests.post(f'{shipstation.url}/orders/createorders', json=batch,
                           auth=SHIPSTATION_AUTH).json()
    assert answer['hasErrors'] is True
    successes = [result['success'] for result in answer['results']]
    assert successes == [True, False, False, False, False]
    messages = [result['errorMessage'] for result in answer['results']]
    assert messages[0] is None
    assert '50 characters' in messages[1]
    assert 'billTo' in messages[2]
    assert "SKU 'BAD'" in messages[3]
    assert 'orderDate' in messages[4]
    assert 'orderStatus' in messages[4]
    assert len(shipstation.orders) == 1


def test_shipstation_shipped_and_cancelled_orders_cannot_be_updated(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.add_order(shipstation_order('SO002', key='k2'))
    shipstation.ship_order('k1', tracking_number='1Z001')
    assert shipstation.orders['k1']['orderStatus'] == 'shipped'
    cancel = requests.post(f'{shipstation.url}/orders/createorders', auth=SHIPSTATION_AUTH,
                           json=[shipstation_order('SO002', key='k2', status='cancelled')])
    assert cancel.json()['results'][0]['success'] is True
    assert shipstation.orders['k2']['orderStatus'] == 'cancelled'
    updates = [shipstation_order('SO001', key='k1'), shipstation_order('SO002', key='k2')]
    answer = requests.post(f'{shipstation.url}/orders/createorders', json=updates,
                           auth=SHIPSTATION_AUTH).json()
    assert answer['hasErrors'] is True
    shipped_result, cancelled_result = answer['results']
    assert not shipped_result['success']
    assert 'shipped' in shipped_result['errorMessage']
    assert shipped_result['orderId'] == shipstation.orders['k1']['orderId']
    assert not cancelled_result['success']
    assert 'cancelled' in cancelled_result['errorMessage']
    single = requests.post(f'{shipstation.url}/orders/createorder', json=updates[0],
                           auth=SHIPSTATION_AUTH)
    assert single.status_code == 400


def test_shipstation_list_orders_filters_and_pages(shipstation):
    for number in ('SO1', 'SO10', 'SO11', 'SO2'):
        shipstation.add_order(shipstation_order(number))
    shipstation.add_order(shipstation_order('SO12', status='on_hold'))
    starts_with = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH,
                               params={'orderNumber': 'SO1'}).json()
    assert [order['orderNumber'] for order in starts_with['orders']] == [
        'SO1', 'SO10', 'SO11', 'SO12']
    on_hold = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH,
                           params={'orderStatus': 'on_hold'}).json()
    assert on_hold['total'] == 1
    paged = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH,
                         params={'page': 2, 'pageSize': 2}).json()
    assert (paged['total'], paged['page'], paged['pages'], len(paged['orders'])) == (5, 2, 3, 2)


@pytest.mark.parametrize(('header_style', 'header_names'), [
    ('standard', ('X-Rate-Limit-Limit', 'X-Rate-Limit-Remaining', 'X-Rate-Limit-Reset')),
    ('lowercase_alt', ('x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset')),
])
def test_shipstation_40_requests_per_minute(clock, header_style, header_names):
    limit_name, remaining_name, reset_name = header_names
    simulator = ShipStationSimulator(clock=clock, header_style=header_style)
    with simulator as shipstation, requests.Session() as session:
        session.auth = SHIPSTATION_AUTH
        answers = [session.get(f'{shipstation.url}/orders') for _ in range(40)]
        assert {answer.status_code for answer in answers} == {200}
        assert limit_name in list(answers[0].headers.keys())  # the exact spelling
        assert answers[0].headers[limit_name] == '40'
        assert answers[0].headers[remaining_name] == '39'
        assert answers[-1].headers[remaining_name] == '0'
        clock.advance(15)
        throttled = session.get(f'{shipstation.url}/orders')
        assert throttled.status_code == 429
        assert throttled.json() == {'statusCode': 429,
                                    'message': 'ThrottlerException: Too Many Requests'}
        assert throttled.headers[remaining_name] == '0'
        assert throttled.headers[reset_name] == '45'
        assert shipstation.throttled_count == 1
        unrouted = session.get(f'{shipstation.url}/nothing')
        assert unrouted.status_code == 404
        assert unrouted.headers[remaining_name] == '0'
        clock.advance(45)
        assert session.get(f'{shipstation.url}/orders').status_code == 200
        assert session.get(f'{shipstation.url}/nothing').headers[remaining_name] == '39'


def test_shipstation_short_rate_window_in_real_time():
    with ShipStationSimulator(requests_per_minute=2, window_seconds=0.5) as shipstation:
        statuses = [requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]
        time.sleep(0.55)
        answer = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH)
        assert answer.status_code == 200


def test_shipstation_rate_limit_fault_uses_the_throttler_body(shipstation):
    shipstation.inject('rate_limit', retry_after=2)
    answer = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH)
    assert answer.status_code == 429
    assert answer.json()['message'] == 'ThrottlerException: Too Many Requests'


# --------------------------------------------------------------------- ShipStation: shipments


def test_shipstation_shipments_timestamps_across_the_spring_dst_boundary(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.add_order(shipstation_order('SO002', key='k2'))
    before = datetime(2024, 3, 10, 9, 59, tzinfo=UTC)  # 01:59 PST
    after = datetime(2024, 3, 10, 10, 0, tzinfo=UTC)  # 03:00 PDT: 02:xx never happens
    shipstation.ship_order('k1', tracking_number='1ZBEFORE', create_date=before)
    shipstation.ship_order('k2', tracking_number='1ZAFTER', create_date=after)
    listed = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH).json()
    create_dates = [shipment['createDate'] for shipment in listed['shipments']]
    assert create_dates == ['2024-03-10T01:59:00.0000000', '2024-03-10T03:00:00.0000000']
    assert listed['shipments'][0]['shipDate'] == '2024-03-10T01:59:00.0000000'

    def tracking_numbers(**params):
        answer = requests.get(f'{shipstation.url}/shipments', params=params,
                              auth=SHIPSTATION_AUTH).json()
        return [shipment['trackingNumber'] for shipment in answer['shipments']]

    # Filter values are Pacific wall-clock time too.
    assert tracking_numbers(createDateEnd='2024-03-10T01:59:30') == ['1ZBEFORE']
    assert tracking_numbers(createDateStart='2024-03-10T03:00:00') == ['1ZAFTER']
    # Reading the values as UTC (a classic client bug) would select nothing here.
    assert tracking_numbers(createDateStart='2024-03-10T01:00:00',
                            createDateEnd='2024-03-10T03:30:00') == ['1ZBEFORE', '1ZAFTER']
    assert requests.get(f'{shipstation.url}/shipments', params={'createDateStart': 'soon'},
                        auth=SHIPSTATION_AUTH).status_code == 400


def test_shipstation_autumn_overlap_renders_two_moments_the_same(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.add_order(shipstation_order('SO002', key='k2'))
    first = shipstation.ship_order('k1', create_date=datetime(2024, 11, 3, 8, 30, tzinfo=UTC))
    second = shipstation.ship_order('k2', create_date=datetime(2024, 11, 3, 9, 30, tzinfo=UTC))
    assert first[0]['createDate'] == second[0]['createDate'] == '2024-11-03T01:30:00.0000000'
    sorted_desc = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                               params={'sortBy': 'CreateDate', 'sortDir': 'DESC'}).json()
    assert [shipment['orderKey'] for shipment in sorted_desc['shipments']] == ['k2', 'k1']


def test_shipstation_shipments_paging_filters_and_items(shipstation):
    for number in range(1, 8):
        shipstation.add_order(shipstation_order(f'SO{number}', key=f'k{number}'))
        shipstation.ship_order(f'k{number}', tracking_number=f'1Z{number}')
    paged = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                         params={'page': 2, 'pageSize': 3}).json()
    assert (paged['total'], paged['pages'], paged['page']) == (7, 3, 2)
    assert [shipment['trackingNumber'] for shipment in paged['shipments']] == [
        '1Z4', '1Z5', '1Z6']
    assert paged['shipments'][0]['shipmentItems'] is None  # includeShipmentItems defaults off
    order_id = shipstation.orders['k3']['orderId']
    by_order = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                            params={'orderId': order_id, 'includeShipmentItems': 'true'}).json()
    assert by_order['total'] == 1
    items = by_order['shipments'][0]['shipmentItems']
    assert [(item['sku'], item['quantity'], item['lineItemKey']) for item in items] == [
        ('WIDGET-001', 2, 'SO3-1')]
    by_tracking = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                               params={'trackingNumber': '1Z5'}).json()
    assert [shipment['orderNumber'] for shipment in by_tracking['shipments']] == ['SO5']


def test_shipstation_partial_shipments_packages_and_voids(shipstation):
    order = shipstation_order('SO001', key='k1')
    order['items'].append({'lineItemKey': 'SO001-2', 'sku': 'GADGET', 'name': 'Gadget',
                           'quantity': 1})
    shipstation.add_order(order)
    partial = shipstation.ship_order('k1', items=[('WIDGET-001', 1)])
    assert len(partial) == 1
    assert shipstation.orders['k1']['orderStatus'] == 'awaiting_shipment'
    rest = shipstation.ship_order('k1', tracking_number='1ZPKG', packages=2)
    assert [shipment['trackingNumber'] for shipment in rest] == ['1ZPKG', '1ZPKG-2']
    assert shipstation.orders['k1']['orderStatus'] == 'shipped'
    voided = shipstation.void_shipment(rest[1]['shipmentId'],
                                       void_date=datetime(2024, 7, 1, 19, 0, tzinfo=UTC))
    assert voided['voided'] is True
    assert voided['voidDate'] == '2024-07-01T12:00:00.0000000'  # PDT
    assert shipstation.orders['k1']['orderStatus'] == 'awaiting_shipment'
    listed = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                          params={'orderNumber': 'SO001'}).json()
    assert [shipment['voided'] for shipment in listed['shipments']] == [False, False, True]


def test_shipstation_ship_date_can_be_date_only(clock):
    with ShipStationSimulator(clock=clock, ship_date_format='date') as shipstation:
        shipstation.add_order(shipstation_order('SO001', key='k1'))
        shipment, = shipstation.ship_order(
            'k1', create_date=datetime(2024, 3, 10, 7, 0, tzinfo=UTC))
        assert shipment['shipDate'] == '2024-03-09'  # still the 9th in California


def test_shipstation_orders_land_in_a_store_and_lists_filter_on_it(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.add_order(shipstation_order('SO002', key='k2', advancedOptions={'storeId': 4242}))
    assert shipstation.orders['k1']['advancedOptions']['storeId'] == 100001  # first manual store
    # The store can only be set at creation: an update naming another store keeps the first.
    shipstation.add_order(shipstation_order('SO002', key='k2', advancedOptions={'storeId': 7}))
    assert shipstation.orders['k2']['advancedOptions']['storeId'] == 4242
    orders = requests.get(f'{shipstation.url}/orders', auth=SHIPSTATION_AUTH,
                          params={'storeId': 4242}).json()
    assert [order['orderKey'] for order in orders['orders']] == ['k2']
    shipstation.ship_order('k1', tracking_number='1ZDEFAULT')
    shipstation.ship_order('k2', tracking_number='1ZSTORE')
    listed = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                          params={'storeId': '4242'}).json()
    assert [shipment['trackingNumber'] for shipment in listed['shipments']] == ['1ZSTORE']
    assert listed['shipments'][0]['advancedOptions']['storeId'] == 4242


def test_shipstation_shipments_can_hide_their_store(clock):
    with ShipStationSimulator(clock=clock, shipment_store_id='absent') as shipstation:
        shipstation.add_order(shipstation_order('SO001', key='k1',
                                                advancedOptions={'storeId': 4242}))
        shipment, = shipstation.ship_order('k1')
        assert shipment['advancedOptions'] is None
        order = requests.get(f"{shipstation.url}/orders/{shipment['orderId']}",
                             auth=SHIPSTATION_AUTH).json()
        assert order['advancedOptions']['storeId'] == 4242
        listed = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                              params={'storeId': '4242'}).json()
        assert listed['total'] == 1, 'the storeId filter still applies'
    with pytest.raises(ValueError):
        ShipStationSimulator(shipment_store_id='maybe')


# --------------------------------------------------------------------- ShipStation: webhooks


def test_shipstation_v1_webhook_subscriptions(shipstation):
    answer = requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                           json={'target_url': 'http://127.0.0.1:1/hook', 'event': 'SHIP_NOTIFY',
                                 'friendly_name': 'Odoo'}).json()
    webhook_id = answer['id']
    assert answer['WebHookID'] == webhook_id
    assert answer['HookType'] == 'SHIP_NOTIFY'
    listed = requests.get(f'{shipstation.url}/webhooks', auth=SHIPSTATION_AUTH).json()
    assert [webhook['Name'] for webhook in listed['webhooks']] == ['Odoo']
    bad_event = requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                              json={'target_url': 'http://x', 'event': 'NOPE'})
    assert bad_event.status_code == 400
    deleted = requests.delete(f'{shipstation.url}/webhooks/{webhook_id}', auth=SHIPSTATION_AUTH)
    assert deleted.status_code == 200
    assert shipstation.webhooks == {}
    again = requests.delete(f'{shipstation.url}/webhooks/{webhook_id}', auth=SHIPSTATION_AUTH)
    assert again.status_code == 404


def test_shipstation_ship_notify_delivery_and_resource_url(shipstation, receiver):
    requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                  json={'target_url': f'{receiver.url}/hook?token=secret',
                        'event': 'SHIP_NOTIFY'})
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.add_order(shipstation_order('SO002', key='k2'))
    shipstation.ship_order('k1', tracking_number='1ZOLD')
    assert shipstation.deliver_ship_notify() == [(200, '{"received": true}')]
    old_batch_id = shipstation.last_batch_id
    shipstation.ship_order('k2', tracking_number='1ZNEW')
    shipstation.deliver_ship_notify()
    assert shipstation.deliver_ship_notify() == []  # nothing new to notify

    delivered = receiver.requests[-1]
    assert delivered.query == {'token': 'secret'}
    assert delivered.json == shipstation.ship_notify_payload(shipstation.last_batch_id)
    assert delivered.json['resource_type'] == 'SHIP_NOTIFY'
    batch = requests.get(delivered.json['resource_url'], auth=SHIPSTATION_AUTH).json()
    assert [shipment['trackingNumber'] for shipment in batch['shipments']] == ['1ZNEW']
    assert batch['shipments'][0]['shipmentItems'][0]['sku'] == 'WIDGET-001'
    old_batch = requests.get(f'{shipstation.url}/shipments', auth=SHIPSTATION_AUTH,
                             params={'batchId': old_batch_id}).json()
    assert [shipment['trackingNumber'] for shipment in old_batch['shipments']] == ['1ZOLD']


def test_shipstation_ship_notify_of_a_store_webhook_only_lists_that_store(shipstation,
                                                                        receiver):
    for store_id, path in ((4242, 'store'), (None, 'all')):
        requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                      json={'target_url': f'{receiver.url}/hook?{path}=1',
                            'event': 'SHIP_NOTIFY', 'store_id': store_id})
    shipstation.add_order(shipstation_order('SO001', key='ours',
                                            advancedOptions={'storeId': 4242}))
    shipstation.add_order(shipstation_order('SO001', key='theirs',
                                            advancedOptions={'storeId': 99999}))
    shipstation.ship_order('theirs', tracking_number='1ZTHEIRS')
    assert len(shipstation.deliver_ship_notify()) == 1, 'the store webhook is not called'
    assert receiver.requests[-1].query == {'all': '1'}
    shipstation.ship_order('ours', tracking_number='1ZOURS')
    assert len(shipstation.deliver_ship_notify()) == 2
    batches = {}
    for delivered in receiver.requests[-2:]:
        batch = requests.get(delivered.json['resource_url'], auth=SHIPSTATION_AUTH).json()
        batches[next(iter(delivered.query))] = [s['trackingNumber'] for s in batch['shipments']]
    assert batches == {'store': ['1ZOURS'], 'all': ['1ZOURS']}


def test_shipstation_ship_notify_to_a_dead_receiver_reports_the_error(shipstation, receiver):
    requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                  json={'target_url': f'{receiver.url}/hook', 'event': 'SHIP_NOTIFY'})
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.ship_order('k1')
    receiver.inject('server_error', status=503)
    assert shipstation.deliver_ship_notify()[0][0] == 503
    receiver.inject('drop')
    (status, error_text), = shipstation.deliver_ship_notify(
        batch_shipment_ids=list(shipstation.shipments))
    assert status is None
    assert 'Connection' in error_text


def test_shipstation_v1_deliveries_can_carry_the_v2_signature(clock, receiver):
    with ShipStationSimulator(clock=clock, sign_v1_webhooks=True) as shipstation:
        requests.post(f'{shipstation.url}/webhooks/subscribe', auth=SHIPSTATION_AUTH,
                      json={'target_url': f'{receiver.url}/hook', 'event': 'SHIP_NOTIFY'})
        shipstation.add_order(shipstation_order('SO001', key='k1'))
        shipstation.ship_order('k1')
        shipstation.deliver_ship_notify()
        delivered = receiver.requests[-1]
        verify_v2_signature(shipstation.jwks(), delivered.headers, delivered.body)


def public_key_from_jwk(jwk):
    def decode(value):
        return int.from_bytes(base64.urlsafe_b64decode(value + '=' * (-len(value) % 4)), 'big')
    return rsa.RSAPublicNumbers(decode(jwk['e']), decode(jwk['n'])).public_key()


def verify_v2_signature(jwks, headers, body):
    """What a receiver does: find the key by kid, verify over f'{timestamp}.{raw body}'."""
    jwk = next(key for key in jwks['keys']
               if key['kid'] == headers['x-shipengine-rsa-sha256-key-id'])
    signed = headers['x-shipengine-timestamp'].encode() + b'.' + body
    signature = base64.b64decode(headers['x-shipengine-rsa-sha256-signature'])
    public_key_from_jwk(jwk).verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())


def test_shipstation_jwks_and_signatures_verify_with_cryptography(shipstation):
    jwks = requests.get(f'{shipstation.url}/jwks').json()  # public, no auth
    assert [(key['kty'], key['alg'], key['use']) for key in jwks['keys']] == [
        ('RSA', 'RS256', 'sig')]
    body = b'{"resource_type": "FULFILLMENT_SHIPPED_V2"}'
    headers = shipstation.sign_v2(body, timestamp=datetime(2024, 3, 10, 9, 59, tzinfo=UTC))
    assert headers['x-shipengine-timestamp'] == '2024-03-10T09:59:00Z'
    verify_v2_signature(jwks, headers, body)
    with pytest.raises(InvalidSignature):
        verify_v2_signature(jwks, headers, body + b' ')

    old_key_id = headers['x-shipengine-rsa-sha256-key-id']
    new_key_id = shipstation.rotate_key()
    rotated_jwks = requests.get(f'{shipstation.url}/jwks').json()
    assert [key['kid'] for key in rotated_jwks['keys']] == [old_key_id, new_key_id]
    new_headers = shipstation.sign_v2(body)
    assert new_headers['x-shipengine-rsa-sha256-key-id'] == new_key_id
    verify_v2_signature(rotated_jwks, new_headers, body)
    verify_v2_signature(rotated_jwks, shipstation.sign_v2(body, kid=old_key_id), body)


def test_shipstation_v2_webhooks_and_signed_fulfillment_delivery(shipstation, receiver):
    v2_auth = {'api-key': 'shipstation-v2-key'}
    url = f'{shipstation.url}/v2/environment/webhooks'
    subscription = {'name': 'Odoo', 'event': 'fulfillment_shipped_v2', 'store_id': 12,
                    'url': f'{receiver.url}/hook',
                    'headers': [{'key': 'X-Odoo-Token', 'value': 'secret'}]}
    assert requests.post(url, json=subscription).status_code == 401
    assert requests.post(url, json=subscription, auth=SHIPSTATION_AUTH).status_code == 401
    created = requests.post(url, json=subscription, headers=v2_auth)
    assert created.status_code == 201
    webhook = created.json()
    assert webhook['event'] == 'fulfillment_shipped_v2'
    assert webhook['webhook_id']
    assert requests.get(url, headers=v2_auth).json() == [webhook]
    bad = requests.post(url, json={**subscription, 'event': 'nope'}, headers=v2_auth)
    assert bad.status_code == 400
    assert bad.json()['errors'][0]['message']

    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.ship_order('k1', tracking_number='1ZV2', ship_date=datetime(2024, 3, 10, 1, 0))
    assert shipstation.deliver_fulfillment_shipped_v2('k1') == [(200, '{"received": true}')]
    delivered = receiver.requests[-1]
    assert delivered.headers['X-Odoo-Token'] == 'secret'
    assert delivered.json['resource_type'] == 'FULFILLMENT_SHIPPED_V2'
    assert delivered.json['data']['tracking_number'] == '1ZV2'
    assert delivered.json['data']['ship_date'] == '2024-03-10T09:00:00Z'  # 01:00 PST in UTC
    jwks = requests.get(f'{shipstation.url}/jwks').json()
    verify_v2_signature(jwks, delivered.headers, delivered.body)

    webhook_url = f"{url}/{webhook['webhook_id']}"
    renamed = requests.put(webhook_url, json={'name': 'Odoo prod'}, headers=v2_auth)
    assert renamed.status_code == 204
    assert requests.get(webhook_url, headers=v2_auth).json()['name'] == 'Odoo prod'
    assert requests.delete(webhook_url, headers=v2_auth).status_code == 204
    assert requests.get(webhook_url, headers=v2_auth).status_code == 404
    assert shipstation.deliver_fulfillment_shipped_v2('k1') == []


def test_shipstation_reset_keeps_signing_keys(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    key_ids = list(shipstation.signing_keys)
    shipstation.reset()
    assert shipstation.orders == {}
    assert shipstation.shipments == {}
    assert list(shipstation.signing_keys) == key_ids


def test_shipstation_payloads_serialise_as_json(shipstation):
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    shipstation.ship_order('k1')
    payloads = shipstation.fulfillment_shipped_v2_payloads('k1')
    assert json.loads(json.dumps(payloads))[0]['data']['order_key'] == 'k1'


def test_shipstation_tracking_and_batch_events_go_to_their_subscribers(shipstation, receiver):
    v2_auth = {'api-key': 'shipstation-v2-key'}
    url = f'{shipstation.url}/v2/environment/webhooks'
    for event in ('track', 'track_event_v2', 'batch_processed_v2'):
        assert requests.post(url, json={'name': 'Odoo', 'event': event,
                                        'url': f'{receiver.url}/hook?event={event}'},
                             headers=v2_auth).status_code == 201
    shipstation.add_order(shipstation_order('SO001', key='k1'))
    (label,) = shipstation.ship_order('k1', tracking_number='1ZTRK')
    answers = shipstation.deliver_track('1ZTRK', 'EX', exception_description='Damaged')
    assert [status for status, _text in answers] == [200, 200]
    legacy, v2 = receiver.requests[-2:]
    assert (legacy.query['event'], legacy.json['resource_type']) == ('track', 'API_TRACK')
    assert 'tracking_number=1ZTRK' in legacy.json['resource_url']
    assert (v2.query['event'], v2.json['resource_type']) == ('track_event_v2',
                                                             'TRACK_EVENT_V2')
    assert v2.json['resource_url'].endswith(f"/v2/labels/se-{label['shipmentId']}/track")
    for delivered in (legacy, v2):
        data = delivered.json['data']
        assert (data['tracking_number'], data['status_code'], data['status_description'],
                data['exception_description']) == ('1ZTRK', 'EX', 'Exception', 'Damaged')
        assert data['events'][0]['occurred_at'].endswith('Z')
        verify_v2_signature(requests.get(f'{shipstation.url}/jwks').json(),
                            delivered.headers, delivered.body)
    assert shipstation.deliver_batch_processed_v2('se-77') == [(200, '{"received": true}')]
    batch = receiver.requests[-1]
    assert batch.json == {'resource_url': f'{shipstation.url}/v2/batches/se-77',
                          'resource_type': 'BATCH_PROCESSED_V2'}
