"""Plain pytest tests of the IQ Reseller simulator (no Odoo).

Run: /opt/odoo18/venv/bin/python -m pytest tests/test_sim_iqreseller.py -q -p no:odoo
"""
import time
from datetime import datetime

import pytest
import requests

from tests.simulators.base import ManualClock
from tests.simulators import SIMULATORS
from tests.simulators.iqreseller import (
    GET_ORDERS_PATH,
    GET_SOS_PATH,
    SESSION_PATH,
    UDFS_PATH,
    UPDATE_ORDER_PATH,
    IQResellerSimulator,
    format_iqr_date,
)

KEY = 'iqr-api-key'


@pytest.fixture
def sim():
    with IQResellerSimulator() as simulator:
        yield simulator


def sign_in(sim, key=KEY):
    answer = requests.post(sim.url + SESSION_PATH, json={'APIToken': key}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()['Data']


def get_sos(sim, token, **params):
    return requests.get(sim.url + GET_SOS_PATH, params=params,
                        headers={'iqr-session-token': token}, timeout=10)


def test_registered_with_its_port():
    assert SIMULATORS['iqreseller'] is IQResellerSimulator
    assert IQResellerSimulator.default_port == 8072


def test_date_format_matches_iqr():
    assert format_iqr_date(datetime(2020, 3, 6)) == '3/6/2020 12:00:00 AM'
    assert format_iqr_date(datetime(2024, 11, 23, 15, 4, 5)) == '11/23/2024 3:04:05 PM'


def test_sign_in_session_header_and_sign_out(sim):
    token = sign_in(sim)
    assert get_sos(sim, token).status_code == 200
    assert requests.post(sim.url + SESSION_PATH, json={'APIToken': 'wrong'},
                         timeout=5).status_code == 401
    assert requests.post(sim.url + SESSION_PATH, json={}, timeout=5).status_code == 400
    assert get_sos(sim, 'not-a-token').status_code == 401
    # Ending the session needs the Bearer header, and the token is dead afterwards.
    assert requests.delete(sim.url + SESSION_PATH, timeout=5).status_code == 401
    ended = requests.delete(sim.url + SESSION_PATH,
                            headers={'Authorization': f'Bearer {token}'}, timeout=5)
    assert ended.status_code == 200
    assert (sim.sign_ins, sim.sign_outs) == (1, 1)
    answer = get_sos(sim, token)
    assert answer.status_code == 401
    assert answer.json() == {'Message': 'Invalid session token.'}


def test_session_expires_after_its_lifetime():
    clock = ManualClock()
    with IQResellerSimulator(session_lifetime=60, clock=clock) as sim:
        token = sign_in(sim)
        clock.now += 59
        assert get_sos(sim, token).status_code == 200
        clock.now += 2
        answer = get_sos(sim, token)
        assert answer.status_code == 401
        assert answer.json()['Message'] == 'Session has expired.'
        fresh = sign_in(sim)
        sim.expire_sessions()
        assert get_sos(sim, fresh).status_code == 401
        assert sim.open_sessions() == []


def test_get_sos_is_a_bare_array_with_documented_fields(sim):
    sim.add_so(so=38791, clientponumber='PO-77', userdefined5='DPC - QUIC',
               saledate=datetime(2024, 5, 1, 9, 30),
               details=[{'item': 'THINKPAD T450', 'quantity': 2, 'unitprice': 469.95}])
    answer = get_sos(sim, sign_in(sim), Page=0, PageSize=25, SortBy=0)
    body = answer.json()
    assert isinstance(body, list) and len(body) == 1
    so = body[0]
    for name in ('soid', 'so', 'status', 'saledate', 'clientid', 'clientponumber', 'rep',
                 'shiptocompany', 'shiptoaddress1', 'shiptocity', 'shiptostate',
                 'shiptopostalcode', 'shiptocountry', 'shiptoemail', 'shiptophone',
                 'userdefined1', 'userdefined5', 'total', 'totallines', 'SODetails'):
        assert name in so, name
    assert so['saledate'] == '5/1/2024 9:30:00 AM'
    assert so['so'] == 38791 and so['clientponumber'] == 'PO-77'
    detail = so['SODetails'][0]
    assert (detail['item'], detail['quantity'], detail['unitprice']) == ('THINKPAD T450', 2,
                                                                         469.95)
    assert {'sodetailid', 'line', 'description', 'serialnumber', 'shipdate'} <= set(detail)
    assert so['total'] == 939.9


@pytest.mark.parametrize('first_page', [0, 1])
def test_paging_from_either_page_base_sorting_and_page_size_zero(first_page):
    with IQResellerSimulator(first_page=first_page) as sim:
        for day in (3, 1, 2):
            sim.add_so(saledate=datetime(2024, 5, day))
        token = sign_in(sim)
        pages = [get_sos(sim, token, Page=first_page + n, PageSize=2, SortBy=0).json()
                 for n in range(3)]
        assert [so['soid'] for so in pages[0] + pages[1]] == sorted(sim.sos)
        assert pages[2] == []
        newest_first = get_sos(sim, token, Page=first_page, PageSize=3, SortBy=1).json()
        assert [so['saledate'][:8] for so in newest_first] == ['5/3/2024', '5/2/2024',
                                                               '5/1/2024']
        assert len(get_sos(sim, token, Page=0, PageSize=0, SortBy=0).json()) == 3
        assert get_sos(sim, token, Page=1, PageSize=2, SortBy=7).status_code == 400


def test_a_page_below_a_one_based_first_page():
    with IQResellerSimulator(first_page=1) as sim:
        first = sim.add_so()
        token = sign_in(sim)
        assert get_sos(sim, token, Page=0, PageSize=2).json()[0]['soid'] == first['soid']
        sim.options['below_first_page'] = 'empty'
        assert get_sos(sim, token, Page=0, PageSize=2).json() == []
        sim.options['below_first_page'] = 'error'
        assert get_sos(sim, token, Page=0, PageSize=2).status_code == 400
        assert get_sos(sim, token, Page=1, PageSize=2).json()[0]['soid'] == first['soid']
    with pytest.raises(ValueError):
        IQResellerSimulator(first_page=2)


def test_a_page_past_the_end_can_be_a_404():
    with IQResellerSimulator(past_end='not_found') as sim:
        sim.add_so()
        token = sign_in(sim)
        assert len(get_sos(sim, token, Page=0, PageSize=1).json()) == 1
        past = get_sos(sim, token, Page=1, PageSize=1)
        assert past.status_code == 404
        assert 'no SO for the given Page' in past.json()['Message']


def test_lines_hold_their_status_and_ship_date(sim):
    so = sim.add_so(details=[{'item': 'A'}, {'item': 'B'}])
    assert [line['status'] for line in so['SODetails']] == ['Open', 'Open']
    partial = sim.ship_line(so['soid'], 1, shipdate=datetime(2024, 5, 2))
    assert partial['status'] == 'Partial'
    assert (partial['SODetails'][0]['status'], partial['SODetails'][0]['shipdate']) == (
        'Shipped', '5/2/2024 12:00:00 AM')
    assert partial['SODetails'][1]['shipdate'] == ''
    assert sim.ship_line(so['soid'], 2)['status'] == 'Closed'
    listed = get_sos(sim, sign_in(sim), Page=0, PageSize=5).json()[0]
    assert [line['status'] for line in listed['SODetails']] == ['Shipped', 'Shipped']


def test_large_pages_fail_or_answer_slowly():
    with IQResellerSimulator(slow_page_size=10, slow_page_behaviour='fail') as sim:
        token = sign_in(sim)
        assert get_sos(sim, token, Page=1, PageSize=10).status_code == 200
        failed = get_sos(sim, token, Page=1, PageSize=11)
        assert failed.status_code == 500
        assert 'timed out' in failed.json()['Message']
        assert get_sos(sim, token, Page=0, PageSize=0).status_code == 500
    with IQResellerSimulator(slow_page_size=10, slow_page_seconds=0.3) as sim:
        token = sign_in(sim)
        started = time.monotonic()
        assert get_sos(sim, token, Page=1, PageSize=50).status_code == 200
        assert time.monotonic() - started >= 0.3


def test_udfs_write_is_recorded_and_keyed_on_soid(sim):
    so = sim.add_so()
    token = sign_in(sim)
    headers = {'iqr-session-token': token}
    body = {'sos': [{'soid': so['soid'], 'userdefined1': '1Z999', 'userdefined2': 'UPS',
                     'lastupdatedby': 'odoo'}]}
    answer = requests.post(sim.url + UDFS_PATH, json=body, headers=headers, timeout=5)
    assert answer.status_code == 200 and answer.json() == {'Data': True}
    assert sim.udf_writes == body['sos']
    assert sim.sos[so['soid']]['userdefined1'] == '1Z999'
    # The public code passed the order number where soid is required: refused.
    wrong = requests.post(sim.url + UDFS_PATH, json={'sos': [{'soid': so['so']}]},
                          headers=headers, timeout=5)
    assert wrong.status_code == 400 and 'not found' in wrong.json()['Message']
    assert requests.post(sim.url + UDFS_PATH, json={'sos': [{'soid': so['soid'],
                                                             'status': 'Closed'}]},
                         headers=headers, timeout=5).status_code == 400
    assert requests.post(sim.url + UDFS_PATH, data=b'{', headers=headers,
                         timeout=5).status_code == 400
    assert len(sim.udf_writes) == 1


def test_seed_variant_get_orders_and_update_order():
    with IQResellerSimulator(variant='orders') as sim:
        so = sim.add_so(details=[{'item': 'A'}])
        headers = {'iqr-session-token': sign_in(sim)}
        answer = requests.post(sim.url + GET_ORDERS_PATH,
                               json={'Page': 0, 'PageSize': 25, 'SortBy': 0},
                               headers=headers, timeout=5)
        assert answer.json()['Data'][0]['soid'] == so['soid']
        updated = requests.post(sim.url + UPDATE_ORDER_PATH,
                                json={'soid': so['soid'], 'userdefined3': '5/2/2024'},
                                headers=headers, timeout=5)
        assert updated.status_code == 200
        assert sim.udf_writes == [{'soid': so['soid'], 'userdefined3': '5/2/2024'}]
        assert requests.get(sim.url + GET_SOS_PATH, headers=headers,
                            timeout=5).status_code == 404
    with IQResellerSimulator(variant='sos') as sim:
        headers = {'iqr-session-token': sign_in(sim)}
        assert requests.post(sim.url + GET_ORDERS_PATH, json={}, headers=headers,
                             timeout=5).status_code == 404


def test_update_so_and_reset(sim):
    so = sim.add_so(details=[{'item': 'A', 'quantity': 1}])
    sim.update_so(so['soid'], status='Voided', details=[{'item': 'B', 'quantity': 3}])
    stored = sim.sos[so['soid']]
    assert stored['status'] == 'Voided'
    assert [(line['item'], line['quantity']) for line in stored['SODetails']] == [('B', 3)]
    sim.reset()
    assert sim.sos == {} and sim.udf_writes == []
