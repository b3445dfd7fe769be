"""Writes storage/postgres/migrations/0005.sql (offices) from its hand-written parts below and
what storage/postgres/ddl.py writes from schema.py: `python -m tools.offices_migration`.

Run it again only while 0005 is unreleased (a table added before then, issue 15's, must be
covered by its row-level security); once released the file is frozen like every migration.
"""

from __future__ import annotations

from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "up2k_cli/storage/postgres/migrations/0005.sql"

HEAD = """
-- up2k on PostgreSQL, schema version 5 (the same number as the file's schema 5): offices.
--
-- Frozen once released. The tables and the security part were written by
-- `python -m up2k_cli.storage.postgres.ddl 5` and `... ddl --security` from storage/schema.py.
--
-- What it adds:
-- * the registry's identity (meta.registry_id), named by its bundles and exports as their origin;
-- * origins (where records from other registries came from) and peers (the registries whose
--   bundles were merged here), for `up2k merge`;
-- * accounts (`up2k office add`): a login per kelurahan office, and viewers for the agencies and
--   the city, listed in up2k.offices; row-level security, enabled and forced on every table, so
--   that an office reads and changes only its own kelurahan's records (up2k.scope()), and views
--   without personal data, the only thing a viewer may read.

ALTER TABLE up2k.meta ADD COLUMN registry_id text;
UPDATE up2k.meta SET registry_id = substr(md5(random()::text || clock_timestamp()::text), 1, 16);
CREATE SEQUENCE up2k.counter_bundle MINVALUE 0 START 1;

-- Numbers from a counter without setval, so that offices need no UPDATE on the sequences (and
-- cannot set a counter back); the numbers are checked to be in a row.
CREATE OR REPLACE FUNCTION up2k.reserve(kind text, n integer) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    counter regclass := format('up2k.%I', 'counter_' || kind)::regclass;
    latch bigint := hashtextextended('up2k.reserve ' || kind, 0);
    first bigint;
    last bigint;
BEGIN
    IF n < 1 THEN
        RAISE EXCEPTION 'up2k.reserve: % numbers asked for; at least 1', n;
    END IF;
    PERFORM pg_advisory_lock(latch);  -- held for one statement only, not to the end of the command
    SELECT min(v), max(v) INTO first, last FROM (SELECT nextval(counter) AS v FROM generate_series(1, n)) s;
    PERFORM pg_advisory_unlock(latch);
    IF last - first + 1 <> n THEN
        RAISE EXCEPTION 'up2k.reserve: counter % was advanced outside up2k at the same moment; run again',
                kind
            USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN first;
END
$$;

"""

ACCOUNTS = """
-- The accounts: one login per kelurahan office, and viewers. Roles belong to the server; this
-- table says which of them are this registry's and what each may see.
CREATE TABLE up2k.offices (
    login name PRIMARY KEY,
    kind text NOT NULL CONSTRAINT offices_kind_check CHECK (kind IN ('office', 'viewer')),
    kelurahan_code text,
    created_at text NOT NULL,
    CONSTRAINT offices_kelurahan_check CHECK ((kind = 'office') = (kelurahan_code IS NOT NULL))
);

-- Is the current role the schema's owner (or a member of it): the kecamatan coordinator?
CREATE FUNCTION up2k.is_owner() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT pg_catalog.pg_has_role(current_user, n.nspowner, 'MEMBER')
      FROM pg_catalog.pg_namespace n WHERE n.nspname = 'up2k'
$$;

-- What the current role sees: '*' everything (the coordinator; a viewer, through the views
-- alone), a kelurahan code (an office), NULL nothing (any other role). search_path is fixed, so
-- that no function or operator of another schema can stand in for the ones named here.
CREATE FUNCTION up2k.scope() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN up2k.is_owner() THEN '*'
                ELSE (SELECT CASE o.kind WHEN 'viewer' THEN '*' ELSE o.kelurahan_code END
                        FROM up2k.offices o WHERE o.login = current_user)
           END
$$;

ALTER TABLE up2k.offices ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.offices FORCE ROW LEVEL SECURITY;
CREATE POLICY offices_own ON up2k.offices USING (login = current_user OR up2k.is_owner())
    WITH CHECK (up2k.is_owner());

ALTER TABLE up2k.meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.meta FORCE ROW LEVEL SECURITY;
CREATE POLICY meta_read ON up2k.meta FOR SELECT USING (true);
CREATE POLICY meta_change ON up2k.meta FOR UPDATE USING (up2k.is_owner()) WITH CHECK (up2k.is_owner());
CREATE POLICY meta_add ON up2k.meta FOR INSERT WITH CHECK (up2k.is_owner());

-- Places are counted over every kelurahan, whoever enrolls: the triggers run as the schema's
-- owner. Trigger functions cannot be called directly, so an office can use them for nothing else.
ALTER FUNCTION up2k.check_places() SECURITY DEFINER;
ALTER FUNCTION up2k.check_batch_limits() SECURITY DEFINER;
REVOKE ALL ON FUNCTION up2k.check_places(), up2k.check_batch_limits() FROM PUBLIC;

"""


def accounts_sql() -> str:
    from up2k_cli.storage.postgres import ddl

    def body(kind: str) -> str:
        return ";\n        ".join(f"EXECUTE format('{g}', login)" for g in ddl.grants(kind))

    return f"""
-- What `up2k office add` gives an account (run as the coordinator; a migration that adds a table
-- calls it again for every account). Nothing else is granted: no CREATE, no ownership, no
-- function that runs with another role's rights.
CREATE FUNCTION up2k.grant_account(login name, kind text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA up2k TO %I', login);
    IF kind = 'viewer' THEN
        {body("viewer")};
    ELSE
        {body("office")};
    END IF;
END
$$;
REVOKE ALL ON FUNCTION up2k.grant_account(name, text) FROM PUBLIC;

-- Everything an account was given here, taken back (`up2k office remove`, before DROP ROLE).
CREATE FUNCTION up2k.revoke_account(login name) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA up2k FROM %I', login);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA up2k FROM %I', login);
    EXECUTE format('REVOKE ALL ON SCHEMA up2k FROM %I', login);
END
$$;
REVOKE ALL ON FUNCTION up2k.revoke_account(name) FROM PUBLIC;
"""


def migration() -> str:
    from up2k_cli.storage.postgres import ddl

    return HEAD.lstrip("\n") + ddl.tables_ddl(5) + "\n" + ACCOUNTS + ddl.security_ddl() + accounts_sql()


if __name__ == "__main__":
    TARGET.write_text(migration(), encoding="utf-8")
    print(TARGET)
