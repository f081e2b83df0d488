"""Webhook counts leave the process together: one round trip to Redis, within the interval."""

import fakeredis

from core.metrics import Metrics
from devtools.processes import wait_until
from web.metrics import WebhookTally


class CountingRedis(fakeredis.FakeRedis):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pipelines = 0

    def pipeline(self, *args, **kwargs):
        self.pipelines += 1
        return super().pipeline(*args, **kwargs)


def counts(client) -> dict:
    return {k.decode(): int(v) for k, v in client.hgetall("rw:metrics:webhooks_received").items()}


def test_counts_are_written_together_when_flushed():
    client = CountingRedis()
    tally = WebhookTally(Metrics(client), interval=60)
    for outcome in ("queued", "ignored", "ignored"):
        tally.add("shopify", "orders/updated", outcome)
    assert client.pipelines == 0

    tally.flush()

    assert client.pipelines == 1
    assert counts(client) == {'["shopify", "orders/updated", "queued", ""]': 1,
                              '["shopify", "orders/updated", "ignored", ""]': 2}


def test_counts_are_written_within_the_interval_without_a_scrape():
    client = CountingRedis()
    tally = WebhookTally(Metrics(client), interval=0.05)
    tally.add("zendesk", "", "queued")
    assert wait_until(lambda: counts(client), 2, 0.01) == {'["zendesk", "", "queued", ""]': 1}
    assert client.pipelines == 1
