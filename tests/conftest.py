"""Shared fixtures: settings, the spaCy model (loaded once), stores, paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.settings import Settings
from narrascope.store import SqliteStore

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from current output"
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def nlp(settings: Settings) -> Any:
    from narrascope.extract.nlp import load_nlp

    return load_nlp(settings)


@pytest.fixture
def memory_store() -> Iterator[SqliteStore]:
    """An in-memory store, fresh for each test."""
    with SqliteStore(":memory:") as store:
        yield store


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"real corpus not present at {SEEDS}")
    return SEEDS
