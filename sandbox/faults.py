"""Fault injection: rules that make calls to a root field fail, hang, slow down or throttle.

A rule names a root field (`draftOrderCreate`, or `*` for any) and which calls it hits, counted
from when the rule was added: `nth` (that one call, 1-based) or `times` (the next N calls); with
neither, every call. Actions:

- `fail`: answer `status` (500, 502, 503, 504; or 402 shop frozen, 423 shop locked; default 503)
  without applying anything.
- `apply_then_fail`: apply the call, then answer `status` (default 502), or with `hang: seconds`
  sleep and drop the connection: the change is made but its answer is lost.
- `delay`: sleep `seconds`, then answer normally.
- `throttle`: answer THROTTLED without executing.
- `user_error`: answer the mutation with a userError (`message`) without applying it.
- `graphql_error`: HTTP 200 with one error, `code` INTERNAL_SERVER_ERROR (default) or TIMEOUT, and
  no data; nothing applied unless `apply: true` (the change is made, the answer is the error).
- `job_fails`: the call answers as usual, but the job it starts (orderCancel's) finishes without
  doing anything.

The pseudo-field `oauth/access_token` (the client credentials grant) takes `fail` and `delay`;
`*` means every Admin API call, not that endpoint.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass

ACTIONS = {"fail", "apply_then_fail", "delay", "throttle", "user_error", "graphql_error", "job_fails"}
FAIL_STATUSES = {402, 423, 500, 502, 503, 504}
GRAPHQL_ERROR_CODES = {"INTERNAL_SERVER_ERROR", "TIMEOUT"}
OAUTH_FIELD = "oauth/access_token"


class FaultRuleError(ValueError):
    pass


@dataclass
class FaultRule:
    id: int
    field: str
    action: str
    nth: int | None = None
    times: int | None = None
    status: int | None = None
    seconds: float = 0.0
    hang: float | None = None
    message: str = "The sandbox was told to fail this call"
    code: str = "INTERNAL_SERVER_ERROR"
    apply: bool = False
    calls: int = 0
    fired: int = 0

    def counts(self) -> bool:
        """Count one call to the rule's field; True when the rule wants this call."""
        self.calls += 1
        if self.nth is not None:
            return self.calls == self.nth
        if self.times is not None:
            return self.fired < self.times
        return True


def _rule(rule_id: int, spec: dict) -> FaultRule:
    allowed = {"field", "action", "nth", "times", "status", "seconds", "hang", "message", "code", "apply"}
    unknown = set(spec) - allowed
    if unknown:
        raise FaultRuleError(f"unknown fault rule keys: {', '.join(sorted(unknown))}")
    if not spec.get("field"):
        raise FaultRuleError("a fault rule needs `field` (a root field name, or `*`)")
    action = spec.get("action")
    if action not in ACTIONS:
        raise FaultRuleError(f"`action` must be one of {', '.join(sorted(ACTIONS))}")
    if "nth" in spec and "times" in spec:
        raise FaultRuleError("give `nth` or `times`, not both")
    for key in ("nth", "times"):
        if key in spec and (not isinstance(spec[key], int) or spec[key] < 1):
            raise FaultRuleError(f"`{key}` must be a positive integer")
    if spec["field"] == OAUTH_FIELD and action not in ("fail", "delay"):
        raise FaultRuleError(f"`{OAUTH_FIELD}` takes the actions fail and delay only")
    if spec.get("code", "INTERNAL_SERVER_ERROR") not in GRAPHQL_ERROR_CODES:
        raise FaultRuleError(f"`code` must be one of {', '.join(sorted(GRAPHQL_ERROR_CODES))}")
    rule = FaultRule(id=rule_id, **spec)
    if action in ("fail", "apply_then_fail"):
        rule.status = rule.status or (503 if action == "fail" else 502)
        if rule.status not in FAIL_STATUSES:
            raise FaultRuleError(f"`status` must be one of {sorted(FAIL_STATUSES)}")
    return rule


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, specs: list[dict]) -> list[FaultRule]:
        with self._lock:
            rules = [_rule(next(self._ids), spec) for spec in specs]
            self._rules.extend(rules)
            return rules

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def match(self, root_fields: list[str], admin: bool = True) -> FaultRule | None:
        """The first rule this call triggers; every rule for these fields counts the call.
        `*` matches Admin API calls only (`admin`), not the token endpoint."""
        with self._lock:
            triggered = None
            for rule in self._rules:
                wanted = ((rule.field == "*" and admin) or rule.field in root_fields) and rule.counts()
                if wanted and triggered is None:
                    rule.fired += 1
                    triggered = rule
            return triggered

    def describe(self) -> list[dict]:
        with self._lock:
            return [asdict(rule) for rule in self._rules]
