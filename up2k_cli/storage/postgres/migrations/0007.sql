-- up2k on PostgreSQL, schema version 7 (the file's schema 7 changes nothing in a file): the jobs
-- line of the reports, kept ahead by the database (issue 12: every report <= 1 s at 500,000
-- cadres).
--
-- Frozen once released.

-- The jobs line (domain/jobs.py: businesses and their owners, the workers of each business's
-- latest follow-up, sizes by turnover, cadres who moved from unemployed to work) was worked out
-- over every business, follow-up and income follow-up at each report: 1.3 s of summary, target,
-- weekly and jobs at 500,000 cadres. up2k.owner_jobs_as_of(day, ids) works out each of those
-- cadres' part of it as of a day: one row per cadre (category '') with its totals, and one per
-- category it has businesses in. up2k.owner_jobs keeps every cadre's part as it stands now, with
-- `settled_on`, the date of the cadre's last event that counts (registration, a business
-- started, a follow-up; for a cadre unemployed at registration, an income follow-up stating a
-- work status): as of any day on or after it, the cadre's part is the row kept. A report works
-- out afresh only the cadres settled after its day (read_models.py job_figures). Triggers keep
-- the rows: a change to a cadre's businesses, their follow-ups, its income follow-ups, or its
-- kelurahan, registration date or work status works its part out again, in the same
-- transaction. up2k never writes the table.
CREATE TABLE up2k.owner_jobs (
    cadre_id text NOT NULL,
    category text NOT NULL,
    kelurahan_code text NOT NULL,
    unemployed boolean NOT NULL,
    settled_on date NOT NULL,
    businesses bigint NOT NULL,
    family_workers bigint NOT NULL,
    paid_workers bigint NOT NULL,
    paid_were_unemployed bigint NOT NULL,
    paid_local bigint NOT NULL,
    micro bigint NOT NULL,
    small bigint NOT NULL,
    medium bigint NOT NULL,
    size_unknown bigint NOT NULL,
    moved boolean NOT NULL,
    CONSTRAINT owner_jobs_pkey PRIMARY KEY (cadre_id, category)
);
CREATE INDEX owner_jobs_settled_on_idx ON up2k.owner_jobs (settled_on);
COMMENT ON TABLE up2k.owner_jobs IS
    'kept by triggers: each cadre''s part of the jobs line as it stands now (category '''': the '
    'cadre''s totals), and settled_on, from which day it holds; see up2k.owner_jobs_as_of';

-- The cadres `ids` (NULL: every cadre) as of `day`. Inlined into the query that calls it
-- (LANGUAGE sql, STABLE, no SET): the planner sees the day and the IDs. Annual sales up to
-- 2,000,000,000 are micro, up to 15,000,000,000 small (domain/work.py MICRO_MAX_SALES,
-- SMALL_MAX_SALES; PP 7/2021), a turnover is monthly; 'unemployed' and 'working' are
-- domain/work.py's UNEMPLOYED and WORKING (tests/integration/test_pg_read_models.py holds these
-- to the domain's).
CREATE FUNCTION up2k.owner_jobs_as_of(day date, ids text[])
RETURNS SETOF up2k.owner_jobs
LANGUAGE sql STABLE AS $$
    WITH c AS (
        SELECT c.id, c.kelurahan_code, c.registered_on, coalesce(c.work_status = 'unemployed', false) AS unemployed
          FROM up2k.cadres c
         WHERE (ids IS NULL OR c.id = ANY (ids)) AND c.registered_on <= day
    ), b AS (
        SELECT b.id, b.cadre_id, b.category, coalesce(b.started_on, b.added_on) AS on_,
               b.family_workers, b.paid_workers, b.paid_were_unemployed, b.paid_local, b.turnover
          FROM up2k.businesses b JOIN c ON c.id = b.cadre_id
         WHERE coalesce(b.started_on, b.added_on) <= day
    ), f AS (
        -- each measured field's latest value by the day: the greatest [day number, place, value]
        SELECT f.business_id, max(f."on") AS on_,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.family_workers]) FILTER (WHERE f.family_workers IS NOT NULL))[3] AS family_workers,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_workers]) FILTER (WHERE f.paid_workers IS NOT NULL))[3] AS paid_workers,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_were_unemployed]) FILTER (WHERE f.paid_were_unemployed IS NOT NULL))[3] AS paid_were_unemployed,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.paid_local]) FILTER (WHERE f.paid_local IS NOT NULL))[3] AS paid_local,
               (max(ARRAY[f."on" - DATE '2000-01-01', f.pos, f.turnover]) FILTER (WHERE f.turnover IS NOT NULL))[3] AS turnover
          FROM up2k.business_follow_ups f JOIN b ON b.id = f.business_id
         WHERE f."on" <= day
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
          FROM up2k.incomes i JOIN c ON c.id = i.cadre_id AND c.unemployed
         WHERE i."on" <= day AND i.work_status IS NOT NULL AND i.work_status <> ''
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

-- Works these cadres' parts out again, as they stand now. Run by the triggers below as the
-- schema's owner (an office's change counts in every line it is part of); trigger functions
-- cannot be called directly, so an office can use them for nothing else.
--
-- Two commands changing one cadre's records at once (writers run READ COMMITTED) would each
-- delete the rows the other has not committed yet and insert the same keys: so each cadre's
-- part is worked out under a lock of its own, taken in ID order, and read after it. Many at
-- once (a COPY, `copy --to`) take the whole table's lock instead (advisory locks are finite),
-- and past 10,000 cadres every part is worked out again in one pass over the tables.
CREATE FUNCTION up2k.refresh_owner_jobs(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    whole CONSTANT integer := hashtext('up2k.owner_jobs');
    cadre CONSTANT integer := hashtext('up2k.owner_jobs cadre');
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
    IF cardinality(ids) > 10000 THEN
        DELETE FROM up2k.owner_jobs;
        INSERT INTO up2k.owner_jobs SELECT * FROM up2k.owner_jobs_as_of('infinity', NULL);
    ELSE
        DELETE FROM up2k.owner_jobs WHERE cadre_id = ANY (ids);
        -- planned for these IDs each time (a plan kept for any IDs would read every cadre)
        EXECUTE 'INSERT INTO up2k.owner_jobs SELECT * FROM up2k.owner_jobs_as_of(''infinity'', $1)' USING ids;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION up2k.refresh_owner_jobs(text[]) FROM PUBLIC;

CREATE FUNCTION up2k.owner_jobs_of_cadres() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM up2k.owner_jobs WHERE cadre_id IN (SELECT id FROM old_rows);
    ELSE
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.kelurahan_code, n.registered_on, n.work_status)
                   IS DISTINCT FROM (o.kelurahan_code, o.registered_on, o.work_status)));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION up2k.owner_jobs_of_businesses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSE
        PERFORM up2k.refresh_owner_jobs(ARRAY(SELECT cadre_id FROM new_rows UNION SELECT cadre_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION up2k.owner_jobs_of_follow_ups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT DISTINCT b.cadre_id FROM up2k.businesses b WHERE b.id IN (SELECT business_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT DISTINCT b.cadre_id FROM up2k.businesses b WHERE b.id IN (SELECT business_id FROM old_rows)));
    ELSE
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT DISTINCT b.cadre_id FROM up2k.businesses b
             WHERE b.id IN (SELECT business_id FROM new_rows UNION SELECT business_id FROM old_rows)));
    END IF;
    RETURN NULL;
END
$$;

-- An income follow-up counts when it states a work status (domain/work.py).
CREATE FUNCTION up2k.owner_jobs_of_incomes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(SELECT DISTINCT cadre_id FROM new_rows WHERE work_status <> ''));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_owner_jobs(ARRAY(SELECT DISTINCT cadre_id FROM old_rows WHERE work_status <> ''));
    ELSE
        PERFORM up2k.refresh_owner_jobs(ARRAY(
            SELECT cadre_id FROM new_rows WHERE work_status <> ''
            UNION SELECT cadre_id FROM old_rows WHERE work_status <> ''));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION up2k.owner_jobs_of_cadres(), up2k.owner_jobs_of_businesses(),
    up2k.owner_jobs_of_follow_ups(), up2k.owner_jobs_of_incomes() FROM PUBLIC;

-- A new cadre has no businesses or follow-ups yet (they refer to it), so only its changes count.
CREATE TRIGGER cadres_owner_jobs_update AFTER UPDATE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_cadres();
CREATE TRIGGER cadres_owner_jobs_delete AFTER DELETE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_cadres();
CREATE TRIGGER businesses_owner_jobs_insert AFTER INSERT ON up2k."businesses"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_businesses();
CREATE TRIGGER businesses_owner_jobs_update AFTER UPDATE ON up2k."businesses"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_businesses();
CREATE TRIGGER businesses_owner_jobs_delete AFTER DELETE ON up2k."businesses"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_businesses();
CREATE TRIGGER business_follow_ups_owner_jobs_insert AFTER INSERT ON up2k."business_follow_ups"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_follow_ups();
CREATE TRIGGER business_follow_ups_owner_jobs_update AFTER UPDATE ON up2k."business_follow_ups"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_follow_ups();
CREATE TRIGGER business_follow_ups_owner_jobs_delete AFTER DELETE ON up2k."business_follow_ups"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_follow_ups();
CREATE TRIGGER incomes_owner_jobs_insert AFTER INSERT ON up2k."incomes"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_incomes();
CREATE TRIGGER incomes_owner_jobs_update AFTER UPDATE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_incomes();
CREATE TRIGGER incomes_owner_jobs_delete AFTER DELETE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.owner_jobs_of_incomes();

-- An office reads its own kelurahan's rows, as it does the records they are worked out from.
ALTER TABLE up2k.owner_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.owner_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_jobs_kelurahan ON up2k.owner_jobs FOR SELECT
    USING ((SELECT up2k.scope()) = '*' OR kelurahan_code = (SELECT up2k.scope()));
CREATE POLICY owner_jobs_kept ON up2k.owner_jobs
    USING ((SELECT up2k.scope()) = '*') WITH CHECK ((SELECT up2k.scope()) = '*');

CREATE OR REPLACE FUNCTION up2k.grant_account(login name, kind text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA up2k TO %I', login);
    IF kind = 'viewer' THEN
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k."viewer_cadres", up2k."viewer_batches", up2k."viewer_enrollments", up2k."viewer_businesses", up2k."viewer_steps", up2k."viewer_incomes", up2k."viewer_files", up2k."viewer_history", up2k."viewer_business_follow_ups", up2k."viewer_groups", up2k."viewer_memberships", up2k."viewer_group_tiers", up2k."viewer_referrals", up2k."viewer_referral_updates", up2k."viewer_origins", up2k."viewer_peers" TO %I', login);
    ELSE
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k.owner_jobs TO %I', login);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON up2k."cadres", up2k."enrollments", up2k."businesses", up2k."steps", up2k."incomes", up2k."business_follow_ups", up2k."groups", up2k."memberships", up2k."group_tiers", up2k."referrals", up2k."referral_updates" TO %I', login);
        EXECUTE format('GRANT SELECT, UPDATE ON up2k.batches TO %I', login);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON up2k.history TO %I', login);
        EXECUTE format('GRANT INSERT ON up2k.files TO %I', login);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA up2k TO %I', login);
    END IF;
END
$$;
SELECT up2k.grant_account(login, kind) FROM up2k.offices WHERE kind = 'office';

-- The registry's cadres as they stand.
SELECT up2k.refresh_owner_jobs(ARRAY(
    SELECT cadre_id FROM up2k.businesses
    UNION SELECT cadre_id FROM up2k.incomes WHERE work_status <> ''));
