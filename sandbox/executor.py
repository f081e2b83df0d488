"""One Admin API call, end to end: parse, validate, cost, faults, throttle, execute, log.

Order matters and mirrors Shopify: a document that does not parse or validate costs nothing;
a query above the single-query maximum is refused; then the bucket is charged the requested
cost up front (or the call is THROTTLED and nothing runs), and refunded what was not used.
"""

from __future__ import annotations

import functools
import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import graphql
from graphql import DocumentNode, GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_variable_values
from werkzeug.http import HTTP_STATUS_CODES

from sandbox import errors, jobs
from sandbox.cost import QueryCost
from sandbox.resolvers import mutation_root, query_root
from sandbox.schema import admin_schema
from sandbox.store import Store


@dataclass
class Answer:
    status: int
    body: dict | None
    headers: dict = field(default_factory=dict)
    hang: float | None = None  # sleep this long, then drop the connection without answering


def resolve_field(source, info: GraphQLResolveInfo, **args):
    """graphql-core's default resolver, except that a field missing from a view is an error, not a null."""
    if isinstance(source, Mapping):
        if info.field_name not in source:
            raise errors.not_implemented(f"the field {info.parent_type.name}.{info.field_name}")
        value = source[info.field_name]
    else:
        value = getattr(source, info.field_name)
    return value(info, **args) if callable(value) else value


class Call:
    """The state of one call while it is answered, and what the call log keeps of it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.request_id = str(uuid.uuid4())
        self.log: dict = {"request_id": self.request_id}

    def cost_extension(self, requested: int, actual: int | None) -> dict:
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": self.store.bucket.status()}}

    def errors_answer(self, error_list: list[dict], requested: int = 0) -> Answer:
        self.log["errors"] = [e.get("extensions", {}).get("code") or e["message"][:120] for e in error_list]
        return Answer(200, {"errors": error_list, "extensions": self.cost_extension(requested, 0)})

    def throttled_answer(self, requested: int, available: float) -> Answer:
        self.log["throttled"] = True
        self.log["errors"] = ["THROTTLED"]
        status = self.store.config.throttle_status
        headers = {}
        if status == 429:
            wait = (requested - available) / self.store.bucket.restore_rate
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        body = {"errors": [errors.throttled()], "extensions": self.cost_extension(requested, None)}
        return Answer(status, body, headers)

    def failure_answer(self, status: int) -> Answer:
        text = errors.UNAVAILABLE_SHOP.get(status) or HTTP_STATUS_CODES.get(status, "Error")
        self.log["errors"] = [text]
        return Answer(status, {"errors": text})

    def transient_answer(self, code: str) -> Answer:
        self.log["errors"] = [code]
        return Answer(200, {"errors": [errors.transient_error(code, self.request_id)]})


@functools.lru_cache(maxsize=512)
def checked_document(query: str) -> tuple[DocumentNode | None, list[dict]]:
    """Parsed and validated once per distinct document: a client sends the same few over and over."""
    try:
        document = graphql.parse(query)
    except GraphQLError as error:
        return None, [error.formatted]
    return document, [errors.validation_error(error) for error in graphql.validate(admin_schema(), document)]


def _bad_request(message: str) -> dict:
    return {"message": message, "extensions": {"code": "BAD_REQUEST"}}


def handle_call(store: Store, payload: object) -> Answer:
    started = time.monotonic()
    call = Call(store)
    answer = _answer(call, payload)
    answer.headers.setdefault("X-Request-Id", call.request_id)
    call.log["status"] = "dropped" if answer.hang is not None else answer.status
    call.log["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
    store.calls.record(call.log)
    return answer


def _answer(call: Call, payload: object) -> Answer:
    store = call.store
    if store.config.slow:
        time.sleep(store.config.slow)
    locked = store.shop_lock.status()
    if locked:
        call.log["fault"] = "lock"
        return call.failure_answer(locked)
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return Answer(400, {"errors": {"query": "Required parameter missing or invalid"}})
    raw_variables = payload.get("variables") or {}
    if not isinstance(raw_variables, dict):
        return call.errors_answer([_bad_request("Variables must be a JSON object")])
    schema = admin_schema()
    document, problems = checked_document(payload["query"])
    if problems:
        return call.errors_answer(problems)
    operation_name = payload.get("operationName")
    operation = graphql.get_operation_ast(document, operation_name)
    if operation is None:
        message = f"No operation named '{operation_name}'" if operation_name else \
            "An operation name is required when the document has several operations"
        return call.errors_answer([_bad_request(message)])
    call.log["operation"] = operation.name.value if operation.name else None
    call.log["type"] = operation.operation.value
    if operation.operation.value == "subscription":
        return call.errors_answer([_bad_request("Subscriptions are not supported")])
    coerced = get_variable_values(schema, operation.variable_definitions or [], raw_variables)
    if isinstance(coerced, list):
        return call.errors_answer([errors.variable_error(error, operation, raw_variables) for error in coerced])

    cost = QueryCost(schema, document, operation, coerced)
    requested = cost.requested()
    root_fields = cost.root_fields()
    call.log.update(root_fields=root_fields, requested_cost=requested)
    if requested > store.config.max_query_cost:
        return call.errors_answer([errors.max_cost_exceeded(requested, store.config.max_query_cost)], requested)

    rule = store.faults.match(root_fields)
    forced_user_errors: dict[str, str] = {}
    failing_jobs: set[str] = set()
    if rule:
        call.log["fault"] = rule.action
        if rule.action == "fail":
            return call.failure_answer(rule.status)
        if rule.action == "graphql_error" and not rule.apply:
            return call.transient_answer(rule.code)
        if rule.action == "throttle":
            return call.throttled_answer(requested, store.bucket.available())
        if rule.action == "delay":
            time.sleep(rule.seconds)
        if rule.action == "user_error":
            forced_user_errors = {name: rule.message for name in root_fields if rule.field in (name, "*")}
        if rule.action == "job_fails":
            failing_jobs = {name for name in root_fields if rule.field in (name, "*")}

    charged, before = store.bucket.try_charge(requested)
    call.log["available_before"] = round(before, 1)
    if not charged:
        return call.throttled_answer(requested, before)

    is_mutation = operation.operation.value == "mutation"
    with store.lock:
        jobs.settle(store)
        root = mutation_root(store, forced_user_errors, failing_jobs) if is_mutation else query_root(store)
        result = graphql.execute(
            schema, document, root_value=root, variable_values=raw_variables, operation_name=operation_name,
            field_resolver=resolve_field,
        )
    actual = requested if is_mutation else cost.actual(result.data)
    store.bucket.refund(requested - actual)
    call.log.update(actual_cost=actual, charged=actual, available_after=round(store.bucket.available(), 1))

    body: dict = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
        call.log["errors"] = [e.get("extensions", {}).get("code") or e["message"][:120] for e in body["errors"]]
    body["data"] = result.data
    body["extensions"] = call.cost_extension(requested, actual)
    if rule and rule.action == "apply_then_fail":
        return Answer(0, None, hang=rule.hang) if rule.hang is not None else call.failure_answer(rule.status)
    if rule and rule.action == "graphql_error":
        return call.transient_answer(rule.code)
    return Answer(200, body)
