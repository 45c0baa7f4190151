"""Plain pytest tests of the 429 reset-header forms the simulators can send.

Run: /opt/odoo18/venv/bin/python -m pytest tests/test_base_simulator_rate_limit_headers.py -q
"""
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests

from tests.simulators.base import format_reset
from tests.simulators.example import ExampleSimulator

# iQmetrix: "X-RateLimit-Reset: 2015-04-16T17:46:00.0000000Z" (developers.iqmetrix.com/api/
# rate-limiting/): seconds with seven fractional digits and Z.
IQMETRIX_RESET = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$')


def token_headers(simulator):
    answer = requests.post(f'{simulator.url}/oauth/token', json={'api_key': 'example-key'})
    return {'Authorization': f"Bearer {answer.json()['access_token']}"}


def test_format_reset_writes_every_form():
    moment = datetime(2015, 4, 16, 17, 46, tzinfo=UTC)
    assert format_reset(moment) == '2015-04-16T17:46:00.0000000Z'
    assert format_reset(moment, 'http_date') == 'Thu, 16 Apr 2015 17:46:00 GMT'
    assert format_reset(moment, 'epoch') == '1429206360'
    assert format_reset(42) == '42'
    assert IQMETRIX_RESET.match(format_reset(30, 'iso8601'))
    with pytest.raises(ValueError, match='unknown reset format'):
        format_reset(1, 'fortnights')


def test_injected_429_carries_the_iqmetrix_headers():
    reset_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=2)
    with ExampleSimulator() as example:
        example.inject('rate_limit', path='/orders', reset=reset_at, reset_seconds=120,
                       header_prefix='X-RateLimit-')
        answer = requests.get(f'{example.url}/orders')
    assert answer.status_code == 429
    assert answer.headers['X-RateLimit-Remaining'] == '0'
    assert IQMETRIX_RESET.match(answer.headers['X-RateLimit-Reset'])
    assert answer.headers['X-RateLimit-Reset'].startswith(reset_at.strftime('%Y-%m-%dT%H:%M:%S'))
    assert answer.headers['X-RateLimit-ResetSeconds'] == '120'
    assert 'Retry-After' not in answer.headers


def test_injected_429_retry_after_as_http_date_or_seconds():
    retry_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    with ExampleSimulator() as example:
        example.inject('rate_limit', retry_after=retry_at)
        example.inject('rate_limit', retry_after=17)
        as_date = requests.get(f'{example.url}/orders')
        as_seconds = requests.get(f'{example.url}/orders')
    assert parsedate_to_datetime(as_date.headers['Retry-After']) == retry_at
    assert as_seconds.headers['Retry-After'] == '17'


def test_example_window_headers_in_iso_form():
    with ExampleSimulator(rate_limit_per_minute=2, reset_format='iso8601') as example:
        headers = token_headers(example)  # the token request counts too
        assert requests.get(f'{example.url}/orders', headers=headers).status_code == 200
        refused = requests.get(f'{example.url}/orders', headers=headers)
    assert refused.status_code == 429
    assert IQMETRIX_RESET.match(refused.headers['X-Rate-Limit-Reset'])
    reset_at = datetime.strptime(refused.headers['X-Rate-Limit-Reset'][:19],
                                 '%Y-%m-%dT%H:%M:%S').replace(tzinfo=UTC)
    assert timedelta(seconds=50) < reset_at - datetime.now(UTC) <= timedelta(seconds=61)
    assert 0 < int(refused.headers['X-Rate-Limit-ResetSeconds']) <= 60


def test_example_window_headers_stay_seconds_by_default():
    with ExampleSimulator(rate_limit_per_minute=5) as example:
        answer = requests.get(f'{example.url}/orders', headers=token_headers(example))
    assert answer.headers['X-Rate-Limit-Reset'].isdigit()
    assert 'X-Rate-Limit-ResetSeconds' not in answer.headers


def test_unknown_reset_format_is_refused():
    with pytest.raises(ValueError, match='reset_format'):
        ExampleSimulator(reset_format='fortnights')
