"""deploy/Caddyfile as docker-compose.yml runs it (Caddy 2.11, DOMAIN=localhost: a certificate of
Caddy's local CA, which the client checks) in front of the Procfile's web process: deliveries go
through over TLS, slow clients are cut off at the proxy and never reach gunicorn (requests are
buffered whole), and a body over the limit is refused."""

from __future__ import annotations

import time

import pytest
import requests

from bench.slow_clients import CaddyProxy, SlowClients
from devtools.processes import ProcfileWeb, RedisServer, free_port, service_env
from tests.integration.test_slow_clients import delivery


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of these tests' own: no worker consumes what they queue."""
    server = RedisServer().start()
    yield server
    server.stop()


def connections_to(port: int) -> int:
    """Established TCP connections on this machine whose far end is 127.0.0.1:`port` (the proxy's to gunicorn)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


@pytest.fixture(scope="module")
def stack(own_redis):
    env = service_env(own_redis.url, "http://127.0.0.1:9")
    web = ProcfileWeb({**env, "METRICS_BIND": f"127.0.0.1:{free_port()}"}).start()
    proxy = CaddyProxy(f"127.0.0.1:{web.port}").start()
    yield web, proxy
    proxy.stop()
    web.stop()


def test_a_delivery_goes_through_over_tls(stack):
    web, proxy = stack
    body, headers = delivery(1, "proxy")
    answer = requests.post(f"{proxy.url}/webhooks/shopify", data=body, headers=headers, verify=proxy.ca, timeout=5)
    assert answer.json() == {"status": "queued"}
    # The public address has no /metrics: they are on METRICS_BIND, inside the network.
    assert requests.get(f"{proxy.url}/metrics", verify=proxy.ca, timeout=5).status_code == 404


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_refused(stack, chunked):
    """With a Content-Length the web answers 413 from the header; a chunked body is cut at 1 MB
    by the proxy, which answers 413 itself."""
    web, proxy = stack
    _, headers = delivery(2, "proxy")
    data = b"{" * 1_100_000
    answer = requests.post(f"{proxy.url}/webhooks/shopify", data=iter([data]) if chunked else data,
                           headers=headers, verify=proxy.ca, timeout=10)
    assert answer.status_code == 413


def test_slow_clients_are_cut_off_at_the_proxy_and_never_reach_gunicorn(stack):
    web, proxy = stack
    slow = SlowClients(proxy.port, 32, tls=True, seconds=60).start()
    try:
        # Half of them have sent their headers and trickle a body: none is passed on to gunicorn.
        assert connections_to(web.port) < 8
        started = time.monotonic()
        session, took = requests.Session(), []
        while time.monotonic() - started < 14:  # past the Caddyfile's read_header and read_body (10 s)
            body, headers = delivery(len(took) + 100, "proxy")
            sent = time.perf_counter()
            answer = session.post(f"{proxy.url}/webhooks/shopify", data=body, headers=headers, verify=proxy.ca,
                                  timeout=5)
            took.append(time.perf_counter() - sent)
            assert answer.json() == {"status": "queued"}
            time.sleep(0.2)
        cut_off = slow.reopened
    finally:
        slow.stop()
    assert cut_off >= 32, f"only {cut_off} of 32 slow connections cut off by the proxy"
    assert max(took) < 0.5
    # Not one of the slow requests reached gunicorn (its access log names every request it answered).
    assert SlowClients.USER_AGENT not in web.output()
