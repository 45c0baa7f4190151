"""Every GraphQL document the connector sends, parsed once with gql (a syntax error fails
at import; tests/test_schema.py validates each against ShipHero's public schema)."""

from gql import gql as _gql


def gql(text):
    """The parsed DocumentNode of ``text`` (gql 4 wraps it in a GraphQLRequest)."""
    parsed = _gql(text)
    return getattr(parsed, "document", parsed)

ORDER_FIELDS = """
fragment OrderFields on Order {
  id legacy_id order_number partner_order_id shop_name fulfillment_status order_date
  email total_price currency required_ship_date
  shipping_address { first_name last_name company address1 address2 city state
                     state_code zip country country_code email phone }
  allocations { warehouse_id allocated_at allocation_reference }
  line_items(first: $lines) {
    pageInfo { hasNextPage }
    edges { node { id sku partner_line_item_id quantity price product_name
                   quantity_shipped quantity_allocated fulfillment_status } }
  }
}
"""

SHIPMENT_FIELDS = """
fragment ShipmentFields on Shipment {
  id legacy_id order_id warehouse_id created_date
  shipping_labels { id tracking_number carrier shipping_name shipping_method }
  line_items(first: $lines) {
    edges { node { id line_item_id quantity line_item { sku } } }
  }
}
"""

USER_QUOTA = gql("""
query UserQuota { user_quota { credits_remaining max_available increment_rate } }
""")

ORDERS_PAGE = gql("""
query OrdersPage($updated_from: ISODateTime, $fulfillment_status: String,
                 $customer_account_id: String, $first: Int, $after: String, $lines: Int) {
  orders(updated_from: $updated_from, fulfillment_status: $fulfillment_status,
         customer_account_id: $customer_account_id) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ...OrderFields } }
    }
  }
}
""" + ORDER_FIELDS)

OPEN_ORDERS_PAGE = gql("""
query OpenOrdersPage($customer_account_id: String, $first: Int, $after: String, $lines: Int) {
  orders(fulfillment_status: "unfulfilled", customer_account_id: $customer_account_id) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ...OrderFields shipments { ...ShipmentFields } } }
    }
  }
}
""" + ORDER_FIELDS + SHIPMENT_FIELDS)

ORDER = gql("""
query Order($id: String!, $lines: Int) {
  order(id: $id) {
    request_id complexity
    data { ...OrderFields shipments { ...ShipmentFields } }
  }
}
""" + ORDER_FIELDS + SHIPMENT_FIELDS)

SHIPMENTS_PAGE = gql("""
query ShipmentsPage($date_from: ISODateTime, $first: Int, $after: String, $lines: Int) {
  shipments(date_from: $date_from) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ...ShipmentFields } }
    }
  }
}
""" + SHIPMENT_FIELDS)

ORDER_HISTORY = gql("""
query OrderHistory($order_id: String, $first: Int) {
  order_history(order_id: $order_id) {
    request_id complexity
    data(first: $first) {
      edges { node { id order_id username information created_at } }
    }
  }
}
""")

def order_history_batch(count):
    """``order_history`` of ``count`` orders in one request (aliases ``h0``..), each with
    ``$first`` entries: one call per page of orders instead of one per order."""
    variables = ", ".join(f"$o{i}: String" for i in range(count))
    fields = "\n".join(
        f"  h{i}: order_history(order_id: $o{i}) {{ request_id complexity "
        f"data(first: $first) {{ edges {{ node {{ id order_id username information "
        f"created_at }} }} }} }}" for i in range(count))
    return gql(f"query OrderHistoryBatch($first: Int, {variables}) {{\n{fields}\n}}")


ORDER_HISTORY_BATCH_SAMPLE = order_history_batch(3)

PRODUCTS_PAGE = gql("""
query ProductsPage($updated_from: ISODateTime, $customer_account_id: String, $first: Int,
                   $after: String) {
  products(updated_from: $updated_from, customer_account_id: $customer_account_id) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id sku name barcode updated_at
                     warehouse_products { warehouse_id warehouse_identifier on_hand
                                          available allocated } } }
    }
  }
}
""")

PURCHASE_ORDER_CREATE = gql("""
mutation PurchaseOrderCreate($data: CreatePurchaseOrderInput!) {
  purchase_order_create(data: $data) {
    request_id complexity
    purchase_order { id legacy_id po_number fulfillment_status }
  }
}
""")

PURCHASE_ORDER_UPDATE = gql("""
mutation PurchaseOrderUpdate($data: UpdatePurchaseOrderInput!) {
  purchase_order_update(data: $data) {
    request_id complexity
    purchase_order { id legacy_id po_number fulfillment_status }
  }
}
""")

WEBHOOK_CREATE = gql("""
mutation WebhookCreate($data: CreateWebhookInput!) {
  webhook_create(data: $data) {
    request_id complexity
    webhook { id legacy_id name url shop_name shared_signature_secret }
  }
}
""")

WEBHOOK_DELETE = gql("""
mutation WebhookDelete($data: DeleteWebhookInput!) {
  webhook_delete(data: $data) { request_id complexity }
}
""")

WEBHOOKS = gql("""
query Webhooks($customer_account_id: String) {
  webhooks(customer_account_id: $customer_account_id) {
    request_id complexity
    data(first: 50) { edges { node { id name url shop_name } } }
  }
}
""")

ALL = {name: value for name, value in dict(globals()).items()
       if name.isupper() and not name.endswith("_FIELDS")}
