"""The baselines of the ingest benchmark: a Flask endpoint that answers 200 and does nothing
else, and the floor of an enqueue: the same, after reading the body and pushing it to Redis in
one round trip (what no relevant delivery can do without)."""

import os

import redis
from flask import Flask, request

app = Flask(__name__)
FLOOR_LIST = "rw-bench:floor"
_client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


@app.post("/webhooks/shopify")
def receive():
    return {"status": "ok"}


@app.post("/floor")
def floor():
    _client.lpush(FLOOR_LIST, request.get_data())
    return {"status": "ok"}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
