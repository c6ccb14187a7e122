"""Shared fixtures: throwaway databases (SQLite files and real PostgreSQL databases) and a
seeded database reused across the tests that only read."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from lib import sample, store

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("IMPROVEMENT_BOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"


PG_SKIP_REASON = _pg_reason()


def make_pg_database() -> tuple[str, str]:
    """Create a fresh PostgreSQL database; returns (url, name)."""
    name = f"ib_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database with the schema, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'board.db'}"
        engine = store.get_engine(url)
        store.init_db(engine)
        yield engine
        engine.dispose()
        return
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    url, name = make_pg_database()
    engine = store.get_engine(url)
    store.init_db(engine)
    yield engine
    engine.dispose()
    store._ENGINES.pop(url, None)
    drop_pg_database(name)


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database seeded once per test session; tests must not write to it."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    url = f"sqlite:///{path}"
    sample.seed(store.get_engine(url))
    return url


@pytest.fixture
def seeded_engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture
def fresh_seeded_url(tmp_path: Path, seeded_url: str) -> str:
    """A private copy of the seeded database, for tests that write."""
    import shutil

    src = Path(seeded_url.removeprefix("sqlite:///"))
    store.get_engine(seeded_url).dispose()
    dst = tmp_path / "copy.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def streamlit_caches() -> Iterator[None]:
    """Every AppTest run starts with empty Streamlit caches (the loaders are keyed by URL, not test)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
