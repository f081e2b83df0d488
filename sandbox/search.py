"""Shopify's search syntax (a subset): `tag:a -tag:b status:open created_at:>'2026-01-01' OR name:#1001`.

Terms are ANDed; `OR`, `NOT`, a leading `-` and parentheses work as on Shopify; values may be
single- or double-quoted; `field:>x`, `:>=`, `:<`, `:<=` compare; `x*` matches a prefix, except on
`tag:`, which Shopify documents for whole tags only. Each collection says which fields it knows;
any other field fails loudly, whether or not there is a record to test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.dates import parse_datetime
from sandbox.errors import not_implemented


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str


Node = tuple  # ("term", Term) | ("not", Node) | ("and", [Node]) | ("or", [Node])
Matcher = Callable[[dict, Term], bool]


def _words(query: str) -> list:
    tokens: list = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(char)
            i += 1
            continue
        field, text = None, []
        while i < n and not query[i].isspace() and query[i] not in "()":
            char = query[i]
            if char in "'\"":
                end = i + 1
                while end < n and query[end] != char:
                    if query[end] == "\\" and end + 1 < n:
                        end += 1
                    text.append(query[end])
                    end += 1
                i = end + 1
            elif char == "\\" and i + 1 < n:
                text.append(query[i + 1])
                i += 2
            elif char == ":" and field is None:
                field, text = "".join(text), []
                i += 1
            else:
                text.append(char)
                i += 1
        tokens.append((field, "".join(text)))
    return tokens


def _term(field: str | None, text: str) -> Node:
    negated = False
    if field is not None and field.startswith("-"):
        field, negated = field[1:], True
    elif field is None and text.startswith("-") and len(text) > 1:
        text, negated = text[1:], True
    op = ":"
    for candidate in (">=", "<=", ">", "<"):
        if field is not None and text.startswith(candidate):
            op, text = candidate, text[len(candidate):]
            break
    node: Node = ("term", Term(field.lower() if field else None, op, text))
    return ("not", node) if negated else node


def parse(query: str) -> Node:
    tokens = _words(query)
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def is_word(token, word: str) -> bool:
        return isinstance(token, tuple) and token == (None, word)

    def expression() -> Node:
        parts = [conjunction()]
        while is_word(peek(), "OR"):
            take()
            parts.append(conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction() -> Node:
        parts = []
        while peek() is not None and peek() != ")" and not is_word(peek(), "OR"):
            if is_word(peek(), "AND"):
                take()
                continue
            parts.append(unary())
        return ("and", parts)

    def unary() -> Node:
        token = take()
        if is_word(token, "NOT"):
            return ("not", unary())
        if token == "(":
            inner = expression()
            if peek() == ")":
                take()
            return inner
        if token == ")":
            return ("and", [])
        return _term(*token)

    return expression()


def evaluate(node: Node, record: dict, match: Callable[[dict, Term], bool]) -> bool:
    kind, value = node
    if kind == "term":
        return match(record, value)
    if kind == "not":
        return not evaluate(value, record, match)
    if kind == "and":
        return all(evaluate(part, record, match) for part in value)
    return any(evaluate(part, record, match) for part in value)


def terms(node: Node) -> list[Term]:
    kind, value = node
    if kind == "term":
        return [value]
    if kind == "not":
        return terms(value)
    return [term for part in value for term in terms(part)]


def filter_records(records: list[dict], query: str | None, fields: dict[str, Matcher], what: str) -> list[dict]:
    if not query or not query.strip():
        return records
    tree = parse(query)
    for term in terms(tree):
        matcher = fields.get(term.field or "default")
        if matcher is None:
            raise not_implemented(f"the `{term.field}` search filter on {what}")
        getattr(matcher, "validate", lambda _term: None)(term)

    def match(record: dict, term: Term) -> bool:
        return fields[term.field or "default"](record, term)

    return [record for record in records if evaluate(tree, record, match)]


def _compare(left, op: str, right) -> bool:
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    return left == right


def text(get: Callable[[dict], object]) -> Matcher:
    """A string or list of strings: equal regardless of case, `x*` a prefix, `*` any value."""

    def match(record: dict, term: Term) -> bool:
        found = get(record)
        values = [v for v in (found if isinstance(found, list) else [found]) if v is not None]
        wanted = term.value.lower()
        if wanted == "*":
            return bool(values)
        if term.op != ":":
            return any(_compare(str(v).lower(), term.op, wanted) for v in values)
        if wanted.endswith("*"):
            return any(str(v).lower().startswith(wanted[:-1]) for v in values)
        return any(str(v).lower() == wanted for v in values)

    return match


def tags(get: Callable[[dict], list[str]], negated: bool = False) -> Matcher:
    """`tag:x` (or `tag_not:x` when `negated`): a whole tag, regardless of case, as Shopify documents it."""

    def match(record: dict, term: Term) -> bool:
        wanted = term.value.lower()
        return any(tag.lower() == wanted for tag in get(record)) != negated

    def validate(term: Term) -> None:
        if "*" in term.value:
            raise not_implemented(
                f"`{term.field}:{term.value}`: a prefix wildcard on tag is not documented by Shopify "
                "(only whole tags are), so do not rely on it"
            )
        if term.op != ":":
            raise not_implemented(f"comparing tags with `{term.op}`")

    match.validate = validate  # type: ignore[attr-defined]
    return match


def number(get: Callable[[dict], object]) -> Matcher:
    def match(record: dict, term: Term) -> bool:
        value = get(record)
        try:
            return value is not None and _compare(float(value), term.op, float(term.value))
        except ValueError:
            return False

    return match


def date(get: Callable[[dict], datetime | None]) -> Matcher:
    def match(record: dict, term: Term) -> bool:
        value = get(record)
        if value is None:
            return False
        moment = parse_datetime(term.value)
        if term.op == ":" and len(term.value.strip()) == 10:
            return moment <= value < moment + timedelta(days=1)
        return _compare(value, term.op, moment)

    return match


def contains(getters: list[Callable[[dict], object]]) -> Matcher:
    """Free text (no field): a substring of any of these values."""

    def match(record: dict, term: Term) -> bool:
        wanted = term.value.lower().rstrip("*")
        for get in getters:
            found = get(record)
            for value in found if isinstance(found, list) else [found]:
                if value is not None and wanted in str(value).lower():
                    return True
        return False

    return match


def _payload_values(body: object, path: list[str]) -> list:
    if not path:
        return body if isinstance(body, list) else [body]
    if isinstance(body, list):
        return [value for item in body for value in _payload_values(item, path)]
    if not isinstance(body, dict) or path[0] not in body:
        return []
    value = body[path[0]]
    if path[0] == "tags" and isinstance(value, str):
        value = [tag.strip() for tag in value.split(",") if tag.strip()]
    return _payload_values(value, path[1:])


def matches_payload(query: str, body: dict) -> bool:
    """A webhook subscription `filter` against the REST body (dotted paths; lists match any item)."""

    def match(record: dict, term: Term) -> bool:
        if term.field is None:
            return False
        values = _payload_values(record, term.field.split("."))
        if term.op == ":":
            return text(lambda _: [str(v).lower() if isinstance(v, bool) else v for v in values])(record, term)
        return any(number(lambda _, v=v: v)(record, term) for v in values)

    return evaluate(parse(query), body, match)
