"""The store: every postmortem indexed in one place (SQLite by default, PostgreSQL for teams).

Postmortems live as Markdown in git; the store is an index of them, rebuilt from the files
at any time with ``afterword index``. Migrations (Alembic) bring any older database to the
current schema with ``afterword db upgrade``.
"""

from afterword.store.engine import (
    Database,
    StoreError,
    connect,
    downgrade,
    ready,
    revision,
    upgrade,
)
from afterword.store.index import IndexReport, index
from afterword.store.queries import action_items, statuses
from afterword.store.search import Filters, Found, Result, search

__all__ = [
    "Database",
    "Filters",
    "Found",
    "IndexReport",
    "Result",
    "StoreError",
    "action_items",
    "connect",
    "downgrade",
    "index",
    "ready",
    "revision",
    "search",
    "statuses",
    "upgrade",
]
