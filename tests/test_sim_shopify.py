"""The Shopify simulator on its own: cost model, throttling, paging, bulk JSONL, signed
webhooks and the sandbox seed (channel_shopify's tests drive it through the connector)."""
import base64
import hashlib
import hmac
import json

import pytest
import requests

from tests.simulators.base import ManualClock
from tests.simulators.seed import seed
from tests.simulators.shopify import ShopifySimulator, jsonl_lines

TOKEN = 'shpat_sandbox_token'
ORDERS = ('query($after: String) { orders(first: 2, after: $after) { pageInfo { hasNextPage '
          'endCursor } edges { node { id lineItems(first: 5) { edges { node { sku } } } } } } }')


@pytest.fixture
def sim():
    clock = ManualClock()
    with ShopifySimulator(clock=clock) as simulator:
        simulator.clock = clock
        yield simulator


def post(sim, query, variables=None, token=TOKEN, version='2025-01'):
    return requests.post(f'{sim.url}/admin/api/{version}/graphql.json',
                         json={'query': query, 'variables': variables or {}},
                         headers={'X-Shopify-Access-Token': token}, timeout=5)


def test_wrong_token_is_401_with_shopifys_message(sim):
    answer = post(sim, '{ shop { name } }', token='nope')
    assert answer.status_code == 401
    assert 'Invalid API key or access token' in answer.json()['errors']


def test_cost_extension_and_cursor_paging(sim):
    sim.seed_orders(3)
    first = post(sim, ORDERS).json()
    cost = first['extensions']['cost']
    assert cost['requestedQueryCost'] == 2 + 2 * (1 + 2 + 5 * 1)
    assert cost['actualQueryCost'] < cost['requestedQueryCost']
    assert cost['throttleStatus'] == {'maximumAvailable': 1000.0,
                                      'currentlyAvailable': 1000 - cost['actualQueryCost'],
                                      'restoreRate': 50.0}
    page = first['data']['orders']
    assert page['pageInfo']['hasNextPage'] is True
    second = post(sim, ORDERS, {'after': page['pageInfo']['endCursor']}).json()['data']['orders']
    assert len(second['edges']) == 1 and second['pageInfo']['hasNextPage'] is False


@pytest.mark.parametrize('status', [200, 429])
def test_throttled_when_the_bucket_is_short_then_restored(sim, status):
    sim.options['throttle_status'] = status
    sim.set_available(10)
    answer = post(sim, ORDERS)
    assert answer.status_code == status
    body = answer.json()
    assert 'data' not in body
    assert body['errors'][0]['extensions']['code'] == 'THROTTLED'
    assert body['extensions']['cost']['throttleStatus']['currentlyAvailable'] == 10
    sim.clock.advance(2)  # 50 points a second
    assert 'data' in post(sim, ORDERS).json()


def test_single_query_maximum(sim):
    query = ('{ orders(first: 250) { edges { node { '
             'lineItems(first: 250) { edges { node { id } } } } } } }')
    body = post(sim, query).json()
    assert body['errors'][0]['extensions']['code'] == 'MAX_COST_EXCEEDED'


def test_bulk_result_children_carry_parent_id():
    data = {'orders': {'edges': [{'node': {'id': 'gid://shopify/Order/1', 'lineItems': {
        'edges': [{'node': {'id': 'gid://shopify/LineItem/9', 'sku': 'A'}}]}}}]}}
    assert jsonl_lines(data) == [{'id': 'gid://shopify/Order/1'},
                                 {'id': 'gid://shopify/LineItem/9', 'sku': 'A',
                                  '__parentId': 'gid://shopify/Order/1'}]


def test_webhook_signature_is_base64_hmac_of_the_raw_body(sim):
    body, headers = sim.webhook_delivery('orders/create', {'id': 1})
    expected = base64.b64encode(hmac.new(sim.options['app_secret'].encode(), body,
                                         hashlib.sha256).digest()).decode()
    assert headers['X-Shopify-Hmac-Sha256'] == expected
    assert json.loads(body) == {'id': 1}
    for name in ('X-Shopify-Topic', 'X-Shopify-Event-Id', 'X-Shopify-Webhook-Id',
                 'X-Shopify-Shop-Domain', 'X-Shopify-Triggered-At'):
        assert headers[name]


def test_newer_versions_take_change_from_quantity(sim):
    mutation = ('mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities('
                'input: $input) { userErrors { code message } } }')
    quantity = {'inventoryItemId': 'gid://shopify/InventoryItem/1',
                'locationId': 'gid://shopify/Location/1', 'quantity': 3}
    old = post(sim, mutation, {'input': {'name': 'available', 'reason': 'correction',
                                         'quantities': [dict(quantity, compareQuantity=0)]}})
    assert old.json()['data']['inventorySetQuantities']['userErrors'] == []
    new = post(sim, mutation, {'input': {'name': 'available', 'reason': 'correction',
                                         'quantities': [dict(quantity, changeFromQuantity=0)]}},
               version='2026-01')
    assert new.json()['data']['inventorySetQuantities']['userErrors'][0]['code'] == \
        'COMPARE_QUANTITY_STALE'  # 3 is on Shopify now


def test_sandbox_seed():
    simulator = ShopifySimulator()
    ids = seed({'shopify': simulator})['shopify']
    assert len(ids) == 3
    cancelled = simulator.orders[ids[2]]
    assert cancelled['cancelledAt']
    assert simulator.orders[ids[0]]['fulfillments'][0]['trackingInfo'][0]['number']
