-- up2k on PostgreSQL, schema version 8 (the file's schema 8 changes nothing in a file): each
-- cadre's line of the income report and the pipeline, kept ahead by the database, and indexes
-- that find the records changed after a report's day or in a week (issue 12: every report <= 1 s at
-- 500,000 cadres).
--
-- Frozen once released.

-- Two reports read a line per cadre: the income report (reports/income.py) the baseline income,
-- the kelurahan and the latest income follow-up by its day (by date, then place); the pipeline
-- (reports/pipeline.py) the 7 PAS steps reached by its day. Working them out of every follow-up,
-- enrollment, business and step at each report cost most of their 1.4 s and 1.1 s at 500,000
-- cadres, and joining them to the cadres 0.3 s more. up2k.cadre_figures keeps one row per cadre
-- with both as they stand now, and the dates from which they hold: the latest follow-up's, and
-- `steps_settled_on`, the last date of an event that reaches a step. A report works out afresh
-- only the cadres changed after its day (read_models.py). Triggers keep the rows, in the same
-- transaction: a cadre registered, its kelurahan, registration date or baseline changed, a cadre
-- removed; an income follow-up, an enrollment, a business or a step added, changed or removed; a
-- batch's kind changed. up2k never writes the table.
CREATE TABLE up2k.cadre_figures (
    cadre_id text NOT NULL,
    kelurahan_code text NOT NULL,
    registered_on date NOT NULL,
    baseline bigint,
    latest_on date,
    latest_pos bigint,
    latest_amount bigint,
    steps bigint NOT NULL DEFAULT 0,
    steps_settled_on date,
    CONSTRAINT cadre_figures_pkey PRIMARY KEY (cadre_id)
);
CREATE INDEX cadre_figures_latest_on_idx ON up2k.cadre_figures (latest_on) WHERE latest_on IS NOT NULL;
CREATE INDEX cadre_figures_steps_settled_on_idx ON up2k.cadre_figures (steps_settled_on)
    WHERE steps_settled_on IS NOT NULL;
COMMENT ON TABLE up2k.cadre_figures IS
    'kept by triggers: each cadre''s kelurahan, registration date, baseline income, latest income '
    'follow-up and 7 PAS steps reached (1 << the step''s place) as they stand now; latest_on and '
    'steps_settled_on say from which day they hold';

-- The 7 PAS steps the cadres `ids` (NULL: every cadre) reached by `day` (domain/timeline.py
-- steps_by_cadre), as bits (1 << the step's place in domain/outcomes.py STEP_NAMES), with the
-- last date of the events that reach them: a training or mentoring batch completed (an
-- enrollment's completed event; its last event's date), a licence (a business started with an
-- NIB or a P-IRT, by the later of its start and licence dates), a step recorded. Registration is
-- every cadre's, and counted apart. Inlined into the query that calls it (LANGUAGE sql, STABLE,
-- no SET). The steps' names, 'training', 'mentoring' and 'completed' are written out here;
-- tests/integration/test_pg_read_models.py holds them to the domain's.
CREATE FUNCTION up2k.cadre_steps_as_of(day date, ids text[])
RETURNS TABLE (cadre_id text, steps bigint, settled_on date)
LANGUAGE sql STABLE AS $$
    SELECT r.cadre_id, bit_or(r.bit)::bigint, max(r.on_)
      FROM (
        SELECT e.cadre_id,
               CASE b.kind WHEN 'training' THEN 2 WHEN 'mentoring' THEN 4 ELSE 0 END AS bit,
               e.event_dates[2]::date AS on_
          FROM up2k.enrollments e JOIN up2k.batches b ON b.code = e.batch
         WHERE (ids IS NULL OR e.cadre_id = ANY (ids))
           -- migration 0006's columns first: every event by the day and the last one completed;
           -- else the text (json keeps it as written; up2k writes plain ASCII there), then the events
           AND ((e.event_dates[2] <= day::text AND e.event_last = 'completed')
                OR (e.events::text LIKE '%"completed"%'
                    AND EXISTS (SELECT 1 FROM json_array_elements(e.events) x
                                 WHERE x ->> 'status' = 'completed' AND x ->> 'on' <= day::text)))
        UNION ALL
        SELECT b.cadre_id, 8, greatest(coalesce(b.started_on, b.added_on), b.licensed_on)
          FROM up2k.businesses b
         WHERE (ids IS NULL OR b.cadre_id = ANY (ids))
           AND coalesce(b.started_on, b.added_on) <= day AND b.licensed_on <= day
           AND (coalesce(b.nib, '') <> '' OR coalesce(b.pirt, '') <> '')
        UNION ALL
        SELECT s.cadre_id,
               coalesce(1::bigint << (array_position(ARRAY['pendaftaran', 'pelatihan', 'pendampingan', 'perizinan',
                   'pemasaran', 'pelaporan-keuangan', 'permodalan'], s.step) - 1), 0),
               s."on"
          FROM up2k.steps s
         WHERE (ids IS NULL OR s.cadre_id = ANY (ids)) AND s."on" <= day
      ) r
     GROUP BY r.cadre_id
$$;

-- The records changed after a report's day are read event by event; the others are counted by
-- migration 0006's generated columns (read_models.py: the status queries). These find the few:
-- a cadre's last status change; an enrollment's last event or attendance. (The indexes here and
-- above leave out what is not there: a new cadre has no status change, follow-up or step, so an
-- import of 50,000 cadres does not fill them.)
CREATE INDEX cadres_status_changed_idx ON up2k."cadres" ((status_dates[2])) WHERE status_dates[2] IS NOT NULL;
CREATE INDEX enrollments_changed_idx ON up2k."enrollments" ((greatest(event_dates[2], attendance_short[1])));

-- The weekly report reads the two weeks' registrations, businesses started and (with the index
-- above) enrollment events and attendance; these find them by date.
CREATE INDEX cadres_registered_on_idx ON up2k."cadres" (registered_on);
CREATE INDEX businesses_started_idx ON up2k."businesses" ((coalesce(started_on, added_on)));

-- Locks these cadres' rows before their records are read again: two commands adding follow-ups
-- for one cadre at once (writers run READ COMMITTED) would each read the records before the
-- other's commit; so the rows are locked first, in ID order, and the records read after, by a
-- statement that sees what was committed meanwhile. Past 10,000 cadres at once (a COPY, `copy
-- --to`) the whole table's lock is taken instead, and the caller works every cadre out again in
-- one pass: true then.
CREATE FUNCTION up2k.lock_cadre_figures(ids text[]) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF cardinality(ids) <= 10000 THEN
        PERFORM 1 FROM up2k.cadre_figures WHERE cadre_id = ANY (ids) ORDER BY cadre_id FOR UPDATE;
        RETURN false;
    END IF;
    LOCK TABLE up2k.cadre_figures IN EXCLUSIVE MODE;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION up2k.lock_cadre_figures(text[]) FROM PUBLIC;

-- Works these cadres' latest income follow-ups out again, as they stand now. Run by the triggers
-- below as the schema's owner; trigger functions cannot be called directly.
CREATE FUNCTION up2k.refresh_cadre_incomes(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    ELSIF up2k.lock_cadre_figures(ids) THEN
        -- every cadre in one pass: a plan for these IDs, right after a COPY, would be made
        -- without the follow-ups' statistics
        UPDATE up2k.cadre_figures h
           SET latest_on = l."on", latest_pos = l.pos, latest_amount = l.amount
          FROM (SELECT DISTINCT ON (i.cadre_id) i.cadre_id, i."on", i.pos, i.amount FROM up2k.incomes i
                 ORDER BY i.cadre_id, i."on" DESC, i.pos DESC) l
         WHERE h.cadre_id = l.cadre_id
           AND (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (l."on", l.pos, l.amount);
        UPDATE up2k.cadre_figures h SET latest_on = NULL, latest_pos = NULL, latest_amount = NULL
         WHERE (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (NULL::date, NULL::bigint, NULL::bigint)
           AND NOT EXISTS (SELECT 1 FROM up2k.incomes i WHERE i.cadre_id = h.cadre_id);
        RETURN;
    END IF;
    -- each cadre's follow-ups by the index on their cadre, whatever the statistics say
    UPDATE up2k.cadre_figures h
       SET latest_on = l."on", latest_pos = l.pos, latest_amount = l.amount
      FROM (SELECT u.id, x."on", x.pos, x.amount
              FROM (SELECT DISTINCT unnest(ids) AS id) u
              LEFT JOIN LATERAL (SELECT i."on", i.pos, i.amount FROM up2k.incomes i WHERE i.cadre_id = u.id
                                  ORDER BY i."on" DESC, i.pos DESC LIMIT 1) x ON true) l
     WHERE h.cadre_id = l.id
       AND (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (l."on", l.pos, l.amount);
END
$$;
REVOKE ALL ON FUNCTION up2k.refresh_cadre_incomes(text[]) FROM PUBLIC;

-- Works these cadres' steps out again, as they stand now, under the same locks.
CREATE FUNCTION up2k.refresh_cadre_steps(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    ELSIF up2k.lock_cadre_figures(ids) THEN
        UPDATE up2k.cadre_figures f SET steps = coalesce(s.steps, 0), steps_settled_on = s.settled_on
          FROM (SELECT c.cadre_id, a.steps, a.settled_on
                  FROM up2k.cadre_figures c LEFT JOIN up2k.cadre_steps_as_of('infinity', NULL) a
                    ON a.cadre_id = c.cadre_id) s
         WHERE f.cadre_id = s.cadre_id
           AND (f.steps, f.steps_settled_on) IS DISTINCT FROM (coalesce(s.steps, 0), s.settled_on);
        RETURN;
    END IF;
    EXECUTE $q$
        UPDATE up2k.cadre_figures f SET steps = coalesce(a.steps, 0), steps_settled_on = a.settled_on
          FROM (SELECT DISTINCT unnest($1) AS id) u
          LEFT JOIN up2k.cadre_steps_as_of('infinity', $1) a ON a.cadre_id = u.id
         WHERE f.cadre_id = u.id
           AND (f.steps, f.steps_settled_on) IS DISTINCT FROM (coalesce(a.steps, 0), a.settled_on)
    $q$ USING ids;
END
$$;
REVOKE ALL ON FUNCTION up2k.refresh_cadre_steps(text[]) FROM PUBLIC;

-- A new cadre has no income follow-ups, enrollments, businesses or steps yet (they refer to it);
-- a cadre's ID does not change.
CREATE FUNCTION up2k.cadre_figures_of_cadres() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    appeared text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO up2k.cadre_figures (cadre_id, kelurahan_code, registered_on, baseline)
        SELECT id, kelurahan_code, registered_on, income FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM up2k.cadre_figures WHERE cadre_id IN (SELECT id FROM old_rows);
    ELSIF TG_OP = 'TRUNCATE' THEN
        DELETE FROM up2k.cadre_figures;
    ELSE
        -- most updates change none of these: the table is not even locked then
        IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (n.kelurahan_code, n.registered_on, n.income)
                          IS DISTINCT FROM (o.kelurahan_code, o.registered_on, o.income)) THEN
            UPDATE up2k.cadre_figures h
               SET kelurahan_code = n.kelurahan_code, registered_on = n.registered_on, baseline = n.income
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE h.cadre_id = n.id
               AND (n.kelurahan_code, n.registered_on, n.income)
                   IS DISTINCT FROM (o.kelurahan_code, o.registered_on, o.income);
        END IF;
        -- an ID changed (not by up2k; psql): the old row goes, the new one is worked out
        appeared := ARRAY(SELECT id FROM new_rows EXCEPT SELECT id FROM old_rows);
        IF cardinality(appeared) > 0 THEN
            DELETE FROM up2k.cadre_figures WHERE cadre_id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
            INSERT INTO up2k.cadre_figures (cadre_id, kelurahan_code, registered_on, baseline)
            SELECT id, kelurahan_code, registered_on, income FROM new_rows WHERE id = ANY (appeared);
            PERFORM up2k.refresh_cadre_incomes(appeared);
            PERFORM up2k.refresh_cadre_steps(appeared);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION up2k.cadre_figures_of_incomes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_cadre_incomes(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_cadre_incomes(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSIF TG_OP = 'TRUNCATE' THEN
        PERFORM up2k.refresh_cadre_incomes(ARRAY(SELECT cadre_id FROM up2k.cadre_figures));
    ELSE
        -- the cadres of the rows changed where it counts, and of rows whose ID changed (psql)
        PERFORM up2k.refresh_cadre_incomes(ARRAY(
            SELECT x.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.cadre_id), (o.cadre_id)) x(cadre_id)
             WHERE (n.cadre_id, n."on", n.pos, n.amount) IS DISTINCT FROM (o.cadre_id, o."on", o.pos, o.amount)
            UNION SELECT cadre_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)
            UNION SELECT cadre_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END
$$;

-- An enrollment counts by its events and batch (attendance does not reach a step).
CREATE FUNCTION up2k.cadre_figures_of_enrollments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSIF TG_OP = 'TRUNCATE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT cadre_id FROM up2k.cadre_figures));
    ELSE
        -- the cadres of the rows changed where it counts, and of rows whose ID changed (psql)
        PERFORM up2k.refresh_cadre_steps(ARRAY(
            SELECT x.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.cadre_id), (o.cadre_id)) x(cadre_id)
             WHERE (n.cadre_id, n.batch, (n.events)::text) IS DISTINCT FROM (o.cadre_id, o.batch, (o.events)::text)
            UNION SELECT cadre_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)
            UNION SELECT cadre_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END
$$;

-- A business counts by its owner, start and licence.
CREATE FUNCTION up2k.cadre_figures_of_businesses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSIF TG_OP = 'TRUNCATE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT cadre_id FROM up2k.cadre_figures));
    ELSE
        -- the cadres of the rows changed where it counts, and of rows whose ID changed (psql)
        PERFORM up2k.refresh_cadre_steps(ARRAY(
            SELECT x.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.cadre_id), (o.cadre_id)) x(cadre_id)
             WHERE (n.cadre_id, n.started_on, n.added_on, n.licensed_on, n.nib, n.pirt) IS DISTINCT FROM (o.cadre_id, o.started_on, o.added_on, o.licensed_on, o.nib, o.pirt)
            UNION SELECT cadre_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)
            UNION SELECT cadre_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION up2k.cadre_figures_of_steps() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSIF TG_OP = 'TRUNCATE' THEN
        PERFORM up2k.refresh_cadre_steps(ARRAY(SELECT cadre_id FROM up2k.cadre_figures));
    ELSE
        -- the cadres of the rows changed where it counts, and of rows whose ID changed (psql)
        PERFORM up2k.refresh_cadre_steps(ARRAY(
            SELECT x.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.cadre_id), (o.cadre_id)) x(cadre_id)
             WHERE (n.cadre_id, n.step, n."on") IS DISTINCT FROM (o.cadre_id, o.step, o."on")
            UNION SELECT cadre_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)
            UNION SELECT cadre_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END
$$;

-- A batch's kind says which step its completions reach.
CREATE FUNCTION up2k.cadre_figures_of_batches() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM up2k.refresh_cadre_steps(ARRAY(
        SELECT DISTINCT e.cadre_id FROM up2k.enrollments e
         WHERE e.batch IN (SELECT n.code FROM new_rows n JOIN old_rows o ON o.code = n.code
                            WHERE n.kind IS DISTINCT FROM o.kind)));
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION up2k.cadre_figures_of_cadres(), up2k.cadre_figures_of_incomes(),
    up2k.cadre_figures_of_enrollments(), up2k.cadre_figures_of_businesses(), up2k.cadre_figures_of_steps(),
    up2k.cadre_figures_of_batches() FROM PUBLIC;

CREATE TRIGGER cadres_cadre_figures_insert AFTER INSERT ON up2k."cadres"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_cadres();
CREATE TRIGGER cadres_cadre_figures_update AFTER UPDATE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_cadres();
CREATE TRIGGER cadres_cadre_figures_delete AFTER DELETE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_cadres();
CREATE TRIGGER incomes_cadre_figures_insert AFTER INSERT ON up2k."incomes"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_incomes();
CREATE TRIGGER incomes_cadre_figures_update AFTER UPDATE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_incomes();
CREATE TRIGGER incomes_cadre_figures_delete AFTER DELETE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_incomes();

CREATE TRIGGER enrollments_cadre_figures_insert AFTER INSERT ON up2k."enrollments"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_enrollments();
CREATE TRIGGER enrollments_cadre_figures_update AFTER UPDATE ON up2k."enrollments"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_enrollments();
CREATE TRIGGER enrollments_cadre_figures_delete AFTER DELETE ON up2k."enrollments"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_enrollments();
CREATE TRIGGER businesses_cadre_figures_insert AFTER INSERT ON up2k."businesses"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_businesses();
CREATE TRIGGER businesses_cadre_figures_update AFTER UPDATE ON up2k."businesses"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_businesses();
CREATE TRIGGER businesses_cadre_figures_delete AFTER DELETE ON up2k."businesses"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_businesses();
CREATE TRIGGER steps_cadre_figures_insert AFTER INSERT ON up2k."steps"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_steps();
CREATE TRIGGER steps_cadre_figures_update AFTER UPDATE ON up2k."steps"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_steps();
CREATE TRIGGER steps_cadre_figures_delete AFTER DELETE ON up2k."steps"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_steps();
CREATE TRIGGER batches_cadre_figures_update AFTER UPDATE ON up2k."batches"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_batches();

CREATE TRIGGER cadres_cadre_figures_truncate AFTER TRUNCATE ON up2k."cadres"
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_cadres();
CREATE TRIGGER incomes_cadre_figures_truncate AFTER TRUNCATE ON up2k."incomes"
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_incomes();
CREATE TRIGGER enrollments_cadre_figures_truncate AFTER TRUNCATE ON up2k."enrollments"
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_enrollments();
CREATE TRIGGER businesses_cadre_figures_truncate AFTER TRUNCATE ON up2k."businesses"
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_businesses();
CREATE TRIGGER steps_cadre_figures_truncate AFTER TRUNCATE ON up2k."steps"
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.cadre_figures_of_steps();

-- An office reads its own kelurahan's rows, as it does the records they are worked out from.
ALTER TABLE up2k.cadre_figures ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.cadre_figures FORCE ROW LEVEL SECURITY;
CREATE POLICY cadre_figures_kelurahan ON up2k.cadre_figures FOR SELECT
    USING ((SELECT up2k.scope()) = '*' OR kelurahan_code = (SELECT up2k.scope()));
CREATE POLICY cadre_figures_kept ON up2k.cadre_figures
    USING ((SELECT up2k.scope()) = '*') WITH CHECK ((SELECT up2k.scope()) = '*');

CREATE OR REPLACE FUNCTION up2k.grant_account(login name, kind text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA up2k TO %I', login);
    IF kind = 'viewer' THEN
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k."viewer_cadres", up2k."viewer_batches", up2k."viewer_enrollments", up2k."viewer_businesses", up2k."viewer_steps", up2k."viewer_incomes", up2k."viewer_files", up2k."viewer_history", up2k."viewer_business_follow_ups", up2k."viewer_groups", up2k."viewer_memberships", up2k."viewer_group_tiers", up2k."viewer_referrals", up2k."viewer_referral_updates", up2k."viewer_origins", up2k."viewer_peers" TO %I', login);
    ELSE
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k.owner_jobs, up2k.cadre_figures TO %I', login);
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
INSERT INTO up2k.cadre_figures (cadre_id, kelurahan_code, registered_on, baseline, latest_on, latest_pos, latest_amount)
SELECT c.id, c.kelurahan_code, c.registered_on, c.income, l."on", l.pos, l.amount
  FROM up2k.cadres c
  LEFT JOIN (SELECT DISTINCT ON (cadre_id) cadre_id, "on", pos, amount FROM up2k.incomes
              ORDER BY cadre_id, "on" DESC, pos DESC) l ON l.cadre_id = c.id;
UPDATE up2k.cadre_figures f SET steps = a.steps, steps_settled_on = a.settled_on
  FROM up2k.cadre_steps_as_of('infinity', NULL) a
 WHERE a.cadre_id = f.cadre_id;
