"""The database: engines, schema migrations, and the only way to write.

SQLite is the embedded default; any SQLAlchemy URL (PostgreSQL when hosted)
works through the same functions. Writes go through :func:`write`, which on
SQLite takes the write lock up front (``BEGIN IMMEDIATE``) and waits for it
(busy timeout), so concurrent imports queue instead of failing with
"database is locked", and one call is one transaction: all or nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from lib import config

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()
BUSY_TIMEOUT_MS = 60_000
WRITE_LOCK_KEY = 731_202_417  # the PostgreSQL advisory lock every write transaction takes


class StoreError(RuntimeError):
    """A database problem explained in plain words (locked, read-only, unreachable)."""


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        with suppress(Exception):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL for the life of the process."""
    resolved = config.database_url(url)
    with _LOCK:
        engine = _ENGINES.get(resolved)
        if engine is not None:
            return engine
        parsed = make_url(resolved)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(resolved, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _sqlite_setup(engine)
        else:
            engine = create_engine(resolved, pool_pre_ping=True)
        _ENGINES[resolved] = engine
        return engine


def dispose_all() -> None:
    """Close every pooled connection (tests, and before deleting a database file)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(config.MIGRATIONS_DIR))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def init_db(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration; existing data is kept."""
    if current_revision(engine) == head_revision():
        return
    cfg = _alembic_config()
    with engine.connect().execution_options(immediate=True) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


@contextmanager
def write(engine: Engine) -> Iterator[Session]:
    """One all-or-nothing write transaction holding the write lock from its first statement."""
    with engine.connect().execution_options(immediate=True) as conn:
        session = Session(bind=conn, expire_on_commit=False, autoflush=True)
        try:
            conn.begin()
            if engine.dialect.name == "postgresql":
                # One writer at a time, as BEGIN IMMEDIATE gives on SQLite: concurrent imports that
                # create the same shared rows (periods, KPIs) queue instead of failing on unique keys.
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            yield session
            session.flush()
            _bump_revision(conn)
            conn.commit()
        except BaseException:
            session.rollback()
            conn.rollback()
            raise
        finally:
            session.close()


REVISION_KEY = "data_revision"


def _bump_revision(conn: Any) -> None:
    """Give the data a new revision inside the write's own transaction: every committed write, settings
    included, changes it, so every server process sharing the database re-reads on its next rerun."""
    token = uuid.uuid4().hex
    updated = conn.execute(text("UPDATE setting SET value = :v WHERE key = :k"), {"v": token, "k": REVISION_KEY})
    if not updated.rowcount:
        conn.execute(text("INSERT INTO setting (key, value) VALUES (:k, :v)"), {"v": token, "k": REVISION_KEY})


def data_revision(engine: Engine) -> str:
    """The stored data revision ("0" before the first write)."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": REVISION_KEY}).scalar()
    return str(value) if value else "0"


@contextmanager
def read(engine: Engine) -> Iterator[Session]:
    """A read-only session (nothing it does is committed)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Many new rows of plain values (numbers, texts, None) in the session's transaction, without the ORM:
    PostgreSQL's COPY, else one ``executemany`` of prebuilt tuples. Why: building a dict and an ORM
    parameter set per row was most of the time of a national import's commit."""
    if not rows:
        return
    conn = session.connection()
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
