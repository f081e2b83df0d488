"""Helpdesk webhooks: `POST /webhooks/helpdesk/<provider>`, one adapter module per provider.

A provider is served only when its secret (`<PROVIDER>_WEBHOOK_SECRET`) is configured; any
other name answers 404, so an unconfigured helpdesk is not an open door. `?shop=` picks the
shop when several are configured; the first one otherwise.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, current_app, request

from core.settings import HELPDESK_PROVIDERS
from web.errors import UnknownProvider, UnknownShop

blueprint = Blueprint("helpdesks", __name__)

RECEIVERS = {provider: importlib.import_module(f"{__name__}.{provider}").Receiver
             for provider in HELPDESK_PROVIDERS}


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
