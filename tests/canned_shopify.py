"""A stand-in for ShopifyClient in unit tests: canned answers per document, calls recorded."""


class CannedShopify:
    """Answers each document from a dict; records what was sent."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.sent: list[tuple[str, dict]] = []

    def query(self, document: str, variables: dict | None = None) -> dict:
        self.sent.append((document, variables or {}))
        return self.answers[document]

    def mutate(self, document: str, variables: dict, field: str) -> dict:
        self.sent.append((document, variables))
        return self.answers[document][field]
