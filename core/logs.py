"""Structured JSON log lines. Never log a secret, a token, a full payload or an address."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from core.log_context import ContextFilter, RedactFilter


def json_handler(stream: TextIO) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"levelname": "level", "asctime": "time"}))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    return handler


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    root.handlers[:] = [json_handler(sys.stderr)]
    root.setLevel(level)
    for noisy in ("urllib3", "celery.worker.strategy", "celery.app.trace"):
        logging.getLogger(noisy).setLevel("WARNING")
