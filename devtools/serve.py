"""`bin/serve`: the whole service on this machine, run by honcho from Procfile.dev.

Procfile.dev runs the Procfile's web, worker and beat as written. With REDIS_URL unset the
embedded Redis is started first (only the development stack starts it); with no Shopify
credentials (SHOPIFY_ACCESS_TOKEN, SHOPIFY_CLIENT_ID, SHOPS_FILE) Procfile.dev's sandbox store
runs too and the service is pointed at it, so a newcomer sees a replacement made end to end:
as a Dev Dashboard app, the service mints its token with the client credentials grant, and the
store signs its webhooks with the client secret. Ctrl-C or SIGTERM stops every process honcho
runs (the embedded Redis stays up, with its data, for the next run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from devtools.embedded_redis import ensure_embedded_redis
from devtools.processes import ROOT
from devtools.webhook_payloads import SECRET, SHOP

SHOPIFY_CREDENTIALS = ("SHOPIFY_ACCESS_TOKEN", "SHOPIFY_CLIENT_ID", "SHOPS_FILE")
DEFAULT_SANDBOX_PORT = "8765"
CLIENT_ID = "sandbox-client-id"  # with SECRET, the app credentials the sandbox store and the service share


def stack(environ: Mapping[str, str], start_redis: Callable[[], str] = ensure_embedded_redis
          ) -> tuple[dict[str, str], list[str]]:
    """The environment of every process and the Procfile.dev processes to run."""
    env = dict(environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PORT", "8000")  # honcho gives the first process (web) this port
    processes = ["web", "worker", "beat"]
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = start_redis()
    if not any(env.get(name) for name in SHOPIFY_CREDENTIALS):
        sandbox_port = env.setdefault("SANDBOX_PORT", DEFAULT_SANDBOX_PORT)
        env.update(SHOPIFY_SHOP=SHOP, SHOPIFY_CLIENT_ID=CLIENT_ID, SHOPIFY_CLIENT_SECRET=SECRET,
                   SHOPIFY_ADMIN_URL=f"http://127.0.0.1:{sandbox_port}",
                   SANDBOX_WEBHOOK_URL=f"http://127.0.0.1:{env['PORT']}/webhooks/shopify")
        processes.append("sandbox")
    return env, processes


def main() -> None:
    env, processes = stack(os.environ)
    if env["REDIS_URL"] != os.environ.get("REDIS_URL"):
        print(f"serve: embedded Redis at {env['REDIS_URL']}", flush=True)
    if "sandbox" in processes:
        print(f"serve: sandbox store at {env['SHOPIFY_ADMIN_URL']} (no Shopify credentials set)", flush=True)
    # `--env /dev/null`: the environment is decided here; a .env read by honcho on top of it
    # could give the service a real shop's token with the sandbox's address.
    os.execve(sys.executable, [sys.executable, "-m", "honcho", "start", "--app-root", str(ROOT),
                               "--procfile", "Procfile.dev", "--env", "/dev/null", *processes], env)


if __name__ == "__main__":
    main()
