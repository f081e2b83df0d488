"""Query cost as Shopify describes it: scalars and enums 0, objects 1, connections 2 + size × node cost,
interfaces and unions the dearest of their types, every mutation 10.

The requested cost sizes connections by `first`/`last`; the actual cost by the nodes returned.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    value_from_ast,
)
from graphql.execution.values import get_directive_values

MUTATION_COST = 10
CONNECTION_COST = 2
_REQUESTED = object()


def _is_connection(named) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "pageInfo" in named.fields


class QueryCost:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                 variables: dict | None) -> None:
        self.schema = schema
        self.operation = operation
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def requested(self) -> int:
        return self._operation_cost(_REQUESTED)

    def actual(self, data: dict | None) -> int:
        return self._operation_cost(data or {})

    def _operation_cost(self, data) -> int:
        if self.operation.operation.value == "mutation":
            return MUTATION_COST * len(self.root_fields())
        root = self.schema.get_root_type(self.operation.operation)
        return self._selections(self.operation.selection_set, root, data)

    def root_fields(self) -> list[str]:
        names: list[str] = []
        self._collect_names(self.operation.selection_set, names)
        return names

    def _collect_names(self, selection_set: SelectionSetNode, names: list[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    names.append(selection.name.value)
            elif isinstance(selection, FragmentSpreadNode):
                self._collect_names(self.fragments[selection.name.value].selection_set, names)
            else:
                self._collect_names(selection.selection_set, names)

    def _selections(self, selection_set: SelectionSetNode | None, parent, data) -> int:
        if selection_set is None:
            return 0
        common = 0
        by_type: dict[str, int] = {}
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                common += self._field(selection, parent, data)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                condition, inner = selection.type_condition, selection.selection_set
            target = self.schema.get_type(condition.name.value) if condition else parent
            cost = self._selections(inner, target, data)
            if is_abstract_type(parent) and isinstance(target, GraphQLObjectType):
                by_type[target.name] = by_type.get(target.name, 0) + cost
            else:
                common += cost
        if not by_type:
            return common
        typename = data.get("__typename") if isinstance(data, dict) else None
        return common + (by_type.get(typename, 0) if typename else max(by_type.values()))

    def _included(self, node) -> bool:
        """`@skip(if:)` and `@include(if:)`: a field left out costs nothing, as Shopify counts it."""
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (skip and skip["if"]) and not (include and not include["if"])

    def _argument(self, node: FieldNode, definition, name: str):
        for argument in node.arguments:
            if argument.name.value == name:
                return value_from_ast(argument.value, definition.args[name].type, self.variables)
        return None

    def _field(self, node: FieldNode, parent, data) -> int:
        name = node.name.value
        if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
            return 0
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        requested = data is _REQUESTED
        key = node.alias.value if node.alias else name
        value = _REQUESTED if requested else (data.get(key) if isinstance(data, dict) else None)
        if not requested and value is None:
            return 0
        if _is_connection(named):
            return self._connection(node, definition, named, value)
        field_type = definition.type.of_type if is_non_null_type(definition.type) else definition.type
        if is_list_type(field_type):
            return self._list(node, definition, named, value)
        return 1 + self._selections(node.selection_set, named, value)

    def _list(self, node: FieldNode, definition, named, value) -> int:
        """A plain list costs like one object, unless sized by `first` or `ids`: then per item."""
        size = self._argument(node, definition, "first")
        if size is None and "ids" in definition.args:
            size = len(self._argument(node, definition, "ids") or [])
        if value is _REQUESTED:
            return (size if size is not None else 1) * (1 + self._selections(node.selection_set, named, _REQUESTED))
        costs = [1 + self._selections(node.selection_set, named, item) for item in value if item is not None]
        if size is None:
            return max(costs, default=0)
        return sum(costs)

    def _connection(self, node: FieldNode, definition, connection_type, value) -> int:
        node_type = get_named_type(connection_type.fields["nodes"].type)
        item_selections = self._item_selections(node.selection_set)
        if value is _REQUESTED:
            size = self._argument(node, definition, "first") or self._argument(node, definition, "last") or 0
            per_item = max((1 + self._selections(s, node_type, _REQUESTED) for s in item_selections), default=0)
            return CONNECTION_COST + size * per_item
        items = self._returned_items(node.selection_set, value)
        return CONNECTION_COST + sum(
            max((1 + self._selections(s, node_type, item) for s in item_selections), default=0) for item in items
        )

    def _item_selections(self, selection_set: SelectionSetNode) -> list[SelectionSetNode]:
        """The node selections of a connection: `nodes { … }` and `edges { node { … } }`."""
        found = []
        for selection in self._fields_of(selection_set):
            if selection.name.value == "nodes":
                found.append(selection.selection_set)
            elif selection.name.value == "edges":
                found += [inner.selection_set for inner in self._fields_of(selection.selection_set)
                          if inner.name.value == "node"]
        return found

    def _returned_items(self, selection_set: SelectionSetNode, value: dict) -> list[dict]:
        for selection in self._fields_of(selection_set):
            key = selection.alias.value if selection.alias else selection.name.value
            if selection.name.value == "nodes" and value.get(key) is not None:
                return [item for item in value[key] if item is not None]
            if selection.name.value == "edges" and value.get(key) is not None:
                return [edge.get("node") or {} for edge in value[key] if edge is not None]
        return []

    def _fields_of(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        if selection_set is None:
            return []
        fields = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif isinstance(selection, FragmentSpreadNode):
                fields += self._fields_of(self.fragments[selection.name.value].selection_set)
            else:
                fields += self._fields_of(selection.selection_set)
        return fields
