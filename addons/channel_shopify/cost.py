"""The requested cost of a GraphQL document, computed as Shopify documents it, so a query
is never sent above the single-query maximum and the bucket is asked for its cost first.

https://shopify.dev/docs/api/usage/rate-limits#cost-calculation : scalars and enums cost 0,
objects 1, a connection 2 plus ``first`` (or ``last``) times the cost of one node,
mutations 10. Pure functions over the parsed document (graphql-core AST).
"""

from graphql import FieldNode, OperationDefinitionNode, OperationType, VariableNode

from . import const


def requested_cost(document, variables=None):
    """Points Shopify asks for before running ``document`` (a parsed DocumentNode)."""
    total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation == OperationType.MUTATION:
            total += const.MUTATION_COST * len(definition.selection_set.selections)
        else:
            total += _selection_cost(definition.selection_set, variables or {})
    return total


def _selection_cost(selection_set, variables):
    if selection_set is None:
        return 0
    cost = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            cost += _field_cost(selection, variables)
        else:  # inline fragment
            cost += _selection_cost(selection.selection_set, variables)
    return cost


def _field_cost(field, variables):
    if field.selection_set is None or field.name.value in ("pageInfo", "__typename"):
        return 0
    size = _page_size(field, variables)
    if size is None:
        return 1 + _selection_cost(field.selection_set, variables)
    return 2 + size * _node_cost(field, variables)


def _node_cost(connection, variables):
    """One node of a connection: its ``edges { node }`` or ``nodes`` selection."""
    cost = 0
    for selection in connection.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        if selection.name.value in ("edges", "nodes"):
            inner = selection.selection_set
            if selection.name.value == "edges":
                node = [s for s in inner.selections
                        if isinstance(s, FieldNode) and s.name.value == "node"]
                inner = node[0].selection_set if node else None
            cost += 1 + _selection_cost(inner, variables)
    if not cost:  # a plain list with a size argument: the field's selection is the node
        cost = 1 + _selection_cost(connection.selection_set, variables)
    return cost


def _page_size(field, variables):
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, VariableNode):
                return int(variables.get(value.name.value) or 0)
            return int(value.value)
    return None
