"""The baseline of the ingest benchmark: a Flask endpoint that answers 200 and does nothing else."""

from flask import Flask

app = Flask(__name__)


@app.post("/webhooks/shopify")
def receive():
    return {"status": "ok"}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
