"""Presets per reason code, read from PRESETS_FILE: what a reason changes in the recipe.

    {"lost": {"shipping_title": "Express", "tags": ["lost-parcel"]},
     "wrong-item": {"return": true},
     "damaged": {"approval": "draft"}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.settings import SHIPPING_MODES

APPROVAL_MODES = ("complete", "draft")
KEYS = ("shipping", "shipping_title", "tags", "approval", "return")
# Shopify tags are at most 40 characters; a comma would split one tag into two.
EXTRA_TAG = re.compile(r"^[^,]{1,40}$")


class PresetError(ValueError):
    """The presets file says something the service cannot do; the message names the place."""


@dataclass(frozen=True)
class Preset:
    shipping: str | None = None
    shipping_title: str | None = None
    tags: tuple[str, ...] = ()
    approval: str | None = None
    restock_return: bool = False


def parse_presets(data: object, reasons: tuple[str, ...]) -> dict[str, Preset]:
    if not isinstance(data, Mapping):
        raise PresetError("must hold a JSON object of reason code -> preset")
    return {code: _preset(code, entry, reasons) for code, entry in data.items()}


def _preset(code: str, entry: object, reasons: tuple[str, ...]) -> Preset:
    if code not in reasons:
        raise PresetError(f"{code!r} is not one of REASONS ({', '.join(reasons)})")
    if not isinstance(entry, Mapping):
        raise PresetError(f"{code}: must be an object")
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise PresetError(f"{code}: unknown keys {', '.join(unknown)} (known: {', '.join(KEYS)})")
    shipping = entry.get("shipping")
    if shipping is not None and shipping not in SHIPPING_MODES:
        raise PresetError(f"{code}.shipping must be one of {', '.join(SHIPPING_MODES)} (got {shipping!r})")
    title = entry.get("shipping_title")
    if title is not None and not (isinstance(title, str) and title.strip()):
        raise PresetError(f"{code}.shipping_title must be a non-empty string")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and EXTRA_TAG.match(t.strip()) for t in tags):
        raise PresetError(f"{code}.tags must be a list of tags of 1 to 40 characters without commas")
    approval = entry.get("approval")
    if approval is not None and approval not in APPROVAL_MODES:
        raise PresetError(f"{code}.approval must be one of {', '.join(APPROVAL_MODES)} (got {approval!r})")
    restock_return = entry.get("return", False)
    if not isinstance(restock_return, bool):
        raise PresetError(f"{code}.return must be true or false")
    return Preset(shipping, title.strip() if title else None, tuple(t.strip() for t in tags), approval,
                  restock_return)
