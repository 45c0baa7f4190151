"""Sandbox control page: one plain HTML page listing each simulator's orders and shipments,
with forms that act as the platform's users would (ship, void a label, cancel), make the next
calls fail (429, 500, slow, malformed) and deliver the last webhook again.

    python -m tests.simulators --seed     # serves it on http://127.0.0.1:8079/

GET / shows the page; every button posts a form to POST /action (fields: simulator, action
and the action's own), which answers 303 back to the page with the outcome in ?message=.
"""
import html
from urllib.parse import urlencode

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from .base import FAULT_KINDS, Simulator, route
from .iqmetrix import STATUS_NAMES

CONSOLE_FAULTS = ('rate_limit', 'server_error', 'slow', 'malformed')
FAULT_LABELS = {'rate_limit': '429 Too Many Requests', 'server_error': '500 Server Error',
                'slow': 'Slow (5 s)', 'malformed': 'Malformed JSON'}
SLOW_FAULT_SECONDS = 5.0
IQR_CANCELLED_STATUS = 'Cancelled'  # one of the IQR account's default cancel statuses

PAGE_STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top;font-size:90%}th{background:#eee}form{display:inline;margin:0 .3em 0 0}
.message{background:#ffd;border:1px solid #cc9;padding:.5em}section{margin-bottom:2em}
input[type=text]{width:9em}"""


class ActionError(Exception):
    """A form asked for something the simulator cannot do; shown on the page."""


class SandboxConsole(Simulator):
    """The control page of running simulators ({name: simulator}); served like one."""

    name = 'console'

    def __init__(self, simulators):
        self.simulators = simulators
        super().__init__()

    # ----------------------------------------------------------------- HTTP

    @route('GET', '/')
    def page(self, request):
        body = [f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sandbox</title>'
                f'<style>{PAGE_STYLE}</style></head><body><h1>Channel Connectors sandbox</h1>']
        if request.args.get('message'):
            body.append(f'<p class="message">{html.escape(request.args["message"])}</p>')
        for name, simulator in self.simulators.items():
            body.append(self._section(name, simulator))
        body.append('</body></html>')
        return self.html(''.join(body))

    @route('POST', '/action')
    def action(self, request):
        form = request.form
        simulator = self.simulators.get(form.get('simulator', ''))
        handler = getattr(self, f"_do_{form.get('action', '')}", None)
        if simulator is None or handler is None:
            message = f"Unknown simulator or action: {form.get('simulator')} {form.get('action')}"
        else:
            try:
                message = handler(simulator, form)
            except (ActionError, KeyError, ValueError, StopIteration) as error:
                message = f'Refused: {error}'
        return redirect('/?' + urlencode({'message': message}), code=303)

    def html(self, text):
        return Response(text, content_type='text/html; charset=utf-8')

    # ----------------------------------------------------------------- actions, every simulator

    def _do_fault(self, simulator, form):
        kind = form['kind']
        if kind not in FAULT_KINDS:
            raise ActionError(f'unknown fault {kind!r}')
        count = int(form.get('count') or 1)
        params = {'seconds': SLOW_FAULT_SECONDS} if kind == 'slow' else {}
        simulator.inject(kind, count, **params)
        return f'{simulator.name}: the next {count} call(s) answer {FAULT_LABELS.get(kind, kind)}.'

    def _do_clear_faults(self, simulator, form):
        with simulator.lock:
            simulator.pending_faults.clear()
        return f'{simulator.name}: no pending faults.'

    # ----------------------------------------------------------------- ShipStation

    def _do_ship(self, simulator, form):
        """Ship a ShipStation order (all of it, or the 'SKU:qty, ...' given) and tell the
        subscribers, as ShipStation's SHIP_NOTIFY does."""
        items = parse_items(form.get('items', ''))
        shipments = simulator.ship_order(
            form['order_key'], tracking_number=form.get('tracking') or None, items=items)
        answers = simulator.deliver_ship_notify([s['shipmentId'] for s in shipments])
        tracking = ', '.join(s['trackingNumber'] for s in shipments)
        return f'shipstation: shipped with tracking {tracking}; webhook answers {answers}.'

    def _do_void(self, simulator, form):
        shipment = simulator.void_shipment(int(form['shipment_id']))
        return f"shipstation: label {shipment['trackingNumber']} voided."

    def _do_cancel(self, simulator, form):
        with simulator.lock:
            order = simulator.orders[form['order_key']]
            order['orderStatus'] = 'cancelled'
        return f"shipstation: order {order['orderNumber']} cancelled."

    def _do_redeliver(self, simulator, form):
        answers = simulator.redeliver_last_ship_notify()
        if not answers:
            return 'shipstation: no webhook delivered yet (or no subscriber).'
        return f'shipstation: last SHIP_NOTIFY delivered again; answers {answers}.'

    # ----------------------------------------------------------------- IQ Reseller

    def _do_iqr_ship(self, simulator, form):
        """Ship the given lines ('1, 2'; empty: every unshipped line) as IQR users do."""
        soid = int(form['soid'])
        with simulator.lock:
            unshipped = [d['line'] for d in simulator.sos[soid]['SODetails'] if not d['shipdate']]
        lines = [int(part) for part in form.get('lines', '').replace(',', ' ').split()] \
            or unshipped
        for line in lines:
            if line not in unshipped:
                raise ActionError(f'SO {soid} has no unshipped line {line}')
            so = simulator.ship_line(soid, line)
        return f"iqreseller: SO {so['so']} lines {lines} shipped; status {so['status']}."

    def _do_iqr_cancel(self, simulator, form):
        so = simulator.update_so(int(form['soid']), status=IQR_CANCELLED_STATUS)
        return f"iqreseller: SO {so['so']} is {IQR_CANCELLED_STATUS}."

    # ----------------------------------------------------------------- iQmetrix

    def _do_iqm_redeliver(self, simulator, form):
        simulator.duplicate_entry(form['order_id'])
        return f"iqmetrix: order {form['order_id']} delivered again in the feed."

    # ----------------------------------------------------------------- Shopify, eBay, ShipHero

    def _do_shopify_fulfil(self, simulator, form):
        order = simulator.fulfil_order(form['order_gid'], tracking=form.get('tracking') or '1Z999')
        return f"shopify: order {order['name']} fulfilled on Shopify."

    def _do_shopify_cancel(self, simulator, form):
        order = simulator.cancel_order(form['order_gid'])
        return f"shopify: order {order['name']} cancelled on Shopify."

    def _do_ebay_ship(self, simulator, form):
        order = simulator.ship(form['order_id'],
                               tracking=form.get('tracking') or '9400100000000000000001')
        return f"ebay: order {order['orderId']} shipped on eBay."

    def _do_ebay_cancel(self, simulator, form):
        order = simulator.cancel(form['order_id'])
        return f"ebay: order {order['orderId']} cancelled on eBay."

    def _do_shiphero_ship(self, simulator, form):
        simulator.ship(form['order_id'], tracking=form.get('tracking') or None)
        return f"shiphero: order {form['order_id']} shipped (Shipment Update webhook sent)."

    def _do_shiphero_cancel(self, simulator, form):
        simulator.cancel(form['order_id'])
        return f"shiphero: order {form['order_id']} cancelled (Order Canceled webhook sent)."

    # ----------------------------------------------------------------- page sections

    def _section(self, name, simulator):
        render = getattr(self, f'_{name}_tables', None)
        with simulator.lock:
            faults = ', '.join(f'{fault.kind} x{fault.remaining}'
                               for fault in simulator.pending_faults) or 'none'
            tables = render(simulator) if render else ''
            calls = len(simulator.requests)
        return (f'<section id="{name}"><h2>{name} <small>{html.escape(simulator.url or "")}'
                f'</small></h2><p>{calls} calls so far. Pending faults: {faults}. '
                f'{self._fault_form(name)}'
                f'{self._form(name, "clear_faults", "Clear faults")}</p>{tables}</section>')

    def _fault_form(self, name):
        options = ''.join(f'<option value="{kind}">{FAULT_LABELS[kind]}</option>'
                          for kind in CONSOLE_FAULTS)
        return self._form(name, 'fault', 'Inject fault',
                          f'<select name="kind">{options}</select> for the next '
                          '<input type="number" name="count" value="1" min="1" '
                          'style="width:4em"> calls')

    @staticmethod
    def _form(simulator_name, action, label, fields='', **hidden):
        hidden_inputs = ''.join(f'<input type="hidden" name="{key}" value="'
                                f'{html.escape(str(value))}">' for key, value in hidden.items())
        return (f'<form method="post" action="/action">'
                f'<input type="hidden" name="simulator" value="{simulator_name}">'
                f'<input type="hidden" name="action" value="{action}">{hidden_inputs}{fields}'
                f'<button type="submit">{label}</button></form>')

    def _shipstation_tables(self, simulator):
        rows = [[order['orderNumber'], order['orderStatus'], simulator.store_of(order),
                 item_summary(order['items'], 'sku', 'quantity'),
                 self._shipstation_order_forms(order)]
                for order in sorted(simulator.orders.values(), key=lambda o: o['orderId'])]
        shipment_rows = [[shipment['shipmentId'], shipment['orderNumber'],
                          shipment['trackingNumber'],
                          item_summary(shipment['shipmentItems'], 'sku', 'quantity'),
                          'voided' if shipment['voided'] else
                          self._form('shipstation', 'void', 'Void label',
                                     shipment_id=shipment['shipmentId'])]
                         for shipment in simulator.shipments.values()]
        return (
            '<h3>Orders</h3>' + table(('Order', 'Status', 'Store', 'Items', ''), rows)
            + '<h3>Shipments</h3>' + table(('Id', 'Order', 'Tracking', 'Items', ''),
                                           shipment_rows)
            + f'<p>{len(simulator.webhooks)} SHIP_NOTIFY/V1 and {len(simulator.v2_webhooks)} '
            'V2 webhooks subscribed. '
            + self._form('shipstation', 'redeliver', 'Re-deliver last webhook') + '</p>')

    def _shipstation_order_forms(self, order):
        if order['orderStatus'] in ('shipped', 'cancelled'):
            return ''
        key = order['orderKey']
        return (self._form('shipstation', 'ship', 'Ship',
                           '<input type="text" name="tracking" placeholder="tracking number">'
                           '<input type="text" name="items" placeholder="SKU:qty (partial)">',
                           order_key=key)
                + self._form('shipstation', 'cancel', 'Cancel', order_key=key))

    def _iqreseller_tables(self, simulator):
        rows = []
        for so in sorted(simulator.sos.values(), key=lambda s: s['soid']):
            lines = '<br>'.join(
                f"{d['line']}: {html.escape(d['item'])} x {d['quantity']}"
                + (f" shipped {d['shipdate']}" if d['shipdate'] else '')
                for d in so['SODetails'])
            tracking = ' / '.join(str(so[f'userdefined{n}']) for n in range(1, 5)
                                  if so[f'userdefined{n}'])
            rows.append([so['soid'], so['so'], so['status'], so['saledate'],
                         html.escape(so.get('userdefined5') or ''), lines,
                         html.escape(tracking), self._iqr_forms(so)])
        return table(('soid', 'SO', 'Status', 'Sale date', 'Channel', 'Lines',
                      'Tracking written by Odoo', ''), rows, escape=False)

    def _iqr_forms(self, so):
        if so['status'] in ('Closed', IQR_CANCELLED_STATUS):
            return ''
        return (self._form('iqreseller', 'iqr_ship', 'Ship lines',
                           '<input type="text" name="lines" placeholder="lines (all)">',
                           soid=so['soid'])
                + self._form('iqreseller', 'iqr_cancel', 'Cancel', soid=so['soid']))

    def _iqmetrix_tables(self, simulator):
        rows = []
        for order_id, order in simulator.orders.items():
            state = simulator.order_states[order_id]
            rows.append([order_id, order['seller']['printable-id'],
                         'store' if order['ship-to-store'] == 'true' else 'home',
                         item_summary(order['items'], 'sku', 'quantity'),
                         STATUS_NAMES[state['status']], state['tracking'] or '',
                         self._form('iqmetrix', 'iqm_redeliver', 'Deliver entry again',
                                    order_id=order_id)])
        return (table(('Order id', 'Printable id', 'Delivery', 'Items',
                       'Status (set by Odoo)', 'Tracking', ''), rows)
                + f'<p>{len(simulator.status_updates)} status updates received.</p>')

    def _dsco_tables(self, simulator):
        rows = []
        for order_id, order in simulator.orders.items():
            lines = order.get('lineItems') or []
            rows.append([order_id, order.get('poNumber'), item_summary(lines, 'sku', 'quantity'),
                         order.get('dscoLifecycle', ''),
                         item_summary(lines, 'sku', 'shippedQuantity'),
                         item_summary(lines, 'sku', 'cancelledQuantity')])
        return (table(('DSCO order id', 'PO number', 'Items', 'Lifecycle (acknowledged by Odoo)',
                       'Shipped', 'Cancelled'), rows)
                + f'<p>{len(simulator.shipments)} shipments, {len(simulator.cancellations)} '
                  f'cancellations, {len(simulator.catalog)} catalog items, '
                  f'{len(simulator.inventory)} inventory items received.</p>')

    def _shopify_tables(self, simulator):
        rows = []
        for order_gid, order in simulator.orders.items():
            status = 'cancelled' if order['cancelledAt'] else order['displayFulfillmentStatus']
            forms = '' if status != 'UNFULFILLED' else (
                self._form('shopify', 'shopify_fulfil', 'Fulfil',
                           '<input type="text" name="tracking" placeholder="tracking number">',
                           order_gid=order_gid)
                + self._form('shopify', 'shopify_cancel', 'Cancel', order_gid=order_gid))
            rows.append([order_gid, order['name'], order['createdAt'],
                         item_summary(order['lineItems'], 'sku', 'quantity'), status,
                         ', '.join(info['number'] for fulfillment in order['fulfillments']
                                   for info in fulfillment['trackingInfo']), forms])
        return table(('Order gid', 'Name', 'Created', 'Items', 'Status', 'Tracking', ''), rows)

    def _ebay_tables(self, simulator):
        rows = []
        for order_id, order in simulator.orders.items():
            cancelled = order['cancelStatus']['cancelState'] == 'CANCELED'
            status = 'CANCELED' if cancelled else order['orderFulfillmentStatus']
            forms = '' if status != 'NOT_STARTED' else (
                self._form('ebay', 'ebay_ship', 'Ship',
                           '<input type="text" name="tracking" placeholder="tracking number">',
                           order_id=order_id)
                + self._form('ebay', 'ebay_cancel', 'Cancel', order_id=order_id))
            tracking = ', '.join(f.get('shipmentTrackingNumber') or ''
                                 for f in simulator.fulfillments.get(order_id, ()))
            rows.append([order_id, order['buyer']['username'],
                         item_summary(order['lineItems'], 'sku', 'quantity'), status,
                         tracking, forms])
        return (table(('Order id', 'Buyer', 'Items', 'Status', 'Tracking', ''), rows)
                + f'<p>{len(simulator.trading_items)} Trading listings, '
                  f'{len(simulator.offers)} offers, {len(simulator.messages)} buyer messages.</p>')

    def _shiphero_tables(self, simulator):
        rows = []
        for order_id, order in simulator.orders.items():
            status = order['fulfillment_status']
            forms = '' if status in ('fulfilled', 'canceled') else (
                self._form('shiphero', 'shiphero_ship', 'Ship',
                           '<input type="text" name="tracking" placeholder="tracking number">',
                           order_id=order_id)
                + self._form('shiphero', 'shiphero_cancel', 'Cancel', order_id=order_id))
            rows.append([order_id, order['order_number'],
                         item_summary(order['line_items'], 'sku', 'quantity'), status,
                         'yes' if order['allocations'] else 'no', forms])
        shipment_rows = [[shipment_id, shipment['order_id'],
                          ', '.join(label['tracking_number']
                                    for label in shipment['shipping_labels']),
                          item_summary([dict(item['line_item'], shipped=item['quantity'])
                                        for item in shipment['line_items']], 'sku', 'shipped')]
                         for shipment_id, shipment in simulator.shipments.items()]
        return ('<h3>Orders</h3>' + table(('Order id', 'Number', 'Items', 'Fulfillment status',
                                           'Allocated', ''), rows)
                + '<h3>Shipments</h3>' + table(('Id', 'Order id', 'Tracking', 'Items'),
                                               shipment_rows)
                + f'<p>{len(simulator.products)} products, {len(simulator.webhooks)} webhooks '
                  'subscribed.</p>')


def parse_items(text):
    """'SKU-1:2, SKU-2:1' -> [('SKU-1', 2), ('SKU-2', 1)]; empty -> None (everything)."""
    items = []
    for part in text.split(','):
        if not part.strip():
            continue
        sku, _colon, quantity = part.strip().rpartition(':')
        if not sku:
            raise ActionError(f'write items as SKU:quantity, not {part.strip()!r}')
        items.append((sku.strip(), int(quantity)))
    return items or None


def item_summary(items, sku_key, quantity_key):
    return ', '.join(f'{item.get(sku_key)} x {item.get(quantity_key)}' for item in items or ())


def table(headers, rows, escape=True):
    """An HTML table; cells are escaped unless ``escape`` is False (cells holding forms,
    the last column, are never escaped)."""
    def cell(value, last):
        text = '' if value is None else str(value)
        return text if last or not escape else html.escape(text)
    head = ''.join(f'<th>{header}</th>' for header in headers)
    body = ''.join('<tr>' + ''.join(f'<td>{cell(value, index == len(row) - 1)}</td>'
                                    for index, value in enumerate(row)) + '</tr>'
                   for row in rows)
    return f'<table><tr>{head}</tr>{body or "<tr><td>(none)</td></tr>"}</table>'
