"""gunicorn's settings for the Procfile's web process (`gunicorn --config deploy/gunicorn.conf.py`).

The gevent worker class: every connection is a greenlet, so a client that sends a byte a
second holds one greenlet, not one of the (two) workers. With sync workers, two such
connections left no worker for Shopify's deliveries (answered at 22-30 s, after Shopify's 5 s);
`python -m bench.slow_clients` measures both. `GUNICORN_CMD_ARGS="--worker-class sync"` runs
the sync workers again (the benchmark's baseline): the command line's options win over that
variable, and it over this file.

Nothing here imports the service at load time: this file is read by gunicorn's master, which
must not import the service (and redis, ssl) before the workers' gevent patches them.
"""

worker_class = "gevent"
# Connections one worker holds at once; past that it accepts no more until one closes. A proxy
# in front (deploy/Caddyfile) buffers requests, so slow clients do not reach this far there.
worker_connections = 1000


def post_worker_init(worker):
    """In each worker, once its app is loaded (and gevent has patched it): the METRICS_BIND
    listener, when that is set. Every worker listens on the address (SO_REUSEPORT)."""
    from web.metrics import serve_metrics

    if hasattr(worker.wsgi, "config") and "SETTINGS" in worker.wsgi.config:
        serve_metrics(worker.wsgi)
