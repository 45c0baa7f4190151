"""eBay simulator: OAuth user tokens, Sell Inventory v1, Sell Fulfillment v1, the Trading
API (XML), Developer Analytics getRateLimits and Marketplace Account Deletion
notifications.

Built from:

- OAuth: developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html (consent
  page ``/oauth2/authorize``, code exchange), .../oauth-refresh-token-request.html
  (refresh: no new refresh token), .../oauth-client-credentials-grant.html (application
  token). ``POST /identity/v1/oauth2/token`` with ``Authorization: Basic
  base64(client_id:client_secret)``; answers ``{access_token, expires_in: 7200,
  refresh_token, refresh_token_expires_in: 47304000, token_type: "User Access Token"}``;
  refusals ``{error: invalid_grant|invalid_client, error_description}`` (RFC 6749 §5.2).
- Inventory: sell_inventory_v1_oas3.json (shared/reference/openapi/ebay-sell-inventory-v1.json):
  bulkCreateOrReplaceInventoryItem, bulkCreateOffer, bulkPublishOffer and
  bulkUpdatePriceQuantity take at most 25 entries and answer 200 (all succeeded) or 207
  with one ``responses[]`` entry per SKU/offer (statusCode, sku, offerId, errors);
  createOrReplaceInventoryItem (204), getOffers ``?sku=`` (404 errorId 25713 when none),
  createOffer (201 ``{offerId}``), location ``GET /location``, ``POST /location/{key}``;
  createOrReplaceInventoryItemGroup (201/204; variant SKUs must exist, variesBy aspects on
  every variant, errorId 25013), publishOfferByInventoryItemGroup (``{listingId}``, one
  listing for every variant's offer), withdrawOfferByInventoryItemGroup (204) and
  updateOffer (``PUT /offer/{offerId}``, 204: the whole offer is replaced).
- Fulfillment: sell_fulfillment_v1_oas3.json: getOrders ``filter=lastmodifieddate:[a..b]``
  / ``orderfulfillmentstatus:{..}`` / ``orderIds=`` (≤ 50, overrides the rest), ``limit``
  (default 50, capped by the option ``max_orders_limit``: the spec says 1000, newer pages
  less) and zero-based ``offset``; answers ``{href, total, limit, offset, next, prev,
  orders}``. createShippingFulfillment answers 201 with ``Location:
  .../order/{orderId}/shipping_fulfillment/{fulfillmentId}``; getShippingFulfillments.
- Errors: the OAS ``Error`` schema ``{errors: [{errorId, domain, category, message,
  longMessage}]}``; 401 errorId 1001 "Invalid access token"; 429 errorId 2001.
- Trading XML (developer.ebay.com/Devzone/XML/docs/reference/ebay/): ``POST /ws/api.dll``
  with ``X-EBAY-API-CALL-NAME``, ``X-EBAY-API-SITEID``, ``X-EBAY-API-COMPATIBILITY-LEVEL``
  and ``X-EBAY-API-IAF-TOKEN``; ReviseInventoryStatus (≤ 4 InventoryStatus),
  ReviseFixedPriceItem (refused for Inventory API listings), GetMemberMessages,
  AddMemberMessageRTQ; ``<Ack>Failure</Ack><Errors>...`` refusals. Calls are counted
  against ``trading_daily_limit`` (5,000, api_call_limits); error 518 beyond it.
- Analytics getRateLimits: ``GET /developer/analytics/v1_beta/user_rate_limit/``
  (``rateLimits[{apiName, resources[{name, rates[{count, limit, remaining, reset,
  timeWindow}]}]}]``).
- Marketplace Account Deletion (developer.ebay.com/marketplace-account-deletion, eBay's
  event-notification-nodejs-sdk): ``send_account_deletion(endpoint)`` answers the
  challenge (GET ``?challenge_code=``) then POSTs the notification signed with the
  simulator's test ECDSA key: ``X-EBAY-SIGNATURE`` = base64(JSON {alg, kid, signature,
  digest}), the signature ECDSA over the raw body with the digest the key's
  ``getPublicKey`` answer names (``signature_digest`` option, SHA1 as the SDK uses).
"""
import base64
import hashlib
import json
import secrets
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from lxml import etree
from werkzeug.wrappers import Response

from .base import Simulator, route

NS = 'urn:ebay:apis:eBLBaseComponents'
TOKEN_PATH = '/identity/v1/oauth2/token'
INV = '/sell/inventory/v1'
FUL = '/sell/fulfillment/v1'
BULK_MAX = 25
REVISE_STATUS_MAX = 4
CONDITIONS = ('NEW', 'LIKE_NEW', 'NEW_OTHER', 'NEW_WITH_DEFECTS', 'CERTIFIED_REFURBISHED',
              'EXCELLENT_REFURBISHED', 'VERY_GOOD_REFURBISHED', 'GOOD_REFURBISHED',
              'SELLER_REFURBISHED', 'USED_EXCELLENT', 'USED_VERY_GOOD', 'USED_GOOD',
              'USED_ACCEPTABLE', 'FOR_PARTS_OR_NOT_WORKING')
CARRIERS = ('USPS', 'UPS', 'FEDEX', 'DHL', 'ONTRAC', 'OTHER')


def iso(moment):
    return moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def parse_iso(value):
    return datetime.fromisoformat(value.replace('Z', '+00:00'))


def ebay_error(error_id, message, domain='API_INVENTORY', category='REQUEST', **extra):
    return {'errorId': error_id, 'domain': domain, 'category': category, 'message': message,
            'longMessage': message, **extra}


class EbaySimulator(Simulator):
    name = 'ebay'
    default_port = 8075
    default_options: ClassVar[dict] = {
        'app_id': 'ebay-app-id',
        'cert_id': 'ebay-cert-id',
        'runame': 'Odoo_Sandbox-OdooSand-RuName',
        # the RuName's accept URL (set in the developer portal): where consent returns
        'accept_url': 'http://localhost:8069/channel/ebay/oauth/callback',
        'refresh_token': 'ebay-sandbox-refresh-token',  # a consent made beforehand
        'access_lifetime': 7200,
        'refresh_lifetime': 47304000,
        'clock': time.time,
        'max_orders_limit': 200,
        'country_field': 'countryCode',  # the OAS Address says 'country': both are tested
        'trading_daily_limit': 5000,
        'signature_digest': 'SHA1',
        'non_leaf_categories': ('6000',),  # eBay Motors' root: publishing needs a leaf
    }

    def init_state(self):
        from cryptography.hazmat.primitives.asymmetric import ec
        self.access_tokens = {}  # token -> (expiry, kind)
        self.refresh_tokens = {self.options['refresh_token']: self._clock()
                               + self.options['refresh_lifetime']}
        self.auth_codes = {}  # code -> used?
        self.issued_secrets = []
        self.inventory_items = {}  # sku -> InventoryItem
        self.offers = {}  # offerId -> offer
        self.offer_by_sku = {}  # (sku, marketplaceId) -> offer
        self.item_groups = {}  # inventoryItemGroupKey -> InventoryItemGroup
        self.offer_updates = []  # offerIds of the updateOffer calls, in order
        self.trading_items = {}  # ItemID -> {sku, quantity, price, title}
        self.orders = {}  # orderId -> Order
        self.fulfillments = {}  # orderId -> [fulfillment]
        self.locations = {'warehouse-1': {'merchantLocationKey': 'warehouse-1',
                                          'merchantLocationStatus': 'ENABLED'}}
        self.messages = []  # MemberMessageExchange dicts
        self.replies = []  # AddMemberMessageRTQ received
        self.trading_calls = []  # call names, in order
        self.exchanges = []  # (RecordedRequest, status, body, content type) of /sell/ calls
        self.page_faults = {}  # getOrders page number -> [status, ...]
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        self.key_id = 'test-key-' + secrets.token_hex(4)
        self._sequence = 0

    def _clock(self):
        return self.options['clock']()

    def _next(self, prefix=''):
        self._sequence += 1
        return f'{prefix}{self._sequence}'

    # ----------------------------------------------------------------- test controls

    def add_order(self, order):
        with self.lock:
            order = dict(order)
            order.setdefault('orderId', f'{self._next("27-")}-{secrets.randbelow(99999):05d}')
            self.orders[order['orderId']] = order
            return order

    def seed_orders(self, count, sku, prefix='buyer'):
        return [self.add_order(sample_order(sku, f'{prefix}{number}', country_field=self.options[
            'country_field']))['orderId'] for number in range(1, count + 1)]

    def touch(self, order_id, **changes):
        """Change an order as eBay would (cancelled, shipped...): lastModifiedDate moves."""
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            order['lastModifiedDate'] = iso(datetime.now(UTC))
            return order

    def ship(self, order_id, tracking='9400100000000000000001', carrier='USPS'):
        with self.lock:
            order = self.orders[order_id]
            self.fulfillments.setdefault(order_id, []).append(self._fulfillment(
                order, {'trackingNumber': tracking, 'shippingCarrierCode': carrier,
                        'lineItems': [{'lineItemId': line['lineItemId']}
                                      for line in order['lineItems']]}))
            return self.touch(order_id, orderFulfillmentStatus='FULFILLED')

    def cancel(self, order_id):
        return self.touch(order_id, cancelStatus={'cancelState': 'CANCELED',
                                                  'cancelRequests': []})

    def add_trading_item(self, item_id, sku, quantity=1, price=10.0, title='Trading item'):
        with self.lock:
            self.trading_items[item_id] = {'sku': sku, 'quantity': quantity, 'price': price,
                                           'title': title, 'revisions': 0}

    def add_message(self, sender, item_id, body, message_id=None):
        with self.lock:
            self.messages.append({'MessageID': message_id or self._next('MSG'),
                                  'SenderID': sender, 'ItemID': item_id, 'Body': body,
                                  'CreationDate': iso(datetime.now(UTC))})

    def expire_tokens(self):
        with self.lock:
            self.access_tokens = {token: (0, kind)
                                  for token, (_expiry, kind) in self.access_tokens.items()}

    def revoke_refresh_tokens(self):
        with self.lock:
            self.refresh_tokens = {}

    def fail_page(self, page, status=500, times=1):
        with self.lock:
            self.page_faults.setdefault(page, []).extend([status] * times)

    def order_reads(self):
        """The getOrders requests by filter, in order."""
        with self.lock:
            return [r for r in self.requests if r.method == 'GET' and r.path == FUL + '/order'
                    and 'filter' in r.query]

    def order_page_reads(self):
        """Page numbers (offset // limit + 1) of the getOrders reads by filter, in order."""
        with self.lock:
            return [int(r.query.get('offset', 0)) // int(r.query.get('limit', 50)) + 1
                    for r in self.requests if r.method == 'GET' and r.path == FUL + '/order'
                    and 'filter' in r.query]

    def calls(self, path):
        with self.lock:
            return [r for r in self.requests if r.path == path]

    # ----------------------------------------------------------------- errors / auth

    def error(self, status, message):
        error_id = {429: 2001, 401: 1001, 404: 2002}.get(status, 10001)
        category = 'APPLICATION' if status >= 500 else 'REQUEST'
        return self.json({'errors': [ebay_error(error_id, message, domain='API_SIMULATOR',
                                                category=category)]}, status=status)

    def errors(self, status, *errors):
        return self.json({'errors': list(errors)}, status=status)

    def authenticate(self, request):
        if request.path == TOKEN_PATH or request.path.startswith(('/oauth2/', '/ws/')):
            return None
        scheme, _, token = request.headers.get('Authorization', '').partition(' ')
        expiry, kind = self.access_tokens.get(token, (0, None))
        if scheme != 'Bearer' or expiry <= self._clock():
            return self.errors(401, ebay_error(
                1001, 'Invalid access token', domain='OAuth', category='REQUEST',
                longMessage='Invalid access token. Check the value of the Authorization '
                'HTTP request header.'))
        if kind == 'application' and not request.path.startswith('/commerce/notification/'):
            return self.errors(403, ebay_error(1100, 'Access denied: a user token is needed',
                                               domain='OAuth'))
        return None

    # ----------------------------------------------------------------- OAuth

    @route('GET', '/oauth2/authorize')
    def authorize(self, request):
        """The consent page, approved at once: back to the RuName's accept URL."""
        args = request.args
        if args.get('client_id') != self.options['app_id'] \
                or args.get('redirect_uri') != self.options['runame'] \
                or args.get('response_type') != 'code':
            return Response('invalid consent request', status=400)
        code = 'v^1.1#i^1#' + secrets.token_urlsafe(24)
        self.auth_codes[code] = False
        query = urllib.parse.urlencode({'state': args.get('state', ''), 'code': code,
                                        'expires_in': 299})
        return Response(status=302, headers={'Location': f"{self.options['accept_url']}?{query}"})

    def consent_code(self):
        """A fresh authorization code, as the consent page would hand out."""
        with self.lock:
            code = 'v^1.1#i^1#' + secrets.token_urlsafe(24)
            self.auth_codes[code] = False
            return code

    def _client_ok(self, request):
        scheme, _, value = request.headers.get('Authorization', '').partition(' ')
        expected = base64.b64encode(
            f"{self.options['app_id']}:{self.options['cert_id']}".encode()).decode()
        return scheme == 'Basic' and secrets.compare_digest(value, expected)

    def _oauth_error(self, status, code, description):
        return self.json({'error': code, 'error_description': description}, status=status)

    @route('POST', TOKEN_PATH)
    def token(self, request):
        if not self._client_ok(request):
            return self._oauth_error(401, 'invalid_client', 'client authentication failed')
        form = request.form
        grant = form.get('grant_type')
        if grant == 'authorization_code':
            return self._code_grant(form)
        if grant == 'refresh_token':
            return self._refresh_grant(form)
        if grant == 'client_credentials':
            return self._issue(kind='application')
        return self._oauth_error(400, 'unsupported_grant_type', f'grant type {grant} unsupported')

    def _code_grant(self, form):
        code = form.get('code')
        if form.get('redirect_uri') != self.options['runame']:
            return self._oauth_error(400, 'invalid_request', 'redirect_uri must be the RuName')
        if code not in self.auth_codes or self.auth_codes[code]:
            return self._oauth_error(400, 'invalid_grant', 'the provided authorization grant '
                                     'code is invalid or was issued to another client')
        self.auth_codes[code] = True
        refresh = 'v^1.1#r^1#' + secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = self._clock() + self.options['refresh_lifetime']
        self.issued_secrets.append(refresh)
        return self._issue(refresh_token=refresh)

    def _refresh_grant(self, form):
        refresh = form.get('refresh_token')
        if self.refresh_tokens.get(refresh, 0) <= self._clock():
            return self._oauth_error(400, 'invalid_grant', 'the provided authorization refresh '
                                     'token is invalid or was issued to another client')
        return self._issue()

    def _issue(self, refresh_token=None, kind='user'):
        token = 'v^1.1#i^1#a^' + secrets.token_urlsafe(32)
        lifetime = self.options['access_lifetime']
        self.access_tokens[token] = (self._clock() + lifetime, kind)
        self.issued_secrets.append(token)
        token_type = 'User Access Token' if kind == 'user' else 'Application Access Token'
        answer = {'access_token': token, 'expires_in': lifetime, 'token_type': token_type}
        if refresh_token:
            answer.update(refresh_token=refresh_token,
                          refresh_token_expires_in=self.options['refresh_lifetime'])
        return self.json(answer)

    # ----------------------------------------------------------------- Inventory

    def _bulk_requests(self, request):
        body = self.request_json(request)
        if not isinstance(body, dict) or not isinstance(body.get('requests'), list):
            return None, self.errors(400, ebay_error(25709, 'Invalid value for requests'))
        if not body['requests'] or len(body['requests']) > BULK_MAX:
            return None, self.errors(400, ebay_error(
                25709, f'requests must hold 1 to {BULK_MAX} entries'))
        return body['requests'], None

    def _bulk_answer(self, responses):
        status = 200 if all(200 <= r['statusCode'] < 300 for r in responses) else 207
        return self.json({'responses': responses}, status=status)

    def _item_problem(self, item):
        if item.get('condition') not in CONDITIONS:
            return ebay_error(2004, 'Could not serialize field [condition]')
        if not (item.get('product') or {}).get('title'):
            return ebay_error(25002, 'A user error has occurred. Title is required',
                              category='BUSINESS')
        return None

    @route('POST', INV + '/bulk_create_or_replace_inventory_item')
    def bulk_create_or_replace_inventory_item(self, request):
        entries, refusal = self._bulk_requests(request)
        if refusal:
            return refusal
        responses = []
        for entry in entries:
            problem = self._item_problem(entry)
            answer = {'sku': entry.get('sku'), 'locale': entry.get('locale'),
                      'statusCode': 400 if problem else 200}
            if problem:
                answer['errors'] = [problem]
            else:
                self.inventory_items[entry['sku']] = {k: v for k, v in entry.items()
                                                      if k != 'locale'}
            responses.append(answer)
        return self._bulk_answer(responses)

    @route('PUT', INV + '/inventory_item/<sku>')
    def create_or_replace_inventory_item(self, request, sku):
        item = self.request_json(request)
        problem = self._item_problem(item or {})
        if problem:
            return self.errors(400, problem)
        self.inventory_items[sku] = dict(item, sku=sku)
        return Response(status=204)

    @route('GET', INV + '/inventory_item/<sku>')
    def get_inventory_item(self, request, sku):
        if sku not in self.inventory_items:
            return self.errors(404, ebay_error(25710, f'We didn\'t find the entity you are '
                                               f'requesting: {sku}'))
        return self.json(self.inventory_items[sku])

    def _offer_of_sku(self, sku, marketplace):
        return self.offer_by_sku.get((sku, marketplace))

    def _new_offer(self, body):
        offer_id = self._next('9000')
        self.offers[offer_id] = dict(body, offerId=offer_id, status='UNPUBLISHED')
        self.offer_by_sku[body['sku'], body.get('marketplaceId')] = self.offers[offer_id]
        return offer_id

    @route('POST', INV + '/offer')
    def create_offer(self, request):
        body = self.request_json(request) or {}
        if not body.get('sku') or not body.get('marketplaceId') or not body.get('format'):
            return self.errors(400, ebay_error(25702, 'sku, marketplaceId and format needed'))
        if self._offer_of_sku(body['sku'], body['marketplaceId']):
            return self.errors(400, ebay_error(25002, 'Offer entity already exists',
                                               category='BUSINESS'))
        return self.json({'offerId': self._new_offer(body)}, status=201)

    @route('GET', INV + '/offer')
    def get_offers(self, request):
        sku = request.args.get('sku')
        offers = [offer for (offer_sku, _market), offer in self.offer_by_sku.items()
                  if offer_sku == sku]
        if not offers:
            return self.errors(404, ebay_error(25713, 'This Offer is not available.'))
        return self.json({'href': request.url, 'limit': 100, 'offers': offers, 'size': len(offers),
                          'total': len(offers)})

    @route('POST', INV + '/bulk_create_offer')
    def bulk_create_offer(self, request):
        entries, refusal = self._bulk_requests(request)
        if refusal:
            return refusal
        responses = []
        for entry in entries:
            answer = {'sku': entry.get('sku'), 'marketplaceId': entry.get('marketplaceId'),
                      'format': entry.get('format')}
            if entry.get('sku') not in self.inventory_items:
                answer.update(statusCode=400, errors=[ebay_error(
                    25751, f"No inventory item for SKU {entry.get('sku')}")])
            elif self._offer_of_sku(entry['sku'], entry.get('marketplaceId')):
                answer.update(statusCode=400, errors=[ebay_error(
                    25002, 'Offer entity already exists', category='BUSINESS')])
            else:
                answer.update(statusCode=200, offerId=self._new_offer(entry))
            responses.append(answer)
        return self._bulk_answer(responses)

    def _publish_problem(self, offer):
        policies = offer.get('listingPolicies') or {}
        missing = [name for name, value in (
            ('categoryId', offer.get('categoryId')),
            ('merchantLocationKey', offer.get('merchantLocationKey')),
            ('fulfillmentPolicyId', policies.get('fulfillmentPolicyId')),
            ('paymentPolicyId', policies.get('paymentPolicyId')),
            ('returnPolicyId', policies.get('returnPolicyId')),
            ('price', (offer.get('pricingSummary') or {}).get('price'))) if not value]
        if missing:
            return ebay_error(25007, 'Missing: ' + ', '.join(missing), category='BUSINESS')
        if offer.get('categoryId') in self.options['non_leaf_categories']:
            return ebay_error(25005, 'The category ID you entered is not a leaf category.',
                              category='BUSINESS')
        if offer.get('merchantLocationKey') not in self.locations:
            return ebay_error(25802, 'Invalid merchantLocationKey', category='BUSINESS')
        item = self.inventory_items.get(offer['sku']) or {}
        if not (item.get('product') or {}).get('imageUrls'):
            return ebay_error(25008, 'At least one image is required', category='BUSINESS')
        return None

    @route('POST', INV + '/bulk_publish_offer')
    def bulk_publish_offer(self, request):
        entries, refusal = self._bulk_requests(request)
        if refusal:
            return refusal
        responses = []
        for entry in entries:
            offer = self.offers.get(str(entry.get('offerId')))
            answer = {'offerId': entry.get('offerId')}
            problem = ebay_error(25713, 'This Offer is not available.') if offer is None \
                else self._publish_problem(offer)
            if problem:
                answer.update(statusCode=400, errors=[problem])
            else:
                offer.setdefault('listing', {'listingId': self._next('11000000')})
                offer['status'] = 'PUBLISHED'
                answer.update(statusCode=200, listingId=offer['listing']['listingId'])
            responses.append(answer)
        return self._bulk_answer(responses)

    @route('POST', INV + '/bulk_update_price_quantity')
    def bulk_update_price_quantity(self, request):
        entries, refusal = self._bulk_requests(request)
        if refusal:
            return refusal
        responses = []
        for entry in entries:
            sku = entry.get('sku')
            item = self.inventory_items.get(sku)
            answer = {'sku': sku}
            if item is None:
                answer.update(statusCode=404, errors=[ebay_error(
                    25710, f"We didn't find the entity you are requesting: {sku}")])
                responses.append(answer)
                continue
            quantity = (entry.get('shipToLocationAvailability') or {}).get('quantity')
            if quantity is not None:
                item.setdefault('availability', {})['shipToLocationAvailability'] = {
                    'quantity': quantity}
            for offer_entry in entry.get('offers') or []:
                offer = self.offers.get(str(offer_entry.get('offerId')))
                if offer is not None:
                    offer['availableQuantity'] = offer_entry.get('availableQuantity',
                                                                 offer.get('availableQuantity'))
                    if offer_entry.get('price'):
                        offer.setdefault('pricingSummary', {})['price'] = offer_entry['price']
                    answer['offerId'] = offer['offerId']
            answer['statusCode'] = 200
            responses.append(answer)
        return self._bulk_answer(responses)

    # Multi-variation listings (sell_inventory_v1_oas3.json: createOrReplaceInventoryItemGroup,
    # publishOfferByInventoryItemGroup, withdrawOfferByInventoryItemGroup) and updateOffer.

    def _group_problem(self, key, group):
        """The spec's notes on ``InventoryItemGroup``: every ``variantSKUs`` member an
        existing inventory item, each ``variesBy.specifications`` name among the aspects of
        every variant with one of its values, ``aspectsImageVariesBy`` one of them."""
        skus = group.get('variantSKUs')
        if not isinstance(skus, list) or not skus:
            return ebay_error(25013, 'Invalid InventoryItemGroup information. variantSKUs '
                              'is required')
        if group.get('inventoryItemGroupKey', key) != key:
            return ebay_error(25013, 'inventoryItemGroupKey differs from the path')
        missing = [sku for sku in skus if sku not in self.inventory_items]
        if missing:
            return ebay_error(25013, 'No inventory item for variant SKU: ' + ', '.join(missing))
        specifications = (group.get('variesBy') or {}).get('specifications') or []
        names = {spec.get('name') for spec in specifications}
        for sku in skus:
            aspects = (self.inventory_items[sku].get('product') or {}).get('aspects') or {}
            for spec in specifications:
                values = aspects.get(spec.get('name')) or []
                if not set(values) & set(spec.get('values') or []):
                    return ebay_error(25013, f"Variant {sku} has no aspect "
                                      f"{spec.get('name')} of the variesBy values")
        for aspect in (group.get('variesBy') or {}).get('aspectsImageVariesBy') or []:
            if aspect not in names:
                return ebay_error(25013, f'aspectsImageVariesBy {aspect} is not one of the '
                                  'specifications')
        return None

    @route('PUT', INV + '/inventory_item_group/<key>')
    def create_or_replace_inventory_item_group(self, request, key):
        group = self.request_json(request)
        if not isinstance(group, dict):
            return self.errors(400, ebay_error(25013, 'Invalid InventoryItemGroup information'))
        problem = self._group_problem(key, group)
        if problem:
            return self.errors(400, problem)
        created = key not in self.item_groups
        self.item_groups[key] = dict(group, inventoryItemGroupKey=key)
        if created:  # the spec gives 201 a BaseResponse body; a replace is 204
            return self.json({'warnings': []}, status=201)
        return Response(status=204)

    @route('GET', INV + '/inventory_item_group/<key>')
    def get_inventory_item_group(self, request, key):
        if key not in self.item_groups:
            return self.errors(404, ebay_error(25710, f"We didn't find the entity you are "
                                               f"requesting: {key}"))
        return self.json(self.item_groups[key])

    def _group_offers(self, body):
        key, marketplace = body.get('inventoryItemGroupKey'), body.get('marketplaceId')
        if not key or not marketplace:
            return None, ebay_error(25002, 'inventoryItemGroupKey and marketplaceId are required')
        group = self.item_groups.get(key)
        if group is None:
            return None, ebay_error(25013, f'No inventory item group {key}')
        offers = [self._offer_of_sku(sku, marketplace) for sku in group['variantSKUs']]
        if not all(offers):
            return None, ebay_error(25013, 'Every variant SKU needs an offer on ' + marketplace)
        return offers, None

    @route('POST', INV + '/offer/publish_by_inventory_item_group/')
    def publish_offer_by_inventory_item_group(self, request):
        offers, problem = self._group_offers(self.request_json(request) or {})
        for offer in offers or ():
            problem = problem or self._publish_problem(offer)
        if problem:
            return self.errors(400, problem)
        listing_id = next((offer['listing']['listingId'] for offer in offers
                           if offer.get('listing')), None) or self._next('12000000')
        for offer in offers:
            offer['listing'] = {'listingId': listing_id}
            offer['status'] = 'PUBLISHED'
        return self.json({'listingId': listing_id, 'warnings': []})

    @route('POST', INV + '/offer/withdraw_by_inventory_item_group')
    def withdraw_offer_by_inventory_item_group(self, request):
        offers, problem = self._group_offers(self.request_json(request) or {})
        if problem:
            return self.errors(400, problem)
        if not any(offer['status'] == 'PUBLISHED' for offer in offers):
            return self.errors(400, ebay_error(25725, 'No offer found'))
        for offer in offers:
            offer['status'] = 'UNPUBLISHED'
            offer.pop('listing', None)
        return Response(status=204)

    @route('PUT', INV + '/offer/<offer_id>')
    def update_offer(self, request, offer_id):
        """updateOffer replaces the offer: what the body leaves out is gone."""
        offer = self.offers.get(offer_id)
        if offer is None:
            return self.errors(404, ebay_error(25713, 'This Offer is not available.'))
        body = self.request_json(request)
        if not isinstance(body, dict) or body.get('availableQuantity') is None:
            return self.errors(400, ebay_error(25004, 'Invalid quantity. availableQuantity '
                                               'must be sent again'))
        kept = {key: offer[key] for key in ('offerId', 'sku', 'marketplaceId', 'format',
                                            'status', 'listing') if key in offer}
        offer.clear()
        offer.update(body, **kept)
        self.offer_updates.append(offer_id)
        if offer['status'] == 'PUBLISHED':
            problem = self._publish_problem(offer)
            if problem:
                return self.errors(400, problem)
        return Response(status=204)

    @route('GET', INV + '/location')
    def get_locations(self, request):
        locations = list(self.locations.values())
        return self.json({'href': request.url, 'limit': 100, 'offset': 0, 'total': len(locations),
                          'locations': locations})

    @route('POST', INV + '/location/<key>')
    def create_location(self, request, key):
        if key in self.locations:
            return self.errors(409, ebay_error(25803, 'Location already exists'))
        self.locations[key] = dict(self.request_json(request) or {}, merchantLocationKey=key,
                                   merchantLocationStatus='ENABLED')
        return Response(status=204)

    # ----------------------------------------------------------------- Fulfillment

    @route('GET', FUL + '/order')
    def get_orders(self, request):
        args = request.args
        if args.get('orderIds'):
            ids = args['orderIds'].split(',')
            if len(ids) > 50:
                return self.errors(400, ebay_error(30700, 'At most 50 orderIds', 'API_FULFILLMENT'))
            orders = [self.orders[key] for key in ids if key in self.orders]
            return self.json({'href': request.url, 'total': len(orders), 'limit': 50,
                              'offset': 0, 'orders': orders})
        try:
            orders = self._filtered_orders(args.get('filter') or '')
            limit = int(args.get('limit', 50))
            offset = int(args.get('offset', 0))
        except ValueError as error:
            return self.errors(400, ebay_error(30800, f'Invalid filter or paging: {error}',
                                               'API_FULFILLMENT'))
        if not 1 <= limit <= self.options['max_orders_limit'] or offset < 0:
            return self.errors(400, ebay_error(
                30810, f"limit must be 1..{self.options['max_orders_limit']}", 'API_FULFILLMENT'))
        page = orders[offset:offset + limit]
        answer = {'href': request.url, 'total': len(orders), 'limit': limit, 'offset': offset,
                  'orders': page}
        if offset + limit < len(orders):
            answer['next'] = self._page_url(request, limit, offset + limit)
        if offset:
            answer['prev'] = self._page_url(request, limit, max(offset - limit, 0))
        return self.json(answer)

    @staticmethod
    def _page_url(request, limit, offset):
        query = dict(request.args.items(), limit=str(limit), offset=str(offset))
        return request.base_url + '?' + urllib.parse.urlencode(query)

    def _filtered_orders(self, text):
        """getOrders' filter: creationdate wins over lastmodifieddate; the window is
        inclusive; orderfulfillmentstatus takes {A|B}. Oldest modification first."""
        criteria = {}
        for part in filter(None, (p.strip() for p in text.split(','))):
            name, _, value = part.partition(':')
            criteria[name] = value
        orders = list(self.orders.values())
        field = 'creationDate' if 'creationdate' in criteria else 'lastModifiedDate'
        window = criteria.get('creationdate') or criteria.get('lastmodifieddate')
        if window:
            if not (window.startswith('[') and window.endswith(']') and '..' in window):
                raise ValueError(f'bad date range {window}')
            start, _, end = window[1:-1].partition('..')
            low, high = parse_iso(start), parse_iso(end) if end else None
            if not start.endswith('Z') or (end and not end.endswith('Z')):
                raise ValueError('timestamps must be UTC (Z)')
            orders = [o for o in orders if low <= parse_iso(o[field])
                      and (high is None or parse_iso(o[field]) <= high)]
        statuses = criteria.get('orderfulfillmentstatus')
        if statuses:
            wanted = set(statuses.strip('{}').split('|'))
            orders = [o for o in orders if o.get('orderFulfillmentStatus') in wanted]
        return sorted(orders, key=lambda o: (o['lastModifiedDate'], o['orderId']))

    @route('GET', FUL + '/order/<order_id>')
    def get_order(self, request, order_id):
        if order_id not in self.orders:
            return self.errors(404, ebay_error(32100, 'Invalid order ID', 'API_FULFILLMENT'))
        return self.json(self.orders[order_id])

    def _fulfillment(self, order, body):
        return {'fulfillmentId': body['trackingNumber'] if body.get('trackingNumber')
                else self._next('FUL'),
                'shipmentTrackingNumber': body.get('trackingNumber'),
                'shippingCarrierCode': body.get('shippingCarrierCode'),
                'shippedDate': body.get('shippedDate') or iso(datetime.now(UTC)),
                'lineItems': [{'lineItemId': line['lineItemId']}
                              for line in body.get('lineItems') or []]}

    @route('POST', FUL + '/order/<order_id>/shipping_fulfillment')
    def create_shipping_fulfillment(self, request, order_id):
        order = self.orders.get(order_id)
        if order is None:
            return self.errors(404, ebay_error(32100, 'Invalid order ID', 'API_FULFILLMENT'))
        body = self.request_json(request) or {}
        known = {line['lineItemId'] for line in order['lineItems']}
        if not body.get('lineItems') or any(line.get('lineItemId') not in known
                                            for line in body['lineItems']):
            return self.errors(400, ebay_error(32210, 'Invalid lineItemId', 'API_FULFILLMENT'))
        if body.get('trackingNumber') and body.get('shippingCarrierCode') not in CARRIERS:
            return self.errors(400, ebay_error(32400, 'Invalid shippingCarrierCode',
                                               'API_FULFILLMENT'))
        fulfillment = self._fulfillment(order, body)
        self.fulfillments.setdefault(order_id, []).append(fulfillment)
        shipped = {line['lineItemId'] for f in self.fulfillments[order_id]
                   for line in f['lineItems']}
        order['orderFulfillmentStatus'] = 'FULFILLED' if shipped >= known else 'IN_PROGRESS'
        order['lastModifiedDate'] = iso(datetime.now(UTC))
        location = (f'{request.host_url.rstrip("/")}{FUL}/order/{order_id}/shipping_fulfillment/'
                    f'{fulfillment["fulfillmentId"]}')
        # the doc names the Location header; the OAS gives the 201 an (empty) JSON object
        return self.json({}, status=201, headers={'Location': location})

    @route('GET', FUL + '/order/<order_id>/shipping_fulfillment')
    def get_shipping_fulfillments(self, request, order_id):
        if order_id not in self.orders:
            return self.errors(404, ebay_error(32100, 'Invalid order ID', 'API_FULFILLMENT'))
        fulfillments = self.fulfillments.get(order_id, [])
        return self.json({'fulfillments': fulfillments, 'total': len(fulfillments)})

    # ----------------------------------------------------------------- Analytics, keys

    @route('GET', '/developer/analytics/v1_beta/user_rate_limit/')
    def get_user_rate_limits(self, request):
        used = len(self.trading_calls)
        limit = self.options['trading_daily_limit']
        return self.json({'rateLimits': [{
            'apiContext': 'TradingAPI', 'apiName': 'TradingAPI', 'apiVersion': 'v1',
            'resources': [{'name': 'TradingAPI', 'rates': [{
                'count': used, 'limit': limit, 'remaining': max(limit - used, 0),
                'reset': iso(datetime.now(UTC) + timedelta(hours=8)),
                'timeWindow': 86400}]}]}]})

    @route('GET', '/commerce/notification/v1/public_key/<kid>')
    def get_public_key(self, request, kid):
        from cryptography.hazmat.primitives import serialization
        if kid != self.key_id:
            return self.errors(404, ebay_error(195001, 'Public key not found',
                                               'API_NOTIFICATION'))
        pem = self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        return self.json({'algorithm': 'ECDSA', 'digest': self.options['signature_digest'],
                          'key': pem.replace('\n', '')})  # eBay sends the PEM on one line

    # ----------------------------------------------------------------- Trading (XML)

    @route('POST', '/ws/api.dll')
    def trading(self, request):
        call = request.headers.get('X-EBAY-API-CALL-NAME', '')
        if not request.headers.get('X-EBAY-API-COMPATIBILITY-LEVEL') \
                or request.headers.get('X-EBAY-API-SITEID') is None:
            return self._ack(call, [('10012', 'Invalid or missing header')])
        expiry, kind = self.access_tokens.get(request.headers.get('X-EBAY-API-IAF-TOKEN'), (0, 0))
        if expiry <= self._clock() or kind != 'user':
            return self._ack(call, [('21917053', 'The token is invalid or expired.')])
        if len(self.trading_calls) >= self.options['trading_daily_limit']:
            return self._ack(call, [('518', 'Your application has exceeded usage limit on '
                                            'this call.')])
        try:
            root = etree.fromstring(request.get_data(),
                                    etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return self._ack(call, [('5', 'XML Parse error.')])
        if root.tag != f'{{{NS}}}{call}Request':
            return self._ack(call, [('2', f'Unsupported verb or root element for {call}')])
        handler = {'ReviseInventoryStatus': self._revise_inventory_status,
                   'ReviseFixedPriceItem': self._revise_fixed_price_item,
                   'GetMemberMessages': self._get_member_messages,
                   'AddMemberMessageRTQ': self._add_member_message_rtq}.get(call)
        if handler is None:
            return self._ack(call, [('2', f'Unsupported API call {call}')])
        self.trading_calls.append(call)
        return handler(call, root)

    def _ack(self, call, errors=(), body=None, ack=None):
        response = etree.Element(f'{{{NS}}}{call}Response', nsmap={None: NS})
        etree.SubElement(response, f'{{{NS}}}Timestamp').text = iso(datetime.now(UTC))
        etree.SubElement(response, f'{{{NS}}}Ack').text = ack or ('Failure' if errors
                                                                  else 'Success')
        for code, message in errors:
            node = etree.SubElement(response, f'{{{NS}}}Errors')
            for tag, text in (('ShortMessage', message), ('LongMessage', message),
                              ('ErrorCode', code), ('SeverityCode', 'Error'),
                              ('ErrorClassification', 'RequestError')):
                etree.SubElement(node, f'{{{NS}}}{tag}').text = text
        for node in body or ():
            response.append(node)
        return Response(etree.tostring(response, xml_declaration=True, encoding='utf-8'),
                        content_type='text/xml')

    @staticmethod
    def _text(node, path):
        return node.findtext('/'.join(f'{{{NS}}}{part}' for part in path.split('/')))

    def _inventory_listing(self, item_id):
        return any((offer.get('listing') or {}).get('listingId') == item_id
                   for offer in self.offers.values())

    def _revise_inventory_status(self, call, root):
        statuses = root.findall(f'{{{NS}}}InventoryStatus')
        if not statuses or len(statuses) > REVISE_STATUS_MAX:
            return self._ack(call, [('21919170', 'One to four InventoryStatus containers.')])
        answers = []
        for status in statuses:
            item_id = self._text(status, 'ItemID')
            item = self.trading_items.get(item_id)
            if item is None or self._inventory_listing(item_id):
                return self._ack(call, [('21916750', f'Item {item_id} cannot be revised here')])
            if self._text(status, 'Quantity') is not None:
                item['quantity'] = int(self._text(status, 'Quantity'))
            if self._text(status, 'StartPrice') is not None:
                item['price'] = float(self._text(status, 'StartPrice'))
            item['revisions'] += 1
            node = etree.Element(f'{{{NS}}}InventoryStatus')
            etree.SubElement(node, f'{{{NS}}}ItemID').text = item_id
            etree.SubElement(node, f'{{{NS}}}SKU').text = item['sku']
            etree.SubElement(node, f'{{{NS}}}Quantity').text = str(item['quantity'])
            answers.append(node)
        return self._ack(call, body=answers)

    def _revise_fixed_price_item(self, call, root):
        item_id = self._text(root, 'Item/ItemID')
        if self._inventory_listing(item_id):
            return self._ack(call, [('21919474', 'Inventory-based listing management is not '
                                                 'currently supported by this tool.')])
        item = self.trading_items.get(item_id)
        if item is None:
            return self._ack(call, [('17', f'Item {item_id} does not exist')])
        for tag, key, kind in (('Title', 'title', str), ('Quantity', 'quantity', int),
                               ('StartPrice', 'price', float)):
            value = self._text(root, f'Item/{tag}')
            if value is not None:
                item[key] = kind(value)
        item['revisions'] += 1
        node = etree.Element(f'{{{NS}}}ItemID')
        node.text = item_id
        return self._ack(call, body=[node])

    def _get_member_messages(self, call, root):
        container = etree.Element(f'{{{NS}}}MemberMessage')
        for message in self.messages:
            exchange = etree.SubElement(container, f'{{{NS}}}MemberMessageExchange')
            item = etree.SubElement(exchange, f'{{{NS}}}Item')
            etree.SubElement(item, f'{{{NS}}}ItemID').text = message['ItemID']
            question = etree.SubElement(exchange, f'{{{NS}}}Question')
            for tag in ('MessageID', 'SenderID', 'Body'):
                etree.SubElement(question, f'{{{NS}}}{tag}').text = message[tag]
            etree.SubElement(exchange, f'{{{NS}}}CreationDate').text = message['CreationDate']
            etree.SubElement(exchange, f'{{{NS}}}MessageStatus').text = 'Unanswered'
        return self._ack(call, body=[container])

    def _add_member_message_rtq(self, call, root):
        parent = self._text(root, 'MemberMessage/ParentMessageID')
        if not any(message['MessageID'] == parent for message in self.messages):
            return self._ack(call, [('20137', f'Invalid ParentMessageID {parent}')])
        self.replies.append({'ParentMessageID': parent,
                             'RecipientID': self._text(root, 'MemberMessage/RecipientID'),
                             'ItemID': self._text(root, 'ItemID'),
                             'Body': self._text(root, 'MemberMessage/Body')})
        return self._ack(call)

    # ----------------------------------------------------------------- dispatch

    def dispatch(self, request):
        if request.method == 'GET' and request.path == FUL + '/order' \
                and 'filter' in request.args:
            with self.lock:
                page = int(request.args.get('offset', 0)) // max(
                    int(request.args.get('limit', 50)), 1) + 1
                faults = self.page_faults.get(page)
                status = faults.pop(0) if faults else None
            if status:
                self._record(request)
                return self.error(status, f'page fault injected ({status})')
        response = super().dispatch(request)
        with self.lock:
            if self.requests and request.path.startswith('/sell/') \
                    and response.status_code not in (429, 500, 502, 503, 504):
                self.exchanges.append((self.requests[-1], response.status_code,
                                       response.get_data(), response.mimetype))
        return response

    # ----------------------------------------------------------------- notifications

    def sign(self, raw_body, kid=None):
        """X-EBAY-SIGNATURE for ``raw_body`` with the test key."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        digest = {'SHA1': hashes.SHA1, 'SHA256': hashes.SHA256}[self.options['signature_digest']]
        signature = self.signing_key.sign(raw_body, ec.ECDSA(digest()))
        header = {'alg': 'ECDSA', 'kid': kid or self.key_id,
                  'signature': base64.b64encode(signature).decode(), 'digest': 'SHA1'}
        return base64.b64encode(json.dumps(header).encode()).decode()

    @staticmethod
    def deletion_notification(username, user_id='userId-1', eias_token='eias-1',
                              notification_id=None):
        now = iso(datetime.now(UTC))
        return {'metadata': {'topic': 'MARKETPLACE_ACCOUNT_DELETION', 'schemaVersion': '1.0',
                             'deprecated': False},
                'notification': {'notificationId': notification_id or secrets.token_hex(16),
                                 'eventDate': now, 'publishDate': now, 'publishAttemptCount': 1,
                                 'data': {'username': username, 'userId': user_id,
                                          'eiasToken': eias_token}}}

    def send_account_deletion(self, endpoint, username, verification_token=None,
                              notification=None, forge=False):
        """What eBay does: the challenge (checked when ``verification_token`` is given),
        then the signed POST. Returns (challenge ok or None, POST status)."""
        import requests
        challenge_ok = None
        if verification_token:
            code = secrets.token_hex(16)
            answer = requests.get(endpoint, params={'challenge_code': code}, timeout=10)
            expected = hashlib.sha256((code + verification_token + endpoint).encode()).hexdigest()
            challenge_ok = answer.status_code == 200 and \
                answer.json().get('challengeResponse') == expected
        body = json.dumps(notification or self.deletion_notification(username)).encode()
        signature = self.sign(body + b' ' if forge else body)
        status = requests.post(endpoint, data=body, timeout=10, headers={
            'Content-Type': 'application/json', 'X-EBAY-SIGNATURE': signature}).status_code
        return challenge_ok, status


def sample_order(sku, username='buyer1', quantity=1, price=19.99, country_field='countryCode',
                 **extra):
    """An order as getOrders returns it (OAS ``Order``)."""
    now = iso(datetime.now(UTC))
    line_total = f'{price * quantity:.2f}'
    return {
        'creationDate': now, 'lastModifiedDate': now, 'orderFulfillmentStatus': 'NOT_STARTED',
        'orderPaymentStatus': 'PAID', 'sellerId': 'odoo_seller',
        'buyer': {'username': username},
        'pricingSummary': {'priceSubtotal': {'value': line_total, 'currency': 'USD'},
                           'deliveryCost': {'value': '5.00', 'currency': 'USD'},
                           'total': {'value': f'{price * quantity + 5:.2f}', 'currency': 'USD'}},
        'totalMarketplaceFee': {'value': f'{price * quantity * 0.13:.2f}', 'currency': 'USD'},
        'cancelStatus': {'cancelState': 'NONE_REQUESTED', 'cancelRequests': []},
        'fulfillmentStartInstructions': [{
            'fulfillmentInstructionsType': 'SHIP_TO', 'ebaySupportedFulfillment': False,
            'shippingStep': {'shippingCarrierCode': 'USPS', 'shippingServiceCode': 'USPSPriority',
                             'shipTo': {'fullName': f'{username.title()} Buyer',
                                        'primaryPhone': {'phoneNumber': '+1 512 555 0123'},
                                        'email': f'{username}@members.ebay.example',
                                        'contactAddress': {
                                            'addressLine1': '12 Auction Way', 'city': 'San Jose',
                                            'stateOrProvince': 'CA', 'postalCode': '95125',
                                            country_field: 'US'}}}}],
        'lineItems': [{'lineItemId': secrets.token_hex(6), 'legacyItemId': '110000000001',
                       'sku': sku, 'title': sku, 'quantity': quantity,
                       'lineItemCost': {'value': line_total, 'currency': 'USD'},
                       'total': {'value': line_total, 'currency': 'USD'},
                       'lineItemFulfillmentStatus': 'NOT_STARTED'}],
        **extra,
    }


def seed_ebay(simulator):
    """Sandbox demo data: a Trading-only listing, three orders (two from the same buyer,
    one already shipped), a buyer question. SKUs of the demo products."""
    simulator.add_trading_item('110000000777', 'DEMO-PHONE-CASE', quantity=5, price=29.99,
                               title='Rugged phone case')
    orders = [simulator.add_order(sample_order('DEMO-PHONE-CASE', 'demo_buyer', quantity=2)),
              simulator.add_order(sample_order('DEMO-CHARGER-30W', 'demo_buyer', price=39.99)),
              simulator.add_order(sample_order('DEMO-SCREEN-GUARD', 'other_buyer', price=19.99))]
    simulator.ship(orders[2]['orderId'], tracking='9400111899223100000001')
    simulator.add_message('demo_buyer', '110000000777', 'Does it fit the 2024 model?')
    return orders
