"""The load generator: wrk (Debian package `wrk`), driven by a generated Lua script.

Each request carries its own `X-Shopify-Webhook-Id` and `X-Shopify-Event-Id`. Those headers are
not signed, so the service also dedupes on the body: a body sent twice is a duplicate whatever
its ids. A body holding `UNIQUE` (`devtools.webhook_payloads.numbered_body(order, UNIQUE.decode())`)
is made new for each request (every `UNIQUE` becomes a number no other request of the process
gets) and signed again, `X-Shopify-Hmac-Sha256` with `secret`, through the libcrypto wrk is
linked with (LuaJIT's FFI): every relevant delivery is new and really enqueued. With a rate,
requests leave on a fixed schedule (LuaJIT's clock) instead of as fast as answers come.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass

_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
           int clock_gettime(int clock, bench_timespec *now);
           typedef struct evp_md_st EVP_MD;
           const EVP_MD *EVP_sha256(void);
           unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len, const unsigned char *data,
                               size_t length, unsigned char *out, unsigned int *out_length);
           int EVP_EncodeBlock(unsigned char *out, const unsigned char *data, int length); ]]
local clock = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local digest = ffi.new("unsigned char[32]")
local digest_length = ffi.new("unsigned int[1]")
local encoded = ffi.new("unsigned char[45]")
local function signature(secret, body)
  ffi.C.HMAC(ffi.C.EVP_sha256(), secret, #secret, body, #body, digest, digest_length)
  return ffi.string(encoded, ffi.C.EVP_EncodeBlock(encoded, digest, 32))
end

local parts = {parts}
local secret = {secret}
local first_number = {first_number}
local headers = {headers}
local interval = {interval}
local sent = 0
local next_at = nil

function request()
  sent = sent + 1
  local id = "{run}-" .. thread_number .. "-" .. sent
  headers["X-Shopify-Webhook-Id"] = id
  headers["X-Shopify-Event-Id"] = id
  local body = table.concat(parts, string.format("%d", first_number + thread_number * 100000000 + sent))
  if secret then headers["X-Shopify-Hmac-Sha256"] = signature(secret, body) end
  return wrk.format("POST", "{path}", headers, body)
end

function delay()
  if interval == 0 then return 0 end
  local t = now()
  if next_at == nil or next_at < t then next_at = t end
  local wait = next_at - t
  next_at = next_at + interval
  return wait * 1000
end
"""


UNIQUE = b"__UNIQUE__"
_runs = itertools.count(1)


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    """wrk's path; installed with apt-get when missing and this process may do so."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("bench: wrk not found, installing the Debian package: apt-get install -y wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: the load generator wrk is missing; install it with `sudo apt-get install wrk`")
    return found


def run(url: str, body: bytes, headers: dict[str, str], seconds: float, connections: int,
        rate: float | None = None, secret: str | None = None) -> Load:
    """wrk against `url` with `body` numbered per request; `headers` as given, but for the ids
    (and with `secret`, the signature) that each request gets of its own."""
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    parts = "{" + ", ".join(f"[==[{part.decode()}]==]" for part in body.split(UNIQUE)) + "}"
    script = _SCRIPT.replace("{headers}", lua_headers).replace("{interval}", repr(1.0 / rate if rate else 0)) \
        .replace("{run}", uuid.uuid4().hex[:12]).replace("{path}", _path(url)) \
        .replace("{secret}", f"[==[{secret}]==]" if secret else "nil") \
        .replace("{first_number}", str(next(_runs) * 10**12)).replace("{parts}", parts)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="rw-bench-") as handle:
        handle.write(script)
        handle.flush()
        command = [ensure_wrk(), "--latency", "-t", "1", "-c", str(connections), "-d", f"{seconds:g}s",
                   "--timeout", "5s", "-s", handle.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    return _parse(output)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _parse(output: str) -> Load:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_milliseconds(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        p99_ms=_milliseconds(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        requests=requests,
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]
