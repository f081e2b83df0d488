"""Helpdesk webhooks: `POST /webhooks/helpdesk/<provider>`, one adapter module per provider.

A provider is served only when its secret (`<PROVIDER>_WEBHOOK_SECRET`) is configured; any
other name answers 404, so an unconfigured helpdesk is not an open door. `?shop=` picks the
shop when several are configured; the first one otherwise.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, current_app, request

from web.errors import UnknownProvider, UnknownShop

blueprint = Blueprint("helpdesks", __name__)



def _adapters() -> dict:
    """Every module of this package that defines a class `Receiver` is a provider, named for its module."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        path = f"{__name__}.{module.name}"
        receiver = getattr(importlib.import_module(path), "Receiver", None)
        if receiver is not None and receiver.__module__ == path:
            found[module.name] = receiver
    return found


RECEIVERS = _adapters()


@blueprint.post("/webhooks/helpdesk/<provider>")
def receive(provider: str):
    settings = current_app.config["SETTINGS"]
    secrets = settings.helpdesk_secrets.get(provider)
    if provider not in RECEIVERS or not secrets:
        raise UnknownProvider()
    shop = settings.shop(request.args["shop"]) if "shop" in request.args else settings.default_shop
    if shop is None:
        # Signature first: an unsigned caller must not learn which shops are configured.
        RECEIVERS[provider](settings, secrets, settings.default_shop).verify(request, request.get_data(cache=True))
        raise UnknownShop()
    return RECEIVERS[provider](settings, secrets, shop).receive(request)
