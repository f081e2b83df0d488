"""docker-compose.yml, read as Compose reads it (no Docker here): only the TLS proxy publishes
ports, the web process is the Procfile's, and Redis keeps its data and refuses to evict it."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]


def procfile_line(name: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text().splitlines()
                if line.startswith(f"{name}:"))


def test_only_the_proxy_publishes_ports():
    assert {name for name, service in SERVICES.items() if "ports" in service} == {"proxy"}
    assert {"80:80", "443:443"} <= set(SERVICES["proxy"]["ports"])


def test_the_proxy_is_caddy_with_the_deploy_caddyfile_and_keeps_its_certificates():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert any(volume.startswith("caddy-data:/data") for volume in proxy["volumes"])
    assert "${DOMAIN:?" in proxy["environment"]["DOMAIN"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$DOMAIN}" in caddyfile and "reverse_proxy {$UPSTREAM:web:8000}" in caddyfile
    assert re.search(r"request_buffers \S+", caddyfile)


def test_the_web_service_runs_the_procfiles_web_line():
    command = SERVICES["web"]["command"]
    assert command.startswith("sh -c 'exec ") and command.endswith("'")
    as_procfile = command[len("sh -c 'exec "):-1].replace("$${", "${").replace("0.0.0.0:8000", "0.0.0.0:${PORT:-8000}")
    assert as_procfile == procfile_line("web")
    assert "--config deploy/gunicorn.conf.py" in command


def test_the_mcp_service_runs_the_procfiles_mcp_line_where_the_proxy_sends_mcp():
    """The Procfile's mcp listens on its $PORT, as a platform gives each process; compose gives it 8001."""
    command = SERVICES["mcp"]["command"]
    assert command.replace("0.0.0.0:8001", "0.0.0.0:${PORT:-8001}") == procfile_line("mcp")
    assert "8001" in SERVICES["mcp"]["expose"] and "ports" not in SERVICES["mcp"]
    assert "reverse_proxy {$MCP_UPSTREAM:mcp:8001}" in (ROOT / "deploy" / "Caddyfile").read_text()


def test_gunicorn_runs_gevent_workers():
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gevent"
    assert config["worker_connections"] >= 512
    assert "COPY deploy/gunicorn.conf.py deploy/" in (ROOT / "Dockerfile").read_text()


def test_redis_keeps_its_data_and_never_evicts():
    redis = SERVICES["redis"]
    command = redis["command"]
    options = dict(zip(command[1::2], command[2::2], strict=False))
    assert options["--appendonly"] == "yes"
    assert options["--appendfsync"] == "everysec"
    assert options["--maxmemory-policy"] == "noeviction"
    assert re.fullmatch(r"\$\{REDIS_MAXMEMORY:-\d+[mg]b\}", options["--maxmemory"])
    assert redis["mem_limit"]
    assert "redis-data:/data" in redis["volumes"]
    # Why, where it is set: the loss measured without persistence.
    assert "300 of 300" in COMPOSE_TEXT


def test_the_container_memory_limit_is_above_maxmemory():
    maxmemory = re.search(r"REDIS_MAXMEMORY:-(\d+)([mg])b", COMPOSE_TEXT)
    limit = re.search(r"REDIS_MEMORY_LIMIT:-(\d+)([mg])", COMPOSE_TEXT)
    megabytes = [int(m.group(1)) * (1024 if m.group(2) == "g" else 1) for m in (maxmemory, limit)]
    assert megabytes[1] >= 1.5 * megabytes[0]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_service_processes_share_the_settings_and_wait_for_redis(service):
    environment = SERVICES[service]["environment"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert SERVICES[service]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert environment["METRICS_BIND"].startswith("${METRICS_BIND:-0.0.0.0:9102")


def test_every_setting_is_passed_through():
    """A setting core/settings.py reads that the compose file does not pass is unset in every container."""
    environment = SERVICES["web"]["environment"]
    names = set(re.findall(r'reader\.\w+\("([A-Z_]+)"', (ROOT / "core" / "settings.py").read_text()))
    missing = names - set(environment)
    assert not missing, f"add to docker-compose.yml's x-service environment: {sorted(missing)}"
