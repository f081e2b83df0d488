"""`GET /metrics` for Prometheus, and the count of every webhook delivery by its outcome.

The page names the shop and shows counts and the queue depth, so it is not for everyone on the
public port: with `METRICS_TOKEN` it asks for `Authorization: Bearer <token>` (401 without);
with `METRICS_BIND` it is served only on that address (`serve_metrics`, started in each web
worker by deploy/gunicorn.conf.py) and the public port answers 404. Neither set: public, as
in development.
"""

from __future__ import annotations

import atexit
import logging
import socket
import threading
from collections import Counter
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.exceptions import NotFound, Unauthorized

from core.errors import ReplacementError
from core.metrics import Metrics, render
from web.helpdesks import RECEIVERS
from web.shopify_webhooks import TOPICS, topic_of
from web.signatures import equals_any

log = logging.getLogger(__name__)

blueprint = Blueprint("metrics", __name__)


class WebhookTally:
    """Webhook counts kept in the process and written to Redis together, within a second of the
    first one: a round trip to Redis per delivery was the largest cost of an ignored webhook."""

    def __init__(self, metrics: Metrics, interval: float = 1.0):
        self.metrics = metrics
        self.interval = interval
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        atexit.register(self.flush)

    def add(self, sender: str, topic: str, outcome: str) -> None:
        with self._lock:
            self._counts[(sender, topic, outcome)] += 1
            if self._timer is None:
                self._timer = threading.Timer(self.interval, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if counts:
            self.metrics.webhooks(counts)


# Set in the WSGI environ by the METRICS_BIND listener (a client cannot: headers become HTTP_*).
ON_METRICS_LISTENER = "replacement.metrics_listener"


class MetricsElsewhere(ReplacementError, NotFound):
    description = "not found"


class MetricsTokenRequired(ReplacementError, Unauthorized):
    description = "missing or bad bearer token"


@blueprint.get("/metrics")
def metrics():
    settings = current_app.config["SETTINGS"]
    if settings.metrics_bind and not request.environ.get(ON_METRICS_LISTENER):
        raise MetricsElsewhere()
    if settings.metrics_token:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not equals_any([settings.metrics_token], token):
            raise MetricsTokenRequired()
    current_app.extensions["webhook_tally"].flush()
    return Response(render(current_app.extensions["metrics"].client), mimetype=CONTENT_TYPE_LATEST)


class _Handler(WSGIRequestHandler):
    timeout = 10  # a scraper that stalls holds a thread (a greenlet under gevent) this long at most

    def log_message(self, format, *args):
        pass  # one line per scrape is noise; gunicorn's access log does not see this listener either


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def server_bind(self):
        # Every gunicorn worker of the process listens on the same address; the kernel hands
        # each scrape to one of them (all render the same totals from Redis).
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """`GET /metrics` of `app` on METRICS_BIND, in a thread of this process (a greenlet under
    gunicorn's gevent worker, which patches threads): anything else there answers 404."""

    def __init__(self, app: Flask, bind: str):
        host, _, port = bind.rpartition(":")
        self.app = app
        self.bind = bind
        server_class = _Server6 if host.startswith("[") else _Server
        self.server = make_server(host.strip("[]"), int(port), self._wsgi, server_class=server_class,
                                  handler_class=_Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="metrics-listener", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return self.server.server_address[:2]

    def start(self) -> MetricsServer:
        self.thread.start()
        log.info("metrics served on their own address", extra={"listen": self.bind})
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _wsgi(self, environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        environ[ON_METRICS_LISTENER] = True
        return self.app(environ, start_response)


def serve_metrics(app: Flask) -> MetricsServer | None:
    """Starts the METRICS_BIND listener of `app` when the setting is there."""
    bind = app.config["SETTINGS"].metrics_bind
    return MetricsServer(app, bind).start() if bind else None


@blueprint.after_app_request
def count_webhook(response: Response) -> Response:
    # A 503 means the service's Redis is unreachable: the counter would wait on it too.
    if request.method == "POST" and request.path.startswith("/webhooks/") and response.status_code != 503:
        sender, topic = _sender_and_topic()
        current_app.extensions["webhook_tally"].add(sender, topic, _outcome(response))
    return response


def _sender_and_topic() -> tuple[str, str]:
    """Label values come from the request, so they are bounded to known names (cardinality)."""
    if request.path == "/webhooks/shopify":
        topic = topic_of(request)
        return "shopify", topic if topic in TOPICS else "other"
    provider = (request.view_args or {}).get("provider", "")
    return (provider if provider in RECEIVERS else "other"), ""


def _outcome(response: Response) -> str:
    if response.status_code == 200:
        return g.get("webhook_status", "ok")  # set by the receiver: re-reading the answer cost a JSON parse
    return f"http_{response.status_code}"
