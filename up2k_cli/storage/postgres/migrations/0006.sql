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
