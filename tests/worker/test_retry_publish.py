"""A retry that cannot be published (Redis away) must not drop the task: Celery rejects such a
message for good (`Reject(requeue=False)`); ours requeues it, or it waits in the broker's
unacked set for the visibility timeout."""

import pytest
from celery.canvas import Signature
from celery.exceptions import Reject, Retry
from kombu.exceptions import OperationalError

import worker.tasks  # noqa: F401  (registers the shared tasks)
from core import keys
from tests.conftest import make_settings
from worker.app import celery_config, create_celery


@pytest.fixture
def task():
    task = create_celery(make_settings()).tasks[keys.PROCESS_REQUEST]
    task.push_request(id="t-1", args=["api-1", "example.myshopify.com"], kwargs={}, retries=2, is_eager=False,
                      called_directly=False, delivery_info={"routing_key": keys.QUEUE})
    yield task
    task.pop_request()


def test_a_retry_that_cannot_be_published_requeues_the_message(task, monkeypatch):
    def broker_away(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Signature, "apply_async", broker_away)
    with pytest.raises(Reject) as rejected:
        task.retry(exc=RuntimeError("502"), countdown=1)
    assert rejected.value.requeue is True
    assert "Connection refused" in str(rejected.value.reason)


def test_a_published_retry_is_the_usual_retry(task, monkeypatch):
    sent = []
    monkeypatch.setattr(Signature, "apply_async", lambda self, *args, **kwargs: sent.append(self))
    with pytest.raises(Retry):
        task.retry(exc=RuntimeError("502"), countdown=1)
    assert len(sent) == 1


def test_the_visibility_timeout_is_75_seconds_unless_set():
    """How long a message left unacknowledged waits before it is delivered again (worker/app.py)."""
    assert celery_config(make_settings())["broker_transport_options"]["visibility_timeout"] == 75
    assert celery_config(make_settings(VISIBILITY_TIMEOUT="4"))["broker_transport_options"]["visibility_timeout"] == 4
