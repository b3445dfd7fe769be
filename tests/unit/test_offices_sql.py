"""The offices' row-level security is written from schema.py (storage/postgres/ddl.py): every
table is covered, and the history's record kinds are the services' own."""

from __future__ import annotations

from up2k_cli.services.common import TABLE_OF
from up2k_cli.storage.postgres import ddl
from up2k_cli.storage.postgres.migrate import FOLDER
from up2k_cli.storage.schema import TABLES


def test_every_table_has_row_level_security_forced_and_a_viewer_view() -> None:
    sql = (FOLDER / "0005.sql").read_text(encoding="utf-8")
    for name in TABLES:
        assert f'ALTER TABLE up2k."{name}" FORCE ROW LEVEL SECURITY;' in sql, name
        assert f'CREATE VIEW up2k."viewer_{name}"' in sql, name
    assert "ALTER TABLE up2k.meta FORCE ROW LEVEL SECURITY;" in sql
    assert "ALTER TABLE up2k.offices FORCE ROW LEVEL SECURITY;" in sql


def test_the_history_kinds_an_office_may_read_are_the_services_own() -> None:
    assert {k: v for k, v in TABLE_OF.items() if v not in ddl.SHARED} == ddl.HISTORY_ENTITIES


def test_every_table_with_a_kelurahan_or_a_cadre_is_scoped() -> None:
    scoped = ddl.scoped_tables()
    for name, spec in TABLES.items():
        refers = {f.references.split(".")[0] for f in spec.fields if f.references}
        if "kelurahan_code" in spec.field_names or refers & {"cadres", "businesses", "groups", "referrals"}:
            assert name in scoped, name


def test_the_migration_is_what_the_tool_writes() -> None:
    """0005 is unreleased: it must be regenerated when schema.py changes (python -m tools.offices_migration)."""
    from tools.offices_migration import TARGET, migration

    assert TARGET.read_text(encoding="utf-8") == migration()
