"""A missing or malformed setting stops start-up with one line that names it."""

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from core.settings import ConfigError
from devtools.processes import ROOT
from replacements.planner import plan_replacement
from replacements.policy import BACKORDER_TAG, PENDING_TAG, REVIEW_TAG
from replacements.triggers import FAILED_TAG, ISSUED_TAG, SERVICE_TAGS
from tests.conftest import make_settings
from tests.payloads import graphql_order


def test_defaults(settings):
    assert settings.replacement_tag == "needs-replacement"
    assert settings.helpdesk_tag == "replace"
    assert settings.replacement_mode == "complete"
    assert settings.default_shop.webhook_secrets == ("old_secret", "shpss_test_secret")
    assert settings.default_shop.graphql_url == "http://127.0.0.1:9/admin/api/2026-04/graphql.json"
    assert settings.helpdesk_secrets == {}


def test_admin_url_defaults_to_the_shop_and_values_are_cast():
    settings = make_settings(SHOPIFY_ADMIN_URL="", REPLACEMENT_MAX_VALUE="150.50", ZENDESK_WEBHOOK_SECRET="a, b")
    assert settings.default_shop.admin_url == "https://example.myshopify.com"
    assert settings.max_value == Decimal("150.50")
    assert settings.helpdesk_secrets == {"zendesk": ("a", "b")}


def test_policy_settings():
    assert (make_settings().out_of_stock, make_settings().refund_keyword) == ("fail", "replace")
    settings = make_settings(OUT_OF_STOCK="draft", REPLACEMENT_LIMIT_PER_CUSTOMER="0", REPLACEMENT_LIMIT_DAYS="30",
                             REFUND_KEYWORD="Replace me")
    assert (settings.out_of_stock, settings.limit_per_customer, settings.limit_days) == ("draft", 0, 30)
    assert settings.refund_keyword == "Replace me"


@pytest.mark.parametrize("tag, own", [("replacement", "replacement"), ("Replacement-Issued", "replacement-issued"),
                                      ("replacement-pending", "replacement-pending-approval"),
                                      ("replacement-for", "replacement-for-1001")])
def test_a_trigger_tag_that_the_service_writes_itself_is_refused(tag, own):
    with pytest.raises(ConfigError) as error:
        make_settings(REPLACEMENT_TAG=tag)
    assert str(error.value) == (f"REPLACEMENT_TAG must not match a tag this service writes itself ({own!r}), "
                                f"or its own orders would ask for replacements (got {tag!r})")
    assert make_settings(REPLACEMENT_TAG="replacement-needed").replacement_tag == "replacement-needed"


def test_every_tag_the_service_writes_is_known_to_the_guard():
    draft = plan_replacement(graphql_order(), {"request_id": "r", "source": "api"}).draft_input
    written = {*draft["tags"], ISSUED_TAG, FAILED_TAG, PENDING_TAG, REVIEW_TAG, BACKORDER_TAG}
    assert written <= set(SERVICE_TAGS)


@pytest.mark.parametrize("overrides, message", [
    ({"SHOPIFY_SHOP": ""}, "SHOPIFY_SHOP is not set"),
    ({"SHOPIFY_SHOP": "example.com"}, "SHOPIFY_SHOP must look like example.myshopify.com (got 'example.com')"),
    ({"SHOPIFY_ACCESS_TOKEN": ""}, "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET are not set (the Dev Dashboard "
                                   "app's credentials; SHOPIFY_ACCESS_TOKEN for a legacy custom app)"),
    ({"SHOPIFY_ACCESS_TOKEN": "", "SHOPIFY_CLIENT_ID": "cid"},
     "SHOPIFY_CLIENT_SECRET is not set (a Dev Dashboard app needs its client ID and secret)"),
    ({"SHOPIFY_WEBHOOK_SECRET": " , "}, "SHOPIFY_WEBHOOK_SECRET is not set"),
    ({"REPLACEMENT_MODE": "auto"}, "REPLACEMENT_MODE must be one of complete, draft (got 'auto')"),
    ({"RESERVE_HOURS": "soon"}, "RESERVE_HOURS must be a whole number (got 'soon')"),
    ({"RECONCILE_MINUTES": "0"}, "RECONCILE_MINUTES must be at least 1 (got 0)"),
    ({"REPLACEMENT_MAX_VALUE": "lots"}, "REPLACEMENT_MAX_VALUE must be an amount like 150.00 (got 'lots')"),
    ({"OUT_OF_STOCK": "wait"}, "OUT_OF_STOCK must be one of fail, draft (got 'wait')"),
    ({"REPLACEMENT_LIMIT_DAYS": "0"}, "REPLACEMENT_LIMIT_DAYS must be at least 1 (got 0)"),
    ({"REPLACEMENT_TAG": "needs replacement"},
     "REPLACEMENT_TAG must be a tag of letters, digits, '-', '_', ':' or '.' (got 'needs replacement')"),
    ({"SHOPIFY_ADMIN_URL": "ftp://x"}, "SHOPIFY_ADMIN_URL must be an http(s) URL (got 'ftp://x')"),
    ({"SHOPIFY_API_VERSION": "latest"}, "SHOPIFY_API_VERSION must look like 2026-04 (got 'latest')"),
])
def test_bad_settings_name_themselves(overrides, message):
    with pytest.raises(ConfigError) as error:
        make_settings(**overrides)
    assert str(error.value) == message


def test_shops_file(tmp_path):
    path = tmp_path / "shops.json"
    path.write_text(json.dumps([
        {"shop": "one.myshopify.com", "access_token": "t1", "webhook_secret": "s1"},
        {"shop": "two.myshopify.com", "access_token": "t2", "webhook_secret": "s2,s3", "admin_url": "http://x"},
    ]))
    settings = make_settings(SHOPS_FILE=str(path))
    assert sorted(settings.shops) == ["one.myshopify.com", "two.myshopify.com"]
    assert settings.shop("TWO.myshopify.com").webhook_secrets == ("s2", "s3")
    path.write_text("[]")
    with pytest.raises(ConfigError, match="SHOPS_FILE must hold a non-empty JSON list of shops"):
        make_settings(SHOPS_FILE=str(path))


@pytest.mark.parametrize("module", ["web.wsgi", "worker.main"])
def test_processes_refuse_to_start_with_one_line(module):
    env = {"PATH": "/usr/bin:/bin", "SHOPIFY_SHOP": "example.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "t",
           "SHOPIFY_WEBHOOK_SECRET": "s", "REDIS_URL": "redis://127.0.0.1:9/0", "REPLACEMENT_MODE": "sometimes"}
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 78
    assert result.stderr.strip() == (
        "configuration error: REPLACEMENT_MODE must be one of complete, draft (got 'sometimes')")


@pytest.mark.parametrize("module", ["web.wsgi", "worker.main"])
def test_a_production_process_without_redis_url_refuses_to_start(module):
    """Two machines left without REDIS_URL would each use a Redis of their own and split the
    queue, the dedupe marks, the locks and the API budget: only bin/serve starts an embedded one."""
    env = {"PATH": "/usr/bin:/bin", "SHOPIFY_SHOP": "example.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "t",
           "SHOPIFY_WEBHOOK_SECRET": "s"}
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 78
    assert result.stderr.strip() == ("configuration error: REDIS_URL is not set: the service needs one Redis "
                                     "shared by every process (bin/serve starts an embedded one for development)")


def test_importing_the_worker_and_web_modules_reads_nothing_and_starts_nothing():
    env = {"PATH": "/usr/bin:/bin"}
    code = "import web, worker.app, worker.tasks; print(worker.app.create_celery.__name__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "create_celery", "")


def test_a_dev_dashboard_app_connects_with_its_client_id_and_secret_which_also_signs_webhooks():
    shop = make_settings(SHOPIFY_ACCESS_TOKEN="", SHOPIFY_CLIENT_ID="cid", SHOPIFY_CLIENT_SECRET="shpss_new",
                         SHOPIFY_WEBHOOK_SECRET="").default_shop
    assert (shop.mints_tokens, shop.access_token, shop.webhook_secrets) == (True, None, ("shpss_new",))
    assert shop.token_url == "http://127.0.0.1:9/admin/oauth/access_token"
    rotating = make_settings(SHOPIFY_ACCESS_TOKEN="", SHOPIFY_CLIENT_ID="cid", SHOPIFY_CLIENT_SECRET="shpss_new",
                             SHOPIFY_WEBHOOK_SECRET="shpss_old").default_shop
    assert rotating.webhook_secrets == ("shpss_old", "shpss_new")
    assert "shpss_new" not in repr(rotating).replace("shpss_old", "")


def test_shops_file_entries_take_client_credentials_or_a_token(tmp_path):
    path = tmp_path / "shops.json"
    path.write_text(json.dumps([
        {"shop": "one.myshopify.com", "client_id": "c1", "client_secret": "s1"},
        {"shop": "two.myshopify.com", "access_token": "t2", "webhook_secret": "w2"},
        {"shop": "three.myshopify.com", "client_id": "c3"},
    ]))
    with pytest.raises(ConfigError, match="^SHOPS_FILE entry 2: client_secret is not set"):
        make_settings(SHOPS_FILE=str(path))
    path.write_text(json.dumps(json.loads(path.read_text())[:2]))
    shops = make_settings(SHOPS_FILE=str(path)).shops
    assert (shops["one.myshopify.com"].mints_tokens, shops["one.myshopify.com"].webhook_secrets) == (True, ("s1",))
    assert (shops["two.myshopify.com"].mints_tokens, shops["two.myshopify.com"].access_token) == (False, "t2")
