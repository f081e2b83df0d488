"""Setup as code: shopify.app.toml, the README's "Connect your shop" and the doctor agree with the
one list of scopes (shopify/scopes.py) and the subscriptions the service wants
(replacements/subscriptions.py), and the address they name is the web tier's."""

import re
import tomllib
from pathlib import Path

import pytest

from ops.doctor import scope_check
from replacements.subscriptions import COMPLIANCE_TOPICS, WANTED
from shopify.scopes import OPTIONAL, REQUIRED

ROOT = Path(__file__).resolve().parent.parent


def app_toml() -> dict:
    return tomllib.loads((ROOT / "shopify.app.toml").read_text())


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    return text[start:text.index("\n## ", start + 1)]


def readme_scopes() -> list[str]:
    blocks = re.findall(r"```\w*\n(.*?)```", readme_section("Connect your shop"), re.S)
    [scopes] = [block.strip() for block in blocks if re.fullmatch(r"[a-z_]+(,[a-z_]+)+", block.strip())]
    return scopes.split(",")


def test_the_app_configuration_declares_exactly_the_required_scopes():
    assert app_toml()["access_scopes"]["scopes"].split(",") == list(REQUIRED)


def test_the_readme_asks_the_merchant_for_exactly_the_required_scopes_and_names_the_optional_one():
    assert readme_scopes() == list(REQUIRED)
    section = readme_section("Connect your shop")
    assert all(f"`{scope}`" in section for scope in [*REQUIRED, *OPTIONAL])


def test_the_doctor_fails_without_any_one_of_them_and_passes_with_all():
    for scope in REQUIRED:
        check = scope_check("s", set(REQUIRED) - {scope})
        assert (check.status, check.detail) == ("FAIL", f"missing {scope} ({REQUIRED[scope]})")
    assert scope_check("s", {*REQUIRED, *OPTIONAL}).status == "ok"


def test_the_app_configuration_subscribes_each_wanted_topic_with_its_fields_and_no_filter():
    webhooks = app_toml()["webhooks"]
    assert webhooks["api_version"] == "2026-04"
    declared = [sub for sub in webhooks["subscriptions"] if "topics" in sub]
    assert [(sub["topics"], sub["include_fields"]) for sub in declared] == [
        ([want.topic.lower().replace("_", "/")], list(want.include_fields)) for want in WANTED]
    assert not any("filter" in sub for sub in declared)
    [compliance] = [sub for sub in webhooks["subscriptions"] if "compliance_topics" in sub]
    assert compliance["compliance_topics"] == list(COMPLIANCE_TOPICS)


@pytest.mark.parametrize("subscription", app_toml()["webhooks"]["subscriptions"])
def test_every_subscription_goes_to_the_web_tiers_shopify_route(app, subscription):
    assert subscription["uri"] in {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert subscription["uri"] == "/webhooks/shopify"
