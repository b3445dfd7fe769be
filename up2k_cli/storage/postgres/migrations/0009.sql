-- up2k on PostgreSQL, schema version 9 (the file's schema 9 changes nothing in a file): the jobs
-- line kept also as it stood the day before each cadre's last event (issue 12: `report weekly`
-- <= 1 s at 500,000 cadres).
--
-- Frozen once released.

-- A report as of a day works out afresh the cadres whose kept jobs rows (0007's up2k.owner_jobs)
-- hold only from a later day. For `report weekly`, whose day is the end of last week, those were
-- every cadre with a business started, a follow-up or a stated work status since: 19,450 of
-- 500,000 in the benchmark, 0.6 s of its 1.4 s. Most have one such day. So each cadre's part is
-- kept twice: as it stands now (up2k.owner_jobs, from its settled_on), and as it stood the day
-- before its settled_on (up2k.owner_jobs_before, from the settled_on of that part), which holds
-- for every day from that settled_on to the day before the other. A cadre with no part then
-- (not registered yet, no business, no stated work status) has no rows there, and had no part on
-- any earlier day either: nothing is worked out for it. Only the cadres whose part before holds
-- from a later day than the report's are worked out afresh (read_models.py job_figures).
--
-- Commands of an older up2k still writing (an office not upgraded yet) finish first, and those
-- after wait for this migration: the kept rows are filled below from what they left, and their
-- triggers then run the functions redefined here.
LOCK TABLE up2k.cadres, up2k.businesses, up2k.business_follow_ups, up2k.incomes IN SHARE MODE;

-- The rules stay written once: up2k.owner_jobs_as_of(day, ids, days) works out each cadre of
-- `ids` as of its own day (`days`, else `day`; `ids` NULL: every cadre as of `day`), and 0007's
-- up2k.owner_jobs_as_of(day, ids) is now that with one day for all. Each cadre's businesses,
-- follow-ups and income follow-ups are found through the index on their owner (LATERAL, OFFSET
-- 0, so the planner keeps it): a report's few thousand cadres no longer cost a hash of every
-- business, follow-up and income (0.55 -> 0.40 s for 19,450 cadres); every cadre at once (a
-- bulk refresh, a report as of a day long past) costs about a tenth more than the hash joins.
-- The sizes and work statuses are written out as in 0007; tests/integration/test_pg_read_models.py
-- holds them to the domain's.
CREATE FUNCTION up2k.owner_jobs_as_of(day date, ids text[], days date[])
RETURNS SETOF up2k.owner_jobs
LANGUAGE sql STABLE AS $$
    WITH c AS (
        SELECT c.id, c.kelurahan_code, c.registered_on, coalesce(c.work_status = 'unemployed', false) AS unemployed,
               day AS as_of
          FROM up2k.cadres c
         WHERE ids IS NULL AND c.registered_on <= day
        UNION ALL
        SELECT c.id, c.kelurahan_code, c.registered_on, coalesce(c.work_status = 'unemployed', false), x.as_of
          FROM (SELECT DISTINCT ON (id) id, coalesce(as_of, day) AS as_of FROM unnest(ids, days) x(id, as_of)
                 ORDER BY id, as_of) x
          JOIN up2k.cadres c ON c.id = x.id
         WHERE c.registered_on <= x.as_of
    ), b AS (
        SELECT b.id, b.cadre_id, c.as_of, b.category, coalesce(b.started_on, b.added_on) AS on_,
               b.family_workers, b.paid_workers, b.paid_were_unemployed, b.paid_local, b.turnover
          FROM c JOIN LATERAL (SELECT * FROM up2k.businesses b WHERE b.cadre_id = c.id OFFSET 0) b ON true
         WHERE coalesce(b.started_on, b.added_on) <= c.as_of
    ), f AS (
        -- each measured field's latest value by the day: the greatest [day number, place, value]
        SELECT f.business_id, max(f."on") AS on_,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.family_workers]) FILTER (WHERE f.family_workers IS NOT NULL))[3] AS family_workers,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_workers]) FILTER (WHERE f.paid_workers IS NOT NULL))[3] AS paid_workers,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_were_unemployed]) FILTER (WHERE f.paid_were_unemployed IS NOT NULL))[3] AS paid_were_unemployed,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_local]) FILTER (WHERE f.paid_local IS NOT NULL))[3] AS paid_local,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.turnover]) FILTER (WHERE f.turnover IS NOT NULL))[3] AS turnover
          FROM b JOIN LATERAL (SELECT * FROM up2k.business_follow_ups f WHERE f.business_id = b.id OFFSET 0) f
               ON true
         WHERE f."on" <= b.as_of
         GROUP BY f.business_id
    ), s AS (
        SELECT b.cadre_id, b.category, greatest(b.on_, f.on_) AS on_,
               coalesce(f.family_workers, b.family_workers) AS family_workers,
               coalesce(f.paid_workers, b.paid_workers) AS paid_workers,
               coalesce(f.paid_were_unemployed, b.paid_were_unemployed) AS paid_were_unemployed,
               coalesce(f.paid_local, b.paid_local) AS paid_local,
               coalesce(f.turnover, b.turnover) AS turnover
          FROM b LEFT JOIN f ON f.business_id = b.id
    ), per_category AS (
        SELECT cadre_id, category, max(on_) AS on_, count(*) AS businesses,
               coalesce(sum(family_workers), 0)::bigint AS family_workers,
               coalesce(sum(paid_workers), 0)::bigint AS paid_workers,
               coalesce(sum(paid_were_unemployed), 0)::bigint AS paid_were_unemployed,
               coalesce(sum(paid_local), 0)::bigint AS paid_local,
               count(*) FILTER (WHERE 12 * turnover <= 2000000000) AS micro,
               count(*) FILTER (WHERE 12 * turnover > 2000000000 AND 12 * turnover <= 15000000000) AS small,
               count(*) FILTER (WHERE 12 * turnover > 15000000000) AS medium,
               count(*) FILTER (WHERE turnover IS NULL) AS size_unknown
          FROM s GROUP BY cadre_id, category
    ), per_cadre AS (
        SELECT cadre_id, max(on_) AS on_, sum(businesses)::bigint AS businesses,
               sum(family_workers)::bigint AS family_workers, sum(paid_workers)::bigint AS paid_workers,
               sum(paid_were_unemployed)::bigint AS paid_were_unemployed, sum(paid_local)::bigint AS paid_local,
               sum(micro)::bigint AS micro, sum(small)::bigint AS small, sum(medium)::bigint AS medium,
               sum(size_unknown)::bigint AS size_unknown
          FROM per_category GROUP BY cadre_id
    ), started AS (
        -- domain/work.py work_status_on: a business started says working
        SELECT cadre_id, max(on_) AS on_ FROM b GROUP BY cadre_id
    ), stated AS (
        -- ... and so does an income follow-up stating a status; the latest by date, then place.
        -- Only a cadre unemployed at registration can move to work: the others' are not read.
        SELECT DISTINCT ON (i.cadre_id) i.cadre_id, i."on" AS on_, i.pos, i.work_status
          FROM c JOIN LATERAL (SELECT * FROM up2k.incomes i WHERE i.cadre_id = c.id OFFSET 0) i ON c.unemployed
         WHERE i."on" <= c.as_of AND i.work_status IS NOT NULL AND i.work_status <> ''
         ORDER BY i.cadre_id, i."on" DESC, i.pos DESC
    ), cadre AS (
        SELECT c.id, c.kelurahan_code, c.unemployed,
               greatest(c.registered_on, p.on_, stated.on_) AS settled_on,  -- p.on_: starts and follow-ups
               p.businesses, p.family_workers, p.paid_workers, p.paid_were_unemployed, p.paid_local,
               p.micro, p.small, p.medium, p.size_unknown,
               -- registration (stated unemployed), the latest business started, the latest
               -- income follow-up stating a status: the latest wins, a stated status over a
               -- business on the same day, registration before any follow-up
               c.unemployed AND CASE
                   WHEN stated.cadre_id IS NOT NULL AND (stated.on_, 1, stated.pos) > (c.registered_on, 1, 0::bigint)
                        AND (started.on_ IS NULL OR (stated.on_, 1, stated.pos) > (started.on_, 0, 0::bigint))
                   THEN stated.work_status = 'working'
                   ELSE started.on_ IS NOT NULL AND (started.on_, 0) > (c.registered_on, 1)
               END AS moved
          FROM c LEFT JOIN per_cadre p ON p.cadre_id = c.id
                 LEFT JOIN started ON started.cadre_id = c.id
                 LEFT JOIN stated ON stated.cadre_id = c.id
         WHERE p.cadre_id IS NOT NULL OR stated.cadre_id IS NOT NULL  -- started has p's cadres
    )
    SELECT id, ''::text, kelurahan_code, unemployed, settled_on, coalesce(businesses, 0),
           coalesce(family_workers, 0), coalesce(paid_workers, 0), coalesce(paid_were_unemployed, 0),
           coalesce(paid_local, 0), coalesce(micro, 0), coalesce(small, 0), coalesce(medium, 0),
           coalesce(size_unknown, 0), coalesce(moved, false)
      FROM cadre
    UNION ALL
    SELECT p.cadre_id, p.category, cadre.kelurahan_code, cadre.unemployed, cadre.settled_on, p.businesses,
           p.family_workers, p.paid_workers, p.paid_were_unemployed, p.paid_local, p.micro, p.small,
           p.medium, p.size_unknown, false
      FROM per_category p JOIN cadre ON cadre.id = p.cadre_id
$$;

CREATE OR REPLACE FUNCTION up2k.owner_jobs_as_of(day date, ids text[])
RETURNS SETOF up2k.owner_jobs
LANGUAGE sql STABLE AS $$
    SELECT * FROM up2k.owner_jobs_as_of(day, ids, NULL)
$$;

CREATE TABLE up2k.owner_jobs_before (LIKE up2k.owner_jobs INCLUDING ALL);
COMMENT ON TABLE up2k.owner_jobs_before IS
    'kept by triggers: each cadre''s part of the jobs line as it stood the day before the '
    'settled_on of its part in up2k.owner_jobs (none: it had no part then); it holds from its own '
    'settled_on to that day before';

-- As 0007's, and then each cadre's part as of the day before its settled_on. Many at once (more
-- than 10,000 cadres: a COPY, `copy --to`) work out every cadre's, twice.
CREATE OR REPLACE FUNCTION up2k.refresh_owner_jobs(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    whole CONSTANT integer := hashtext('up2k.owner_jobs');
    cadre CONSTANT integer := hashtext('up2k.owner_jobs cadre');
    every boolean;
    owners text[];
    befores date[];
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    ELSIF cardinality(ids) <= 64 THEN
        PERFORM pg_advisory_xact_lock_shared(whole, 0);
        PERFORM pg_advisory_xact_lock(cadre, hashtext(id))
           FROM (SELECT DISTINCT unnest(ids) AS id ORDER BY 1) x;
    ELSE
        PERFORM pg_advisory_xact_lock(whole, 0);
    END IF;
    every := cardinality(ids) > 10000;
    IF every THEN
        DELETE FROM up2k.owner_jobs;
        DELETE FROM up2k.owner_jobs_before;
        INSERT INTO up2k.owner_jobs SELECT * FROM up2k.owner_jobs_as_of('infinity', NULL);
    ELSE
        DELETE FROM up2k.owner_jobs WHERE cadre_id = ANY (ids);
        DELETE FROM up2k.owner_jobs_before WHERE cadre_id = ANY (ids);
        -- planned for these IDs each time (a plan kept for any IDs would read every cadre)
        EXECUTE 'INSERT INTO up2k.owner_jobs SELECT * FROM up2k.owner_jobs_as_of(''infinity'', $1)' USING ids;
    END IF;
    IF every THEN
        SELECT array_agg(cadre_id), array_agg(settled_on - 1) INTO owners, befores
          FROM up2k.owner_jobs WHERE category = '';
    ELSE
        SELECT array_agg(cadre_id), array_agg(settled_on - 1) INTO owners, befores
          FROM up2k.owner_jobs WHERE category = '' AND cadre_id = ANY (ids);
    END IF;
    EXECUTE 'INSERT INTO up2k.owner_jobs_before SELECT * FROM up2k.owner_jobs_as_of(NULL, $1, $2)'
      USING owners, befores;
END
$$;
REVOKE ALL ON FUNCTION up2k.refresh_owner_jobs(text[]) FROM PUBLIC;

-- As 0007's: a cadre removed takes its rows of both tables with it.
CREATE OR REPLACE FUNCTION up2k.owner_jobs_of_cadres() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM up2k.owner_jobs WHERE cadre_id IN (SELECT id FROM old_rows);
        DELETE FROM up2k.owner_jobs_before WHERE cadre_id IN (SELECT id FROM old_rows);
    ELSE
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.kelurahan_code, n.registered_on, n.work_status)
                   IS DISTINCT FROM (o.kelurahan_code, o.registered_on, o.work_status)));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION up2k.owner_jobs_of_cadres() FROM PUBLIC;

-- An office reads its own kelurahan's rows, as it does the records they are worked out from.
ALTER TABLE up2k.owner_jobs_before ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.owner_jobs_before FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_jobs_before_kelurahan ON up2k.owner_jobs_before FOR SELECT
    USING ((SELECT up2k.scope()) = '*' OR kelurahan_code = (SELECT up2k.scope()));
CREATE POLICY owner_jobs_before_kept ON up2k.owner_jobs_before
    USING ((SELECT up2k.scope()) = '*') WITH CHECK ((SELECT up2k.scope()) = '*');

CREATE OR REPLACE FUNCTION up2k.grant_account(login name, kind text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA up2k TO %I', login);
    IF kind = 'viewer' THEN
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k."viewer_cadres", up2k."viewer_batches", up2k."viewer_enrollments", up2k."viewer_businesses", up2k."viewer_steps", up2k."viewer_incomes", up2k."viewer_files", up2k."viewer_history", up2k."viewer_business_follow_ups", up2k."viewer_groups", up2k."viewer_memberships", up2k."viewer_group_tiers", up2k."viewer_referrals", up2k."viewer_referral_updates", up2k."viewer_origins", up2k."viewer_peers" TO %I', login);
    ELSE
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k.owner_jobs, up2k.owner_jobs_before, up2k.cadre_figures TO %I', login);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON up2k."cadres", up2k."enrollments", up2k."businesses", up2k."steps", up2k."incomes", up2k."business_follow_ups", up2k."groups", up2k."memberships", up2k."group_tiers", up2k."referrals", up2k."referral_updates" TO %I', login);
        EXECUTE format('GRANT SELECT, UPDATE ON up2k.batches TO %I', login);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON up2k.history TO %I', login);
        EXECUTE format('GRANT INSERT ON up2k.files TO %I', login);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA up2k TO %I', login);
    END IF;
END
$$;
SELECT up2k.grant_account(login, kind) FROM up2k.offices WHERE kind = 'office';

-- The registry's cadres as they stood the day before their last event.
INSERT INTO up2k.owner_jobs_before
SELECT * FROM up2k.owner_jobs_as_of(NULL, ARRAY(SELECT cadre_id FROM up2k.owner_jobs WHERE category = '' ORDER BY cadre_id),
                                    ARRAY(SELECT settled_on - 1 FROM up2k.owner_jobs WHERE category = '' ORDER BY cadre_id));
