"""Plain pytest tests of the eBay simulator's documented limits and refusals.

Run: /opt/odoo18/venv/bin/python -m pytest tests/test_sim_ebay.py -q -p no:odoo
"""
import base64
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from lxml import etree

from tests.simulators import SIMULATORS
from tests.simulators.base import ManualClock
from tests.simulators.ebay import NS, EbaySimulator, sample_order, seed_ebay

BASIC = 'Basic ' + base64.b64encode(b'ebay-app-id:ebay-cert-id').decode()


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def sim(clock):
    with EbaySimulator(clock=clock) as simulator:
        yield simulator


def token(sim):
    answer = requests.post(sim.url + '/identity/v1/oauth2/token', headers={'Authorization': BASIC},
                           data={'grant_type': 'refresh_token',
                                 'refresh_token': 'ebay-sandbox-refresh-token'}, timeout=5)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert 'refresh_token' not in body, 'a refresh answer has no new refresh token'
    assert body['expires_in'] == 7200
    return {'Authorization': 'Bearer ' + body['access_token']}


def trading(sim, call, xml, headers):
    return etree.fromstring(requests.post(sim.url + '/ws/api.dll', data=xml, timeout=5, headers={
        'X-EBAY-API-CALL-NAME': call, 'X-EBAY-API-SITEID': '0',
        'X-EBAY-API-COMPATIBILITY-LEVEL': '1451',
        'X-EBAY-API-IAF-TOKEN': headers['Authorization'].split(' ', 1)[1]}).content)


def test_registered_on_its_port():
    assert SIMULATORS['ebay'] is EbaySimulator
    assert EbaySimulator.default_port == 8075


def test_token_expiry_follows_the_clock_and_refusals_are_rfc6749(sim, clock):
    headers = token(sim)
    assert requests.get(sim.url + '/sell/inventory/v1/location', headers=headers,
                        timeout=5).status_code == 200
    clock.advance(7201)
    expired = requests.get(sim.url + '/sell/inventory/v1/location', headers=headers, timeout=5)
    assert expired.status_code == 401
    assert expired.json()['errors'][0]['errorId'] == 1001
    refused = requests.post(sim.url + '/identity/v1/oauth2/token', headers={'Authorization': BASIC},
                            data={'grant_type': 'refresh_token', 'refresh_token': 'nope'},
                            timeout=5)
    assert (refused.status_code, refused.json()['error']) == (400, 'invalid_grant')


def test_consent_page_returns_a_code_usable_once(sim):
    answer = requests.get(sim.url + '/oauth2/authorize', allow_redirects=False, timeout=5,
                          params={'client_id': 'ebay-app-id', 'response_type': 'code',
                                  'redirect_uri': 'Odoo_Sandbox-OdooSand-RuName', 'state': 's1'})
    assert answer.status_code == 302
    query = dict(parse_qsl(urlsplit(answer.headers['Location']).query))
    assert query['state'] == 's1'
    form = {'grant_type': 'authorization_code', 'code': query['code'],
            'redirect_uri': 'Odoo_Sandbox-OdooSand-RuName'}
    first = requests.post(sim.url + '/identity/v1/oauth2/token', data=form, timeout=5,
                          headers={'Authorization': BASIC})
    assert first.json()['refresh_token_expires_in'] == 47304000
    second = requests.post(sim.url + '/identity/v1/oauth2/token', data=form, timeout=5,
                           headers={'Authorization': BASIC})
    assert second.json()['error'] == 'invalid_grant'


def test_bulk_calls_take_at_most_25(sim):
    headers = token(sim)
    body = {'requests': [{'sku': f'S{n}', 'condition': 'NEW', 'product': {'title': 'x'}}
                         for n in range(26)]}
    answer = requests.post(sim.url + '/sell/inventory/v1/bulk_create_or_replace_inventory_item',
                           json=body, headers=headers, timeout=5)
    assert answer.status_code == 400
    body['requests'] = body['requests'][:2]
    body['requests'][1]['condition'] = 'USED'  # no plain USED in ConditionEnum
    answer = requests.post(sim.url + '/sell/inventory/v1/bulk_create_or_replace_inventory_item',
                           json=body, headers=headers, timeout=5)
    assert answer.status_code == 207
    assert [r['statusCode'] for r in answer.json()['responses']] == [200, 400]


def test_orders_paged_with_a_capped_limit(sim):
    headers = token(sim)
    for number in range(5):
        sim.add_order(sample_order('SKU', f'b{number}'))
    url = sim.url + '/sell/fulfillment/v1/order'
    page = requests.get(url, headers=headers, timeout=5, params={
        'filter': 'lastmodifieddate:[2020-01-01T00:00:00.000Z..]', 'limit': 2, 'offset': 2}).json()
    assert (page['total'], len(page['orders']), page['offset']) == (5, 2, 2)
    assert 'offset=4' in page['next']
    too_many = requests.get(url, headers=headers, timeout=5, params={'limit': 201})
    assert too_many.status_code == 400
    naive = requests.get(url, headers=headers, timeout=5,
                         params={'filter': 'lastmodifieddate:[2020-01-01T00:00:00..]'})
    assert naive.status_code == 400


def test_trading_limits_and_inventory_listings(sim):
    headers = token(sim)
    sim.add_trading_item('1', 'A')
    statuses = ''.join(f'<InventoryStatus><ItemID>1</ItemID><Quantity>{n}</Quantity>'
                       '</InventoryStatus>' for n in range(5))
    root = trading(sim, 'ReviseInventoryStatus', (
        f'<ReviseInventoryStatusRequest xmlns="{NS}">{statuses}</ReviseInventoryStatusRequest>'
    ).encode(), headers)
    assert root.findtext(f'{{{NS}}}Ack') == 'Failure'
    assert root.findtext(f'{{{NS}}}Errors/{{{NS}}}ErrorCode') == '21919170'
    sim.options['trading_daily_limit'] = len(sim.trading_calls)
    root = trading(sim, 'GetMemberMessages', (
        f'<GetMemberMessagesRequest xmlns="{NS}"/>').encode(), headers)
    assert root.findtext(f'{{{NS}}}Errors/{{{NS}}}ErrorCode') == '518'


def test_sandbox_seed():
    simulator = EbaySimulator()
    orders = seed_ebay(simulator)
    assert len(orders) == 3
    assert orders[0]['buyer'] == orders[1]['buyer']
    assert simulator.orders[orders[2]['orderId']]['orderFulfillmentStatus'] == 'FULFILLED'
    assert simulator.messages and simulator.trading_items
