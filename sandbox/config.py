"""Sandbox settings: defaults in one place, changed at start-up or through `POST /_sandbox/config`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

# Restore rates from shopify.dev (points per second). Bucket sizes are not published: the sandbox
# assumes 20 s worth of restore, which `maximum_available` overrides.
# A development store has Standard's rate but cannot create orders (see drafts.complete_draft).
PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0, "enterprise": 2000.0, "development": 100.0}

# read_locations: every Location field but `id` needs it, and the service reads `location { isActive ... }`.
DEFAULT_SCOPES = [
    "read_orders", "write_orders", "write_draft_orders", "read_draft_orders",
    "read_products", "read_inventory", "write_inventory", "read_locations", "read_customers",
]


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    plan: str = "standard"
    restore_rate: float | None = None
    maximum_available: float | None = None
    max_query_cost: int = 1000
    draft_ready_delay: float = 0.2
    throttle_status: int = 200
    slow: float = 0.0
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_lifetime: float = 86399
    refuse_mint: bool | str = False
    mint_revokes_earlier: bool = False
    webhook_url: str | None = None
    webhook_secret: str = "sandbox-webhook-secret"
    webhook_topics: list[str] = field(default_factory=lambda: ["orders/updated", "refunds/create"])
    webhook_retries: int = 2
    webhook_duplicates: bool = False
    webhook_removal_failures: int | None = None
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    protected_customer_data: bool = True
    cancel_job_seconds: float = 0.5
    order_name_prefix: str = "#"
    order_name_suffix: str = ""

    def update(self, changes: dict) -> None:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown config keys: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if changes.get("plan", self.plan) not in PLANS:
            raise ConfigError(f"plan must be one of {', '.join(PLANS)}")
        if changes.get("throttle_status", self.throttle_status) not in (200, 429):
            raise ConfigError("throttle_status must be 200 or 429")
        if not isinstance(changes.get("refuse_mint", self.refuse_mint), bool | str):
            raise ConfigError("refuse_mint must be true, false or an OAuth error code")
        for name in ("token_lifetime", "cancel_job_seconds"):
            value = changes.get(name, getattr(self, name))
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{name} must be a number of seconds")
        for name, value in changes.items():
            setattr(self, name, value)

    @property
    def bucket_restore_rate(self) -> float:
        return float(self.restore_rate or PLANS[self.plan])

    @property
    def bucket_size(self) -> float:
        return float(self.maximum_available or 20 * self.bucket_restore_rate)

    def as_json(self) -> dict:
        data = asdict(self)
        data["bucket"] = {"maximumAvailable": self.bucket_size, "restoreRate": self.bucket_restore_rate}
        return data
