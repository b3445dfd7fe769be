"""storage/migrations.py: ordered schema upgrades, and refusing a schema from the future."""

from __future__ import annotations

from typing import Any

import pytest

from up2k_cli.domain.errors import RegistryDamaged
from up2k_cli.storage import migrations


def registry(version: Any) -> dict[str, Any]:
    return {"meta": {"1": {"schema_version": version}}, "cadres": {"1": {"id": "K0001"}}}


def fake_migrations(calls: list[int]) -> dict[int, Any]:
    def v1_to_v2(data: dict[str, Any]) -> None:
        calls.append(1)
        assert data["meta"]["1"]["schema_version"] == 1
        data["cadres"]["1"]["phone"] = None

    def v2_to_v3(data: dict[str, Any]) -> None:
        calls.append(2)
        assert data["meta"]["1"]["schema_version"] == 2
        assert "phone" in data["cadres"]["1"], "runs after 1 -> 2"
        data["cadres"]["1"]["tags"] = []

    return {2: v2_to_v3, 1: v1_to_v2}  # dict order must not matter


def test_upgrade_applies_each_migration_in_order() -> None:
    calls: list[int] = []
    data = registry(1)
    steps = migrations.upgrade(data, fake_migrations(calls), target=3)
    assert calls == [1, 2]
    assert steps == 2
    assert data["meta"]["1"]["schema_version"] == 3
    assert data["cadres"]["1"] == {"id": "K0001", "phone": None, "tags": []}


def test_upgrade_starts_from_the_files_version() -> None:
    calls: list[int] = []
    v2 = registry(2)
    v2["cadres"]["1"]["phone"] = "+6281234567890"
    steps = migrations.upgrade(v2, fake_migrations(calls), target=3)
    assert calls == [2]
    assert steps == 1
    assert v2["meta"]["1"]["schema_version"] == 3


def test_current_file_needs_no_steps() -> None:
    calls: list[int] = []
    data = registry(3)
    steps = migrations.upgrade(data, fake_migrations(calls), target=3)
    assert (calls, steps) == ([], 0)
    assert data == registry(3)


def test_every_version_below_the_current_one_has_a_migration() -> None:
    assert migrations.CURRENT_VERSION >= 1
    assert sorted(migrations.MIGRATIONS) == list(range(1, migrations.CURRENT_VERSION))


def test_a_current_registry_needs_no_steps() -> None:
    data = registry(migrations.CURRENT_VERSION)
    steps = migrations.upgrade(data)
    assert steps == 0
    assert data["meta"]["1"]["schema_version"] == migrations.CURRENT_VERSION


def test_newer_schema_is_refused() -> None:
    with pytest.raises(RegistryDamaged, match=r"newer up2k \(schema 4; this program knows up to 3\)"):
        migrations.upgrade(registry(4), fake_migrations([]), target=3)


def test_v2_files_get_serial_document_ids_and_name_keys() -> None:
    data = {
        "meta": {"1": {"schema_version": 2}},
        "cadres": {"1": {"id": "K0007", "name": "Nur'aini"}, "2": {"id": "K0003", "name": "Ani"}},
        "history": {"5": {"seq": 1}},
    }
    migrations.upgrade(data)
    assert list(data["cadres"]) == ["3", "7"]
    assert data["cadres"]["7"]["name_key"] == "nuraini"
    assert list(data["history"]) == ["1"]
    assert data["files"] == {}


@pytest.mark.parametrize("version", [None, "1", 0, -1, True, 1.0])
def test_invalid_schema_version_is_damage(version: Any) -> None:
    with pytest.raises(RegistryDamaged, match="no valid schema_version"):
        migrations.upgrade(registry(version))


@pytest.mark.parametrize("data", [{}, {"meta": {}}, {"meta": []}, {"meta": {"1": "x"}}])
def test_missing_meta_is_damage(data: dict[str, Any]) -> None:
    with pytest.raises(RegistryDamaged):
        migrations.schema_version(data)
