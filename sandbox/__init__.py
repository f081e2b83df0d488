"""A local sandbox Shopify store that speaks the Admin GraphQL API (2026-04).

`start_in_thread()` serves one from a background thread; `python -m sandbox` from the command line.
"""

from sandbox.server import Sandbox, create_app, start_in_thread
from sandbox.store import Store

__all__ = ["Sandbox", "Store", "create_app", "start_in_thread"]
