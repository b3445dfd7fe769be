-- up2k on PostgreSQL, schema version 6 (the file's schema 6 changes nothing in a file): indexes
-- for a registry of hundreds of thousands of cadres (issue 12, benchmarks/bench_postgres.py).
--
-- Frozen once released.

-- One kelurahan's list, a page at a time: `cadre list --kelurahan X --limit 50 --offset N` reads
-- the page in ID order (a serial ID's number is `pos`) and counts the list from the index alone.
CREATE INDEX cadres_kelurahan_code_pos_idx ON up2k."cadres" ("kelurahan_code", pos);

-- A record's page finds the bulk history entries naming it (an import, an enrollment of a list)
-- by their entity first: where row-level security applies, as it does to the coordinator, the
-- GIN index of `refs` cannot serve `refs @> ARRAY[...]` (the operator is not leakproof).
CREATE INDEX history_bulk_entity_idx ON up2k."history" ("entity") WHERE "refs" IS NOT NULL;

-- Reports in SQL (storage/postgres/read_models.py) read a record's dated events as of a day.
-- Parsing every record's JSON for that is slow at this scale, and for most records and days
-- needless: when all its events are on or before the day, the record stood then as it stands
-- now. These generated columns say when that is so (the first and last dated event), what the
-- record's last event says, and its attendance in short; the reports read the JSON only of the
-- records changed after the day asked for. up2k never writes them: PostgreSQL keeps them.
CREATE FUNCTION up2k.dates_in(events json) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    SELECT array[min(e ->> 'on'), max(e ->> 'on')]
      FROM json_array_elements(CASE WHEN json_typeof(events) = 'array' THEN events END) e
$$;
CREATE FUNCTION up2k.attendance_in(attendance json) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    SELECT array[max(value), count(*)::text,
                 CASE WHEN coalesce(bool_and(key ~ '^[0-9]{1,2}$' AND key::int < 63), true)
                      THEN coalesce(bit_or(1::bigint << key::int), 0)::text END]
      FROM json_each_text(CASE WHEN json_typeof(attendance) = 'object' THEN attendance END)
$$;

ALTER TABLE up2k."cadres"
    ADD COLUMN status_dates text[] GENERATED ALWAYS AS (up2k.dates_in("status_log")) STORED,
    ADD COLUMN status_last text GENERATED ALWAYS AS (
        CASE WHEN json_typeof("status_log") = 'array' THEN "status_log" -> -1 ->> 'status' END) STORED;
COMMENT ON COLUMN up2k."cadres".status_dates IS 'generated: first and last date of status_log';
COMMENT ON COLUMN up2k."cadres".status_last IS 'generated: the status of status_log''s last event';

ALTER TABLE up2k."enrollments"
    ADD COLUMN event_dates text[] GENERATED ALWAYS AS (up2k.dates_in("events")) STORED,
    ADD COLUMN event_last text GENERATED ALWAYS AS (
        CASE WHEN json_typeof("events") = 'array' THEN "events" -> -1 ->> 'status' END) STORED,
    ADD COLUMN attendance_short text[] GENERATED ALWAYS AS (up2k.attendance_in("attendance")) STORED;
COMMENT ON COLUMN up2k."enrollments".event_dates IS 'generated: first and last date of events';
COMMENT ON COLUMN up2k."enrollments".event_last IS 'generated: the status of the last event';
COMMENT ON COLUMN up2k."enrollments".attendance_short IS
    'generated: the last attendance date, how many sessions, and the sessions as bits (1 << n; NULL past 62)';
