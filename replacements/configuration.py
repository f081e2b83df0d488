"""The settings with the domain's rules applied: the trigger tag may not read as a tag the
service writes, and the presets file is parsed against the reason codes.

Every process loads its settings here (`load_settings_or_exit`), so a rule broken stops web,
worker, beat and the operator commands alike with the same one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from core.redis_policy import refuse_evicting_redis
from core.settings import ConfigError, Settings, from_env_or_exit
from replacements.presets import Preset, PresetError, parse_presets
from replacements.triggers import SERVICE_TAGS, triggers


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    settings = Settings.from_env(env)
    _check_trigger_tag(settings.replacement_tag)
    return settings.with_overrides(presets=_presets(settings.presets_file, settings.reasons))


def load_settings_or_exit(check_redis: bool = False) -> Settings:
    """`check_redis`: a process that serves (web, worker, beat) also refuses an evicting Redis."""
    def load() -> Settings:
        settings = load_settings()
        if check_redis:
            refuse_evicting_redis(settings.redis_url)
        return settings

    return from_env_or_exit(load)


def _check_trigger_tag(tag: str) -> None:
    own = [service_tag for service_tag in SERVICE_TAGS if triggers([service_tag], tag)]
    if own:
        raise ConfigError(f"REPLACEMENT_TAG must not match a tag this service writes itself ({own[0]!r}), "
                          f"or its own orders would ask for replacements (got {tag!r})")


def _presets(path: str | None, reasons: tuple[str, ...]) -> dict[str, Preset]:
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_presets(json.load(handle), reasons)
    except (OSError, ValueError) as error:  # PresetError is a ValueError, as is bad JSON
        prefix = "" if isinstance(error, PresetError) else "cannot be read as JSON: "
        raise ConfigError(f"PRESETS_FILE {path!r} {prefix}{error}") from None
