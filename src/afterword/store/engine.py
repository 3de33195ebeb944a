"""Opening the store: SQLite by default, PostgreSQL from ``AFTERWORD_DATABASE_URL``.

The default is ``.afterword/afterword.db`` in the current folder (the postmortem
repository), in WAL mode so that readers never wait for a writer. Writers take the write
lock when their transaction begins (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock
per file), so two ``afterword index`` runs at once neither corrupt the store nor insert a
postmortem twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from afterword.errors import InputError

ENV = "AFTERWORD_DATABASE_URL"
#: Seconds a SQLite writer waits for another to finish before "the database is locked".
LOCK_TIMEOUT_ENV = "AFTERWORD_DB_LOCK_TIMEOUT"
DEFAULT_PATH = Path(".afterword") / "afterword.db"
#: Every schema revision this afterword knows, oldest first; the last is the one it reads.
REVISIONS = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]


class StoreError(InputError):
    """The store cannot be used: missing, locked, unreachable or from a newer schema."""


@dataclass
class Database:
    engine: Engine
    url: str
    root: Path

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, ``AFTERWORD_DATABASE_URL``, or the default SQLite file."""
    return url or os.environ.get(ENV) or f"sqlite:///{DEFAULT_PATH}"


def connect(url: str | None = None, *, create: bool = False) -> Database:
    """An engine on the store; a missing SQLite file is an error unless ``create``."""
    chosen = database_url(url)
    try:
        parsed = make_url(chosen)
    except ArgumentError:
        raise StoreError(f"not a database URL: {chosen!r}", field=ENV) from None
    root = Path.cwd()
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            file = Path(database)
            if not file.exists() and not create:
                raise StoreError("no database here yet; run `afterword index DIR` first", path=file)
            file.parent.mkdir(parents=True, exist_ok=True)
            root = file.resolve().parent.parent if file.parent.name == ".afterword" else root
        wait = float(os.environ.get(LOCK_TIMEOUT_ENV, "30"))
        engine = create_engine(chosen, connect_args={"isolation_level": None, "timeout": wait})
        _sqlite_pragmas(engine, wait)
    else:
        engine = create_engine(chosen, pool_pre_ping=True)
    return Database(engine, chosen, root)


def _sqlite_pragmas(engine: Engine, wait: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # in WAL mode NORMAL is still crash-safe; a commit just does not wait for the disk
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # take the write lock up front: two writers then queue instead of deadlocking
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _operational(error: OperationalError) -> str:
    message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if "locked" in message:
        return "the database is locked by another process; try again"
    return f"cannot use the database: {message}"


P = ParamSpec("P")
R = TypeVar("R")


def guarded(
    function: Callable[Concatenate[Database, P], R],
) -> Callable[Concatenate[Database, P], R]:
    """Database trouble (locked, unreachable, gone) as one StoreError line, not a traceback."""

    @wraps(function)
    def run(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(db, *args, **kwargs)
        except OperationalError as error:
            raise StoreError(_operational(error), path=db.url) from None

    return run


@guarded
def revision(db: Database) -> str | None:
    """The schema revision of the database, or None for an empty one."""
    with db.engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            # asked first (not the catalogue) since every search asks; no table: no schema
            connection.rollback()
            if inspect(connection).has_table("alembic_version"):
                raise
            return None


@guarded
def upgrade(db: Database, to: str = HEAD) -> tuple[str | None, str]:
    """Migrate the database to the newest schema (or to revision ``to``); (before, after)."""
    return _migrate(db, "upgrade", to)


@guarded
def downgrade(db: Database, to: str) -> tuple[str | None, str]:
    """Migrate the database back to revision ``to``; (before, after)."""
    return _migrate(db, "downgrade", to)


def _migrate(db: Database, direction: str, to: str) -> tuple[str | None, str]:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    before = revision(db)
    check_not_newer(before, db)
    config = AlembicConfig()
    config.set_main_option(
        "script_location", str(resources.files("afterword.store") / "migrations")
    )
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, to)
    return before, to


def check_not_newer(current: str | None, db: Database) -> None:
    if current is not None and current not in REVISIONS:
        raise StoreError(
            f"the database schema ({current}) is newer than this afterword "
            f"knows ({HEAD}); upgrade afterword",
            path=db.url,
        )


def ready(db: Database) -> None:
    """Refuse a database that is not at the schema this afterword reads."""
    current = revision(db)
    check_not_newer(current, db)
    if current != HEAD:
        raise StoreError(
            "the database schema is out of date; run `afterword db upgrade`", path=db.url
        )
