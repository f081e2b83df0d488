"""Freshdesk: an automation rule ("Tags contains replace") triggers a webhook with the Advanced
JSON body from the README. Freshdesk does not sign; the rule sends the secret as the password
of basic auth ("Requires authentication") or in an `X-Webhook-Token` header."""

from web.helpdesks.templated import TokenTemplateReceiver


class Receiver(TokenTemplateReceiver):
    provider = "freshdesk"
