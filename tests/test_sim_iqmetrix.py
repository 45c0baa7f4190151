"""Plain pytest tests of the iQmetrix simulator, and of the connector's feed reader
(addons/channel_iqmetrix/feed.py, pure Python) against the simulator's pages and hostile XML.

Run: /opt/odoo18/venv/bin/python -m pytest tests/test_sim_iqmetrix.py -q -p no:odoo
"""
import importlib.util
import pathlib
from datetime import UTC, datetime

import pytest
import requests

from tests.simulators.base import ManualClock
from tests.simulators import SIMULATORS
from tests.simulators.iqmetrix import IqmetrixSimulator

FEED_PATH = pathlib.Path(__file__).parent.parent / 'addons' / 'channel_iqmetrix' / 'feed.py'
_spec = importlib.util.spec_from_file_location('iqmetrix_feed', FEED_PATH)
feed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(feed)  # no database needed: lxml, dateutil, channel_base.verification

PASSWORD_FORM = {'grant_type': 'password', 'client_id': 'iqm-client',
                 'client_secret': 'iqm-client-secret', 'username': 'supplier-api-user',
                 'password': 'supplier-api-password'}
ATOM = {'Accept': 'application/atom+xml'}




@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def sim(clock):
    with IqmetrixSimulator(clock=clock) as simulator:
        yield simulator


def token(sim, **overrides):
    return requests.post(f'{sim.url}/v1/oauth2/token', data={**PASSWORD_FORM, **overrides},
                         timeout=5)


def bearer(sim):
    answer = token(sim).json()
    return {'Authorization': f"Bearer {answer['access_token']}", **ATOM}


def feed_url(sim, supplier=60455):
    return f'{sim.url}/v1/Suppliers({supplier})/Notifications'


def get_page(sim, headers, url=None):
    response = requests.get(url or feed_url(sim), headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return feed.parse_feed(response.content)


def walk(sim, headers):
    """Every page from the current one back through prev-archive links."""
    pages = [get_page(sim, headers)]
    while pages[-1].prev_archive:
        pages.append(get_page(sim, headers, pages[-1].prev_archive))
    return pages


# --------------------------------------------------------------------- registration


def test_registered_with_its_port():
    assert SIMULATORS['iqmetrix'] is IqmetrixSimulator
    assert IqmetrixSimulator.default_port == 8073


# --------------------------------------------------------------------- OAuth


def test_password_grant_returns_both_tokens_with_documented_lifetime(sim):
    answer = token(sim)
    assert answer.status_code == 200
    body = answer.json()
    assert body['expires_in'] == 43199
    assert body['access_token'] and body['refresh_token']
    assert sim.grants == ['password']


@pytest.mark.parametrize(('overrides', 'error'), [
    ({'password': 'wrong'}, 'invalid_grant'),
    ({'client_secret': 'wrong'}, 'invalid_client'),
    ({'grant_type': 'client_credentials'}, 'unsupported_grant_type'),
])
def test_token_errors_are_400_with_oauth_codes(sim, overrides, error):
    answer = token(sim, **overrides)
    assert answer.status_code == 400
    assert answer.json() == {'error': error}


def test_refresh_issues_new_pair_and_revokes_old_access_token(sim):
    first = token(sim).json()
    old_headers = {'Authorization': f"Bearer {first['access_token']}", **ATOM}
    assert requests.get(feed_url(sim), headers=old_headers, timeout=5).status_code == 200
    refreshed = token(sim, grant_type='refresh_token', refresh_token=first['refresh_token'],
                      username=None, password=None).json()
    assert refreshed['access_token'] != first['access_token']
    assert refreshed['refresh_token'] != first['refresh_token']
    revoked = requests.get(feed_url(sim), headers=old_headers, timeout=5)
    assert revoked.status_code == 401
    assert revoked.json() == {'Message': 'Invalid token'}
    new_headers = {'Authorization': f"Bearer {refreshed['access_token']}", **ATOM}
    assert requests.get(feed_url(sim), headers=new_headers, timeout=5).status_code == 200
    # The used refresh token cannot be used twice.
    again = token(sim, grant_type='refresh_token', refresh_token=first['refresh_token'])
    assert again.status_code == 400
    assert again.json() == {'error': 'invalid_grant'}
    assert sim.grants == ['password', 'refresh_token']


def test_refresh_needs_the_original_client_credentials(sim):
    first = token(sim).json()
    answer = token(sim, grant_type='refresh_token', refresh_token=first['refresh_token'],
                   client_secret='other')
    assert answer.status_code == 400


def test_tokens_expire_on_the_clock(sim, clock):
    first = token(sim).json()
    headers = {'Authorization': f"Bearer {first['access_token']}", **ATOM}
    clock.advance(43200)
    assert requests.get(feed_url(sim), headers=headers, timeout=5).status_code == 401
    # Refresh token still valid (7 days): renews.
    renewed = token(sim, grant_type='refresh_token', refresh_token=first['refresh_token'])
    assert renewed.status_code == 200
    clock.advance(7 * 86400 + 1)
    expired = token(sim, grant_type='refresh_token',
                    refresh_token=renewed.json()['refresh_token'])
    assert expired.json() == {'error': 'invalid_grant'}


def test_expire_controls(sim):
    first = token(sim).json()
    sim.expire_refresh_tokens()
    assert token(sim, grant_type='refresh_token',
                 refresh_token=first['refresh_token']).status_code == 400
    sim.expire_access_tokens()
    headers = {'Authorization': f"Bearer {first['access_token']}", **ATOM}
    assert requests.get(feed_url(sim), headers=headers, timeout=5).status_code == 401


# --------------------------------------------------------------------- feed


def test_feed_needs_a_bearer_token(sim):
    answer = requests.get(feed_url(sim), headers=ATOM, timeout=5)
    assert answer.status_code == 401
    assert answer.json()['Message'] == 'Invalid token'


def test_wrong_supplier_page_and_path_errors(sim):
    headers = bearer(sim)
    wrong = requests.get(feed_url(sim, supplier=1), headers=headers, timeout=5)
    assert (wrong.status_code, wrong.json()['Message']) == (
        400, 'Cannot find supplier identifier in the uri')
    page = requests.get(feed_url(sim) + '/Pages(not-a-page)', headers=headers, timeout=5)
    assert (page.status_code, page.json()['Message']) == (400, 'The request is invalid')
    assert requests.get(f'{sim.url}/v1/Zxppliers(60455)/Notifications', headers=headers,
                        timeout=5).status_code == 404
    json_only = requests.get(feed_url(sim), timeout=5, headers={
        'Authorization': headers['Authorization'], 'Accept': 'application/json'})
    assert json_only.status_code == 406


def test_empty_feed_is_a_valid_atom_page(sim):
    page = get_page(sim, bearer(sim))
    assert page.entries == ()
    assert page.prev_archive is None
    assert page.links['current'] == feed_url(sim)


def test_pages_of_fifty_newest_first_with_archive_links(sim):
    skus = [f'SKU-{number:03d}' for number in range(120)]
    for sku in skus:
        sim.add_order(items=[{'sku': sku}])
    pages = walk(sim, bearer(sim))
    assert [len(page.entries) for page in pages] == [20, 50, 50]
    read = [entry.payload['items'][0]['sku'] for page in pages for entry in page.entries]
    assert read == list(reversed(skus)), 'newest first, nothing lost or repeated'
    current, newer_archive, oldest = pages
    assert 'next-archive' not in current.links
    assert newer_archive.links['next-archive'] == current.links['self']
    assert oldest.links['next-archive'] == newer_archive.links['self']
    assert oldest.prev_archive is None
    assert sim.page_count() == 3


def test_full_current_page_becomes_an_archive_keeping_its_id(sim):
    headers = bearer(sim)
    sim.add_orders(50)
    full = get_page(sim, headers)
    assert len(full.entries) == 50 and full.prev_archive is None
    sim.add_order()
    current = get_page(sim, headers)
    assert len(current.entries) == 1
    assert current.prev_archive == full.links['self']
    archived = get_page(sim, headers, full.links['self'])
    assert [e.entry_id for e in archived.entries] == [e.entry_id for e in full.entries]


def test_order_created_entry_fields(sim):
    order_id = sim.add_order(
        items=[{'sku': 'AB-1', 'quantity': 2, 'selling-price': '42.50', 'description': 'Case'}],
        ship_to_store=True, seller={'po-reference': 'PO-9', 'printable-id': '98764531'},
        customer={'primary-name': 'Ann', 'family-name': 'Lee'}, shipping_method='777')
    entry = get_page(sim, bearer(sim)).entries[0]
    assert entry.title == 'Dropship Order Created'
    assert entry.kind == feed.ORDER_CREATED
    payload = entry.payload
    assert payload['order_id'] == order_id
    assert payload['items'][0] | {'catalog_id': None} == {
        'catalog_id': None, 'description': 'Case', 'quantity': 2, 'selling_price': 42.5,
        'sku': 'AB-1'}
    assert payload['ship_to_store'] is True
    assert payload['shipping_address']['type'] is None, 'store address type is nil by default'
    assert payload['shipping_address']['notes'] is None
    assert payload['seller']['po_reference'] == 'PO-9'
    assert payload['shipping_customer']['primary_name'] == 'Ann'
    assert payload['shipping_method'] == '777'
    assert payload['supplier_id'] == '60455'


def test_store_address_type_option(clock):
    with IqmetrixSimulator(clock=clock, store_address_type='Shipping') as simulator:
        simulator.add_order(ship_to_store=True)
        simulator.add_order(ship_to_store=False)
        entries = get_page(simulator, bearer(simulator)).entries
    assert [e.payload['shipping_address']['type'] for e in entries] == ['Home', 'Shipping']


def test_duplicates_on_demand(sim):
    order_id = sim.add_order(duplicates=1)
    sim.duplicate_entry(order_id)
    sim.duplicate_entry(order_id, same_entry_id=True)
    entries = get_page(sim, bearer(sim)).entries
    assert len(entries) == 4
    assert {entry.order_id for entry in entries} == {order_id}
    assert len({entry.entry_id for entry in entries}) == 3


def test_serve_raw_feed_answers_once_as_atom(sim):
    headers = bearer(sim)
    sim.serve_raw_feed('<feed>broken')
    raw = requests.get(feed_url(sim), headers=headers, timeout=5)
    assert raw.headers['Content-Type'].startswith('application/atom+xml')
    assert raw.content == b'<feed>broken'
    assert get_page(sim, headers).entries == ()


def test_rate_limit_headers_per_service(clock):
    with IqmetrixSimulator(clock=clock, requests_per_minute=2) as simulator:
        headers = bearer(simulator)
        first = requests.get(feed_url(simulator), headers=headers, timeout=5)
        assert first.headers['X-RateLimit-Limit'] == '2'
        assert first.headers['X-RateLimit-Remaining'] == '1'
        requests.get(feed_url(simulator), headers=headers, timeout=5)
        third = requests.get(feed_url(simulator), headers=headers, timeout=5)
        assert third.status_code == 429
        assert token(simulator).status_code == 200, 'the accounts service has its own window'


def test_429_carries_the_documented_reset_headers(clock):
    """rate-limiting.md, "Exceeding Rate Limit": X-RateLimit-Reset is a UTC timestamp with
    seven fraction digits, X-RateLimit-ResetSeconds the seconds until then."""
    with IqmetrixSimulator(clock=clock, requests_per_minute=1, window_seconds=60) as simulator:
        headers = bearer(simulator)
        assert requests.get(feed_url(simulator), headers=headers, timeout=5).status_code == 200
        clock.advance(15)
        refused = requests.get(feed_url(simulator), headers=headers, timeout=5)
    assert refused.status_code == 429
    assert refused.headers['Content-Type'].startswith('text/plain')
    assert refused.text == 'rate limit exceeded'
    assert refused.headers['X-RateLimit-Remaining'] == '0'
    assert refused.headers['X-RateLimit-ResetSeconds'] == '45'
    reset = refused.headers['X-RateLimit-Reset']
    assert reset == datetime.fromtimestamp(clock.now + 45, UTC).strftime(
        '%Y-%m-%dT%H:%M:%S.0000000Z')
    assert simulator.throttled == [{'path': '/v1/Suppliers(60455)/Notifications',
                                    'reset_at': clock.now + 45}]


def test_every_response_carries_the_reset_headers(clock):
    with IqmetrixSimulator(clock=clock, requests_per_minute=5) as simulator:
        answer = requests.get(feed_url(simulator), headers=bearer(simulator), timeout=5)
    assert answer.headers['X-RateLimit-ResetSeconds'] == '60'
    assert answer.headers['X-RateLimit-Reset'].endswith('.0000000Z')


def test_reset_in_seconds_variant(clock):
    with IqmetrixSimulator(clock=clock, requests_per_minute=1,
                           rate_limit_reset_format='seconds') as simulator:
        headers = bearer(simulator)
        requests.get(feed_url(simulator), headers=headers, timeout=5)
        refused = requests.get(feed_url(simulator), headers=headers, timeout=5)
    assert refused.status_code == 429
    assert refused.headers['X-RateLimit-Reset'] == '60'
    assert 'X-RateLimit-ResetSeconds' not in refused.headers


def test_shipping_customer_phone_variant(clock):
    with IqmetrixSimulator(clock=clock) as simulator:
        simulator.add_order(ship_to_store=True)
        without = get_page(simulator, bearer(simulator)).entries[0]
    with IqmetrixSimulator(clock=clock, shipping_customer_phone=True) as simulator:
        simulator.add_order(ship_to_store=True, customer={'phone': '306-555-0177'})
        with_phone = get_page(simulator, bearer(simulator)).entries[0]
    assert 'phone' not in without.payload['shipping_customer'], 'the documented field table'
    assert with_phone.payload['shipping_customer']['phone'] == '306-555-0177'
    assert with_phone.payload['shipping_address']['phone'] == '306-555-0100', "the store's"


# --------------------------------------------------------------------- status updates


def put(sim, order_id, endpoint, body, headers=None):
    headers = headers or {'Authorization': bearer(sim)['Authorization']}
    return requests.put(f'{sim.url}/v1/Suppliers(60455)/Orders({order_id})/{endpoint}',
                        json=body, headers=headers, timeout=5)


def test_order_status_update_is_accepted_recorded_and_fed_back(sim):
    order_id = sim.add_order(items=[{'sku': 'A'}, {'sku': 'B', 'quantity': 2}])
    body = {'Id': order_id, 'Status': 2, 'TrackingInfo': '1Z1,1Z2', 'ShippingProvider': 'UPS'}
    answer = put(sim, order_id, 'OrderStatusUpdate', body)
    assert answer.status_code == 202
    assert answer.json() == {'Id': order_id, 'Status': 2, 'TrackingInfo': '1Z1,1Z2',
                             'ShippingProvider': 'UPS', 'Info': None, 'Message': None}
    assert sim.updates_for(order_id) == [
        {'order_id': order_id, 'endpoint': 'OrderStatusUpdate', 'body': body}]
    assert sim.order_states[order_id]['items']['B']['status'] == 2
    newest = get_page(sim, bearer(sim)).entries[0]
    assert newest.kind == feed.ORDER_STATUS_UPDATED
    assert newest.title == 'Dropship Order Status Updated'
    assert newest.order_id == order_id
    assert [(item['sku'], item['status'], item['tracking_info']) for item in
            newest.payload['items']] == [('A', 'Shipped', '1Z1,1Z2'), ('B', 'Shipped', '1Z1,1Z2')]


def test_item_status_update(sim):
    order_id = sim.add_order(items=[{'sku': 'A', 'quantity': 3}, {'sku': 'B'}])
    body = {'Id': order_id, 'ItemInformation': [
        {'Sku': 'A', 'Status': 6, 'Quantity': 1, 'TrackingInfo': 'T1'}]}
    answer = put(sim, order_id, 'ItemStatusUpdate', body)
    assert answer.status_code == 202
    echoed = answer.json()['ItemInformation'][0]
    assert (echoed['Sku'], echoed['Status'], echoed['Quantity']) == ('A', 6, 1)
    assert echoed['CatalogId'] == sim.orders[order_id]['items'][0]['catalog-id']
    assert sim.order_states[order_id]['items']['A'] == {'status': 6, 'tracking': 'T1'}
    assert sim.order_states[order_id]['items']['B']['status'] == 0


@pytest.mark.parametrize(('endpoint', 'body', 'status', 'message'), [
    ('OrderStatusUpdate', {'Id': 'other', 'Status': 2}, 400, 'Id must be the order id'),
    ('OrderStatusUpdate', {'Status': 2}, 400, 'Id must be the order id'),
    ('OrderStatusUpdate', {'Id': '{order}', 'Status': 12}, 400, 'unknown Status'),
    ('OrderStatusUpdate', {'Id': '{order}', 'Status': 'Shipped'}, 400, 'unknown Status'),
    ('ItemStatusUpdate', {'Id': '{order}', 'ItemInformation': [{'Status': 2}]}, 400,
     'Sku is required'),
    ('ItemStatusUpdate', {'Id': '{order}', 'ItemInformation': [{'Sku': 'ZZ', 'Status': 2}]},
     400, 'Sku ZZ is not on order'),
])
def test_invalid_status_updates_are_refused_and_not_recorded(sim, endpoint, body, status,
                                                             message):
    order_id = sim.add_order(items=[{'sku': 'A'}])
    body = {key: (order_id if value == '{order}' else value) for key, value in body.items()}
    answer = put(sim, order_id, endpoint, body)
    assert answer.status_code == status
    assert message in answer.json()['Message']
    assert sim.status_updates == []


def test_unknown_order_is_404(sim):
    answer = put(sim, 'a1b2', 'OrderStatusUpdate', {'Id': 'a1b2', 'Status': 2})
    assert answer.status_code == 404


def test_status_variants_names_and_200(clock):
    with IqmetrixSimulator(clock=clock, accept_status_names=True,
                           status_update_code=200) as simulator:
        order_id = simulator.add_order()
        answer = put(simulator, order_id, 'OrderStatusUpdate',
                     {'Id': order_id, 'Status': 'Cancelled'})
        assert answer.status_code == 200
        assert simulator.order_states[order_id]['status'] == 7


# --------------------------------------------------------------------- feed.py hardening

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol4;</title></feed>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>"""

DOCTYPE_ONLY = b"""<?xml version="1.0"?>
<!doctype feed SYSTEM "http://127.0.0.1:9/feed.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"></feed>"""


def entry_xml(content, updated='2024-05-01T10:00:00Z', entry_id='urn:uuid:e1'):
    return (f'<entry><id>{entry_id}</id><title type="text">t</title><updated>{updated}</updated>'
            f'<content type="application/xml">{content}</content></entry>')


def feed_xml(*entries):
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            '<id>urn:uuid:f</id><updated>2024-05-01T10:00:00Z</updated>'
            + ''.join(entries) + '</feed>').encode()


ORDER = ('<order-created xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
         'xmlns="urn:iQmetrix:dropship"><items><order-item><quantity>{qty}</quantity>'
         '<selling-price>10</selling-price><sku>S</sku></order-item></items>'
         '{order_id}<ship-to-store>false</ship-to-store></order-created>')


@pytest.mark.parametrize('body', [BILLION_LAUGHS, XXE, DOCTYPE_ONLY])
def test_doctype_and_entities_are_refused_unexpanded(body):
    with pytest.raises(feed.FeedRefused) as refused:
        feed.parse_feed(body)
    assert 'DOCTYPE' in str(refused.value) or 'ENTITY' in str(refused.value)
    assert 'root:' not in str(refused.value)  # /etc/passwd never read


def test_utf16_hidden_doctype_is_refused():
    with pytest.raises(feed.FeedRefused):
        feed.parse_feed(XXE.decode().replace('<?xml version="1.0"?>', '').encode('utf-16'))


def test_parser_itself_never_resolves_entities():
    """Defence in depth: even past the byte scan, lxml is set not to expand or fetch
    (feed.py parses with channel_base's verification.parse_xml and its parser)."""
    from lxml import etree
    root = etree.fromstring(XXE, feed.verification.make_hardened_xml_parser())
    assert 'root:' not in etree.tostring(root, encoding='unicode')
    assert root.getroottree().docinfo.doctype


def test_oversized_page_is_refused():
    with pytest.raises(feed.FeedRefused):
        feed.parse_feed(feed_xml(), max_bytes=100)


@pytest.mark.parametrize('body', [b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>',
                                  b'', b'not xml at all', b'<rss/>'])
def test_malformed_or_foreign_documents(body):
    with pytest.raises(feed.FeedMalformed):
        feed.parse_feed(body)


def test_bad_entries_are_reported_without_losing_the_page():
    body = feed_xml(
        entry_xml(ORDER.format(qty=1, order_id='<order-id>good</order-id>'), entry_id='e1'),
        entry_xml(ORDER.format(qty=1, order_id=''), entry_id='e2'),
        entry_xml(ORDER.format(qty='1.5', order_id='<order-id>o3</order-id>'), entry_id='e3'),
        entry_xml(ORDER.format(qty=1, order_id='<order-id>o4</order-id>'),
                  updated='2024-05-01T10:00:00', entry_id='e4'),
        entry_xml('<order-created xmlns="urn:other"/>', entry_id='e5'),
    )
    entries = feed.parse_feed(body).entries
    assert entries[0].error is None and entries[0].order_id == 'good'
    assert entries[1].error == '<order-id> is missing'
    assert 'not a positive whole number' in entries[2].error
    assert 'has no timezone' in entries[3].error
    assert 'namespace' in entries[4].error
    assert all('<entry' in entry.xml for entry in entries), 'kept for the record'


def test_stored_entry_reads_back():
    entry = feed.parse_feed(feed_xml(entry_xml(
        ORDER.format(qty=3, order_id='<order-id>o9</order-id>')))).entries[0]
    again = feed.parse_entry_xml(entry.xml)
    assert again == entry


def test_marker_reached():
    old = datetime(2024, 5, 1, tzinfo=UTC)
    new = datetime(2024, 5, 2, tzinfo=UTC)
    entry = feed.FeedEntry(entry_id='e1', updated=new)
    assert feed.marker_reached(entry, 'e1', new)
    assert not feed.marker_reached(entry, 'e0', old)
    assert feed.marker_reached(feed.FeedEntry(entry_id='e0', updated=old), 'gone', new), \
        'an entry older than a vanished marker stops the walk'
    assert not feed.marker_reached(entry, None, None, not_before=old)
    assert feed.marker_reached(feed.FeedEntry(entry_id='x', updated=old), None, None,
                               not_before=new)
    assert not feed.marker_reached(entry, None, None), 'first run without start: read it all'
