"""The task layer (worker/task_base.py) on an app built by `create_celery`, without a broker:
what may pass is retried (a busy lock when its lease would end), and the rest lands in the
dead-letter list with the task, its arguments and the error."""

import json

import pytest
import redis
from celery.app.trace import reset_worker_optimizations, setup_worker_optimizations
from celery.contrib.testing.app import setup_default_app
from celery.signals import task_retry

import worker.tasks
from core import keys
from core.metrics import Metrics
from core.store import LockBusy, State
from shopify.errors import BudgetShort, RetryableShopifyError, ShopUnavailable
from tests.conftest import make_settings
from worker.app import create_celery
from worker.task_base import MAX_RETRIES, SHOP_WAIT_SECONDS, ReplacementTask

SHOP = "example.myshopify.com"
EVENT = {"shop": SHOP, "source": "admin_tag", "source_label": "admin tag", "order": "gid://shopify/Order/450789469"}


class ScriptedReplacer:
    """Stands in for worker/state_machine.py's Replacer: each run raises the next of `errors`,
    then runs answer "done"."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.runs = 0

    def handle_event(self, *args) -> str:
        self.runs += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"

    process = handle_event


@pytest.fixture
def app(redis_client):
    """The worker's app on a fake Redis, its tasks run as a worker process runs them (Celery's
    worker set-up keeps the request of a task class whose `__call__` calls super())."""
    app = create_celery(make_settings())
    app.services.state = State(redis_client)
    app.services.metrics = Metrics(redis_client)
    with setup_default_app(app):
        setup_worker_optimizations(app)
        yield app
        reset_worker_optimizations(app)


@pytest.fixture
def replacer(monkeypatch):
    """`replacer(*errors)`: the tasks' Replacer raises these, one per run, then answers."""
    def script(*errors: Exception) -> ScriptedReplacer:
        scripted = ScriptedReplacer(errors)
        monkeypatch.setattr(worker.tasks, "replacer", lambda task, shop: scripted)
        return scripted
    return script


@pytest.fixture
def retries():
    """The Retry of each retry a task asks for (`.exc` the error, `.when` the countdown)."""
    asked = []

    def record(sender, reason, **kwargs):
        asked.append(reason)

    task_retry.connect(record, weak=False)
    yield asked
    task_retry.disconnect(record)


@pytest.mark.parametrize("error", [RetryableShopifyError("502 Bad Gateway", 502), redis.ConnectionError("reset"),
                                   redis.TimeoutError("timed out")])
def test_an_error_that_may_pass_is_retried_with_backoff(app, replacer, retries, error):
    scripted = replacer(error)

    result = app.tasks[keys.HANDLE_EVENT].apply(args=[EVENT])

    assert (result.state, result.result, scripted.runs) == ("SUCCESS", "done", 2)
    retry, = retries
    assert retry.exc is error
    assert 0 <= retry.when <= 1  # the first backoff step, full jitter
    assert app.services.state.dead_letters() == []


def test_a_busy_lock_is_retried_when_its_lease_would_end(app, replacer, retries):
    replacer(LockBusy(keys.lock("request:api-1"), retry_in=3))

    assert app.tasks[keys.HANDLE_EVENT].apply(args=[EVENT]).result == "done"

    retry, = retries
    assert isinstance(retry.exc, LockBusy)
    assert 3 <= retry.when <= 3.5


@pytest.fixture
def comebacks(monkeypatch):
    """The countdown of each time a task is sent again without counting a retry."""
    asked = []
    original = ReplacementTask.come_back

    def spy(self, countdown):
        asked.append((countdown, self.request.retries))
        return original(self, countdown)

    monkeypatch.setattr(ReplacementTask, "come_back", spy)
    return asked


def test_an_unavailable_shop_waits_and_says_why_without_using_its_retries(app, replacer, retries, comebacks,
                                                                         redis_client):
    replacer(*[ShopUnavailable("402 Payment Required: shop frozen", "frozen", SHOP, 402)] * (MAX_RETRIES + 3))

    assert app.tasks[keys.HANDLE_EVENT].apply(args=[EVENT]).result == "done"

    assert retries == [] and len(comebacks) == MAX_RETRIES + 3
    assert all(SHOP_WAIT_SECONDS[0] <= when <= SHOP_WAIT_SECONDS[1] and count == 0 for when, count in comebacks)
    assert json.loads(redis_client.get(keys.paused(SHOP)))["reason"] == "frozen"


def test_an_unexpected_error_is_dead_lettered_with_the_task_its_arguments_and_the_error(app, replacer, retries):
    scripted = replacer(KeyError("lineItems"))

    result = app.tasks[keys.PROCESS_REQUEST].apply(args=["api-1", SHOP])

    assert (result.state, scripted.runs, retries) == ("FAILURE", 1, [])
    letter, = app.services.state.dead_letters()
    assert {key: letter[key] for key in ("task", "args", "error")} == {
        "task": keys.PROCESS_REQUEST, "args": ["api-1", SHOP], "error": "KeyError: 'lineItems'"}


def test_when_retries_run_out_the_last_error_is_dead_lettered(app, replacer, retries):
    scripted = replacer(*[RetryableShopifyError("503 Service Unavailable", 503)] * (MAX_RETRIES + 1))

    result = app.tasks[keys.HANDLE_EVENT].apply(args=[EVENT])

    assert (result.state, scripted.runs, len(retries)) == ("FAILURE", MAX_RETRIES + 1, MAX_RETRIES)
    letter, = app.services.state.dead_letters()
    assert (letter["task"], letter["args"], letter["error"]) == (
        keys.HANDLE_EVENT, [EVENT], "RetryableShopifyError: 503 Service Unavailable")


def test_a_short_budget_sends_the_task_back_to_its_slot_without_using_its_retries(app, replacer, retries,
                                                                                   comebacks):
    replacer(*[BudgetShort("budget short", SHOP, retry_in=7.5)] * (MAX_RETRIES + 3),
             RetryableShopifyError("502 Bad Gateway", 502))

    assert app.tasks[keys.HANDLE_EVENT].apply(args=[EVENT]).result == "done"

    assert comebacks == [(7.5, 0)] * (MAX_RETRIES + 3)
    assert len(retries) == 1  # an error after the waits still has all its retries
    assert app.services.state.dead_letters() == []
