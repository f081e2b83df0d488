"""Tags on orders and drafts: trimmed, comma lists split, unique regardless of case, kept sorted."""

from __future__ import annotations


def parse(values: list[str] | str) -> list[str]:
    """Shopify accepts `["a", "b"]` or `"a, b"` alike."""
    items = [values] if isinstance(values, str) else values
    return [tag.strip() for item in items for tag in item.split(",") if tag.strip()]


def _unique_sorted(tags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        seen.setdefault(tag.lower(), tag)
    return sorted(seen.values(), key=str.lower)


def normalize(values: list[str] | str) -> list[str]:
    return _unique_sorted(parse(values))


def added(existing: list[str], new: list[str] | str) -> list[str]:
    return _unique_sorted([*existing, *parse(new)])


def removed(existing: list[str], gone: list[str] | str) -> list[str]:
    drop = {tag.lower() for tag in parse(gone)}
    return [tag for tag in existing if tag.lower() not in drop]


def rest_string(tags: list[str]) -> str:
    """REST and webhook bodies carry tags as one comma+space separated string."""
    return ", ".join(tags)
