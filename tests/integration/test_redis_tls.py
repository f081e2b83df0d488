"""Redis on another machine is reached with a password and TLS (`rediss://`): a replacement made
end to end through a redis-server that listens with TLS only and asks for a password, by the
Procfile's web process (gevent), a Celery worker (the broker, the state, the budget) and the
settings check at start-up, with the URL the README gives:

    rediss://:PASSWORD@HOST:6379/0?ssl_cert_reqs=required&ssl_ca_certs=/path/to/ca.pem

The certificate is made here with openssl: a CA of the test's own and a server certificate it
signs for 127.0.0.1, so the client checks the server's certificate as in production."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests
from kombu import Connection

from core.settings import ConfigError
from core.store import State
from devtools.processes import ProcfileWeb, RedisServer, Workers, service_env
from devtools.webhook_payloads import shopify_headers
from tests.conftest import make_settings
from tests.integration.conftest import wait_for_request

PASSWORD = "s3cret/with:odd@chars"


def make_certificates(folder: Path) -> dict[str, Path]:
    files = {name: folder / name for name in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt", "ext")}
    files["ext"].write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=replacement test CA",
            "-keyout", str(files["ca.key"]), "-out", str(files["ca.crt"]))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", str(files["server.key"]), "-out", str(files["server.csr"]))
    openssl("x509", "-req", "-in", str(files["server.csr"]), "-CA", str(files["ca.crt"]), "-CAkey",
            str(files["ca.key"]), "-CAcreateserial", "-days", "2", "-extfile", str(files["ext"]),
            "-out", str(files["server.crt"]))
    return files


class TlsRedisServer(RedisServer):
    """The harness's redis-server, with TLS only (no plain port) and a password."""

    name = "redis-tls"

    def __init__(self, certificates: dict[str, Path]):
        super().__init__()
        self.certificates = certificates

    @property
    def url(self) -> str:
        return (f"rediss://:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/0"
                f"?ssl_cert_reqs=required&ssl_ca_certs={self.certificates['ca.crt']}")

    def start(self) -> TlsRedisServer:
        self._spawn([shutil.which("redis-server"), "--port", "0", "--tls-port", str(self.port),
                     "--bind", "127.0.0.1", "--dir", self.dir, "--save", "", "--appendonly", "yes",
                     "--appendfsync", "everysec", "--requirepass", PASSWORD,
                     "--tls-cert-file", str(self.certificates["server.crt"]),
                     "--tls-key-file", str(self.certificates["server.key"]),
                     "--tls-ca-cert-file", str(self.certificates["ca.crt"]), "--tls-auth-clients", "no"])
        client = self.client()
        self._wait_for(lambda: _pings(client), "to answer PING over TLS", 10)
        return self


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    if not shutil.which("redis-server") or not shutil.which("openssl"):
        pytest.fail("redis-server (built with TLS, as Debian's) and openssl are needed")
    server = TlsRedisServer(make_certificates(tmp_path_factory.mktemp("tls"))).start()
    yield server
    server.stop()


def test_the_server_takes_only_tls_with_the_password(tls_redis):
    assert tls_redis.client().ping()
    plain = redis.Redis(host="127.0.0.1", port=tls_redis.port, password=PASSWORD, socket_timeout=2)
    with pytest.raises(redis.ConnectionError):
        plain.ping()
    no_password = redis.Redis.from_url(tls_redis.url.replace(f":{quote(PASSWORD, safe='')}@", ""))
    with pytest.raises(redis.AuthenticationError):
        no_password.ping()
    unchecked_ca = redis.Redis.from_url(tls_redis.url.split("&ssl_ca_certs")[0], socket_timeout=2)
    with pytest.raises(redis.ConnectionError, match="certificate verify failed"):
        unchecked_ca.ping()


def test_the_celery_broker_checks_the_certificate_too(tls_redis):
    with Connection(tls_redis.url, connect_timeout=2) as broker:
        broker.ensure_connection(max_retries=1)
        broker.default_channel.client.lpush("tls-check", "1")
    assert tls_redis.client().lpop("tls-check") == b"1"
    with Connection(tls_redis.url.split("&ssl_ca_certs")[0], connect_timeout=2) as broker:
        with pytest.raises(Exception, match="certificate verify failed"):
            broker.ensure_connection(max_retries=1)


def test_a_rediss_url_must_say_how_the_certificate_is_checked():
    """Without ssl_cert_reqs, Celery's Redis transport connects without checking the server's
    certificate (kombu logs a warning and goes on): start-up refuses it, naming the setting."""
    with pytest.raises(ConfigError, match="REDIS_URL is a rediss:// URL without ssl_cert_reqs"):
        make_settings(REDIS_URL="rediss://:secret@redis.example:6380/0")
    assert make_settings(REDIS_URL="rediss://:secret@redis.example:6380/0?ssl_cert_reqs=required").redis_url


def test_a_replacement_is_made_through_a_tls_redis(tls_redis, sandbox, shop):
    env = service_env(tls_redis.url, sandbox.url)
    workers = Workers(env, concurrency=1, name="tls").start()
    web = ProcfileWeb(env).start()
    try:
        shop.tag(add=["needs-replacement"])
        body = json.dumps(shop.rest_order()).encode()
        answer = requests.post(f"{web.url}/webhooks/shopify", data=body, timeout=5,
                               headers=shopify_headers(body, webhook_id="tls-1", event_id="tls-1"))
        assert answer.json() == {"status": "queued"}
        assert wait_for_request(State(tls_redis.client()), "admin-450789469-1")["status"] == "done"
        [replacement] = shop.replacements()
        assert replacement["total_price"] == "0.00"
        assert requests.get(f"{web.url}/readyz", timeout=5).status_code == 200
    finally:
        web.stop()
        workers.stop()
    assert "celery@" in workers.output() or "ready" in workers.output()
