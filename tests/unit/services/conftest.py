"""Services on the in-memory unit of work: no file, no lock, milliseconds per test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.enrollment_data import cadres_csv
from up2k_cli.services import importer
from up2k_cli.storage import migrations, presets
from up2k_cli.storage.schema import TABLES
from up2k_cli.storage.tiny import MemoryUnitOfWork

TODAY = dt.date(2026, 11, 27)


def fresh(**kwargs: Any) -> MemoryUnitOfWork:
    """An empty Cilandak registry in memory, as `up2k init` makes it."""
    meta = presets.new_meta(dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 8, 0), migrations.CURRENT_VERSION)
    data = {"meta": {"1": meta}, **{name: {} for name in TABLES}}
    return MemoryUnitOfWork(data, command=kwargs.pop("command", "test"), user="tester",
                            now=dt.datetime(2026, 11, 27, 9, 0).astimezone(), **kwargs)  # fmt: skip


def with_cadres(uow: MemoryUnitOfWork, per_kelurahan: dict[str, int]) -> MemoryUnitOfWork:
    source = importer.read_csv(cadres_csv(per_kelurahan).encode())
    importer.import_cadres(uow, source, today=TODAY, source_name="test.csv")
    return uow


@pytest.fixture
def uow() -> MemoryUnitOfWork:
    """Five cadres: K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus (registered 2026-10-01)."""
    return with_cadres(fresh(), {"Pondok Labu": 3, "Lebak Bulus": 2})


def tables(uow: MemoryUnitOfWork) -> dict[str, Any]:
    """Every table's records and the settings (not the history, not the ID counters), to compare
    states."""
    data = uow.data()
    kept = {name: data.get(name, {}) for name in TABLES if name not in ("history", "files")}
    return {**kept, "settings": data["meta"]["1"]["settings"]}
