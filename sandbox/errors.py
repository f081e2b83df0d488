"""Errors in Shopify's shapes: top-level GraphQL errors and mutation userErrors."""

from __future__ import annotations

import re

from graphql import GraphQLError, OperationDefinitionNode, print_ast

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
# The bodies of a frozen (402, as Shopify answers it) and a locked shop (423, the sandbox's guess).
UNAVAILABLE_SHOP = {402: "Unavailable Shop", 423: "Locked"}


def user_error(field: list[str] | None, message: str, **extra) -> dict:
    return {"field": field, "message": message, **extra}


def not_implemented(what: str) -> GraphQLError:
    """For anything the schema allows but the sandbox does not model: fail loudly, never a silent null."""
    return GraphQLError(
        f"The sandbox does not implement {what}", extensions={"code": "SANDBOX_NOT_IMPLEMENTED"}
    )


def access_denied(field: str, scope: str) -> GraphQLError:
    required = f"`{scope}` access scope."
    return GraphQLError(
        f"Access denied for {field} field. Required access: {required}",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": required,
        },
    )


def transient_error(code: str, request_id: str) -> dict:
    """Shopify's answer to a call that failed on its side: HTTP 200, this one error, no data."""
    if code == "TIMEOUT":
        message = "Timeout"
    else:
        message = (f"Internal error. Looks like something went wrong on our end.\nRequest ID: {request_id} "
                   "(include this in support requests).")
    return {"message": message, "extensions": {"code": code, "requestId": request_id}}


def throttled() -> dict:
    return {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}


def max_cost_exceeded(cost: int, max_cost: int) -> dict:
    message = (
        f"Query cost is {cost}, which exceeds the single query max cost limit ({max_cost}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
        "cost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
        "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
    )
    return {"message": message, "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": max_cost}}


_VALIDATION_RULES = [
    (re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'"),
     lambda m: (f"Field '{m['field']}' doesn't exist on type '{m['type']}'",
                {"code": "undefinedField", "typeName": m["type"], "fieldName": m["field"]})),
    (re.compile(r"Unknown argument '(?P<arg>\w+)' on field '\w+\.(?P<field>\w+)'"),
     lambda m: (f"Field '{m['field']}' doesn't accept argument '{m['arg']}'",
                {"code": "argumentNotAccepted", "name": m["field"], "typeName": "Field", "argumentName": m["arg"]})),
    (re.compile(r"Field '(?P<field>\w+)' argument '(?P<arg>\w+)' of type '.+' is required, but it was not provided"),
     lambda m: (f"Field '{m['field']}' is missing required arguments: {m['arg']}",
                {"code": "missingRequiredArguments", "className": "Field", "name": m["field"],
                 "arguments": m["arg"]})),
    (re.compile(r"Field '(?P<field>\w+)' of type '(?P<type>.+)' must have a selection of subfields"),
     lambda m: (f"Field must have selections (field '{m['field']}' returns {m['type'].strip('[]!')} but has no "
                f"selections. Did you mean '{m['field']} {{ ... }}'?)",
                {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'",
                 "typeName": m["type"].strip("[]!")})),
]


def validation_error(error: GraphQLError) -> dict:
    """A validation error worded as Shopify's graphql-ruby words the common ones."""
    body = error.formatted
    for pattern, translate in _VALIDATION_RULES:
        match = pattern.search(error.message)
        if match:
            body["message"], body["extensions"] = translate(match)
            break
    return body


def variable_error(error: GraphQLError, operation: OperationDefinitionNode, variables: dict) -> dict:
    """A variable that fails coercion, in Shopify's INVALID_VARIABLE shape."""
    match = re.search(r"Variable '\$(\w+)'", error.message)
    if not match:
        return error.formatted
    name = match[1]
    declared = {d.variable.name.value: print_ast(d.type) for d in operation.variable_definitions}
    return {
        "message": f"Variable ${name} of type {declared.get(name, '?')} was provided invalid value",
        "locations": error.formatted.get("locations", []),
        "extensions": {
            "code": "INVALID_VARIABLE",
            "value": variables.get(name),
            "problems": [{"path": [], "explanation": error.message}],
        },
    }
