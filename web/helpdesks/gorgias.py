"""Gorgias: an HTTP integration on "ticket updated" posts the JSON body from the README. Gorgias
does not sign; the integration sends the secret in an `X-Webhook-Token` header."""

from web.helpdesks.templated import TokenTemplateReceiver


class Receiver(TokenTemplateReceiver):
    provider = "gorgias"
