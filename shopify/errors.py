"""How an Admin API call failed: what Shopify answered, and whether trying again may help."""

from core.errors import PermanentFailure, ReplacementError


class ShopifyError(ReplacementError):
    """An Admin API call failed; keeps what Shopify answered."""

    def __init__(self, message: str, status: int | None = None, request_id: str | None = None,
                 body: str | None = None):
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.body = body


class RetryableShopifyError(ShopifyError):
    """Network error, timeout, 5xx or throttling: the same call may succeed later.

    For a mutation the change may have been applied even though the answer was lost.
    """


class PermanentShopifyError(ShopifyError, PermanentFailure):
    """A 4xx or a GraphQL error that no retry will fix."""


class ShopifyUserErrors(PermanentFailure):
    """A mutation answered with userErrors: Shopify refused the change."""

    def __init__(self, operation: str, user_errors: list[dict]):
        messages = "; ".join(
            f"{'.'.join(map(str, e.get('field') or []))}: {e.get('message')}".lstrip(": ")
            for e in user_errors
        )
        super().__init__(f"{operation} refused: {messages}")
        self.user_errors = user_errors


class ShopUnavailable(ShopifyError):
    """The shop cannot be worked on for now, through no fault of the request: frozen (402),
    locked (423), or its credentials refused (401 with a fresh token, a refused token mint).
    Its work waits and is retried later, for hours if need be; it never fails a request.
    `reason` is `frozen`, `locked` or `auth`."""

    def __init__(self, message: str, reason: str, shop: str, status: int | None = None,
                 request_id: str | None = None):
        super().__init__(message, status, request_id)
        self.reason = reason
        self.shop = shop


class BudgetShort(ShopifyError):
    """The shop's API budget cannot pay for the call for a while: nothing was sent. The task
    comes back in `retry_in` seconds (its slot in the shop's queue), leaving the worker to
    other shops' work meanwhile."""

    def __init__(self, message: str, shop: str, retry_in: float):
        super().__init__(message)
        self.shop = shop
        self.retry_in = retry_in
