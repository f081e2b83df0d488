"""The HTTP boundary: receive, verify, enqueue, answer within milliseconds."""

from __future__ import annotations

import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import keys
from core.metrics import Metrics
from core.settings import Settings
from replacements.configuration import load_settings
from web import api, delivery_ids, health, helpdesks, metrics, shopify_webhooks
from web.errors import register_error_handlers
from web.intake import Intake

# Redis connections a web process opens at most: under the gevent worker one per request in
# flight at Redis, so a Redis that stops answering meets a bounded number, not one per client.
REDIS_CONNECTIONS = 32


def web_redis_client(url: str) -> redis.Redis:
    """The web tier answers within a second even with Redis gone or silent (Shopify gives up at
    5 s): at most a quarter of a second waiting for a free connection of the pool, then half a second to connect
    or to answer, and no second try after a timeout; then 503. A connection error (Redis closed
    the connection just then) is tried once more at once."""
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=REDIS_CONNECTIONS, timeout=0.25,
                                                 socket_connect_timeout=0.5, socket_timeout=0.5,
                                                 retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
    return redis.Redis(connection_pool=pool)


def create_app(settings: Settings | None = None, redis_client: redis.Redis | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    client = redis_client or web_redis_client(settings.redis_url)
    app.extensions["intake"] = Intake(client, keys.QUEUE, settings.dedupe_hours * 3600)
    app.extensions["metrics"] = Metrics(client)
    app.extensions["webhook_tally"] = metrics.WebhookTally(app.extensions["metrics"])
    register_error_handlers(app)
    app.register_blueprint(delivery_ids.blueprint)
    app.register_blueprint(shopify_webhooks.blueprint)
    app.register_blueprint(helpdesks.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics.blueprint)
    return app
