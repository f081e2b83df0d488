"""A stand-in for ShopifyClient whose answers change from call to call, as Shopify's do while a
job runs or an index catches up: each document answers the next of its scripted answers (the
last one repeats), and an answer that is an exception is raised. What was sent is recorded."""

from __future__ import annotations

from shopify.errors import ShopifyUserErrors


class ScriptedShopify:
    def __init__(self, script: dict):
        self.script = {document: list(answers) if isinstance(answers, list) else [answers]
                       for document, answers in script.items()}
        self.sent: list[tuple[str, dict]] = []

    def query(self, document: str, variables: dict | None = None) -> dict:
        self.sent.append((document, variables or {}))
        answers = self.script[document]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def mutate(self, document: str, variables: dict, field: str) -> dict:
        payload = self.query(document, variables)[field]
        if payload.get("userErrors"):
            raise ShopifyUserErrors(field, payload["userErrors"])
        return payload

    def count(self, document: str) -> int:
        return sum(1 for sent, _ in self.sent if sent == document)
