-- up2k on PostgreSQL, schema version 8 (the file's schema 8 changes nothing in a file): each
-- household's income line of the income report, kept ahead by the database, and indexes that find
-- the records changed after a report's day or in a week (issue 12: every report <= 1 s at
-- 500,000 cadres).
--
-- Frozen once released.

-- The income report (reports/income.py) reads, for every cadre registered by its day, the
-- baseline income, the kelurahan and the latest income follow-up by the day (by date, then
-- place). Working the latest out of every follow-up at each report cost 0.6 s of its 1.4 s at
-- 500,000 cadres, and joining it to the cadres 0.3 s more. up2k.household_incomes keeps one row
-- per cadre with all of it as it stands now. The latest follow-up's date says from which day the
-- row holds: a report works out afresh only the cadres whose latest follow-up is after its day
-- (read_models.py income). Triggers keep the rows: a cadre registered, its kelurahan,
-- registration date or baseline changed, a cadre removed; an income follow-up added, corrected
-- or removed. up2k never writes the table.
CREATE TABLE up2k.household_incomes (
    cadre_id text NOT NULL,
    kelurahan_code text NOT NULL,
    registered_on date NOT NULL,
    baseline bigint,
    latest_on date,
    latest_pos bigint,
    latest_amount bigint,
    CONSTRAINT household_incomes_pkey PRIMARY KEY (cadre_id)
);
CREATE INDEX household_incomes_latest_on_idx ON up2k.household_incomes (latest_on);
COMMENT ON TABLE up2k.household_incomes IS
    'kept by triggers: each cadre''s kelurahan, registration date, baseline income and latest '
    'income follow-up as they stand now; the follow-up''s date says from which day the row holds';

-- The records changed after a report's day are read event by event; the others are counted by
-- migration 0006's generated columns (read_models.py: the status queries). These find the few:
-- a cadre's last status change; an enrollment's last event or attendance.
CREATE INDEX cadres_status_changed_idx ON up2k."cadres" ((status_dates[2]));
CREATE INDEX enrollments_changed_idx ON up2k."enrollments" ((greatest(event_dates[2], attendance_short[1])));

-- The weekly report reads the two weeks' registrations, businesses started and (with the index
-- above) enrollment events and attendance; these find them by date.
CREATE INDEX cadres_registered_on_idx ON up2k."cadres" (registered_on);
CREATE INDEX businesses_started_idx ON up2k."businesses" ((coalesce(started_on, added_on)));

-- Works these cadres' latest income follow-ups out again, as they stand now. Run by the triggers
-- below as the schema's owner; trigger functions cannot be called directly.
--
-- Two commands adding follow-ups for one cadre at once (writers run READ COMMITTED) would each
-- read the follow-ups before the other's commit: so the cadres' rows are locked first, in ID
-- order, and the follow-ups read after, by a statement that sees what was committed meanwhile.
-- Many at once (a COPY, `copy --to`) take the whole table's lock instead, and past 10,000 every
-- household is worked out again in one pass over the follow-ups.
CREATE FUNCTION up2k.refresh_household_incomes(ids text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    ELSIF cardinality(ids) <= 64 THEN
        PERFORM 1 FROM up2k.household_incomes WHERE cadre_id = ANY (ids) ORDER BY cadre_id FOR UPDATE;
    ELSE
        LOCK TABLE up2k.household_incomes IN EXCLUSIVE MODE;
    END IF;
    IF cardinality(ids) > 10000 THEN
        -- every household in one pass: a plan for these IDs, right after a COPY, would be made
        -- without the follow-ups' statistics
        UPDATE up2k.household_incomes h
           SET latest_on = l."on", latest_pos = l.pos, latest_amount = l.amount
          FROM (SELECT DISTINCT ON (i.cadre_id) i.cadre_id, i."on", i.pos, i.amount FROM up2k.incomes i
                 ORDER BY i.cadre_id, i."on" DESC, i.pos DESC) l
         WHERE h.cadre_id = l.cadre_id
           AND (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (l."on", l.pos, l.amount);
        UPDATE up2k.household_incomes h SET latest_on = NULL, latest_pos = NULL, latest_amount = NULL
         WHERE (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (NULL::date, NULL::bigint, NULL::bigint)
           AND NOT EXISTS (SELECT 1 FROM up2k.incomes i WHERE i.cadre_id = h.cadre_id);
        RETURN;
    END IF;
    -- planned for these IDs each time (a plan kept for any IDs would read every follow-up)
    EXECUTE $q$
        UPDATE up2k.household_incomes h
           SET latest_on = l."on", latest_pos = l.pos, latest_amount = l.amount
          FROM (SELECT u.id, x."on", x.pos, x.amount
                  FROM (SELECT DISTINCT unnest($1) AS id) u
                  LEFT JOIN (SELECT DISTINCT ON (i.cadre_id) i.cadre_id, i."on", i.pos, i.amount
                               FROM up2k.incomes i
                              WHERE i.cadre_id IN (SELECT unnest($1))
                              ORDER BY i.cadre_id, i."on" DESC, i.pos DESC) x ON x.cadre_id = u.id) l
         WHERE h.cadre_id = l.id
           AND (h.latest_on, h.latest_pos, h.latest_amount) IS DISTINCT FROM (l."on", l.pos, l.amount)
    $q$ USING ids;
END
$$;
REVOKE ALL ON FUNCTION up2k.refresh_household_incomes(text[]) FROM PUBLIC;

-- A new cadre has no income follow-ups yet (they refer to it); a cadre's ID does not change.
CREATE FUNCTION up2k.household_incomes_of_cadres() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO up2k.household_incomes (cadre_id, kelurahan_code, registered_on, baseline)
        SELECT id, kelurahan_code, registered_on, income FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM up2k.household_incomes WHERE cadre_id IN (SELECT id FROM old_rows);
    ELSE
        UPDATE up2k.household_incomes h
           SET kelurahan_code = n.kelurahan_code, registered_on = n.registered_on, baseline = n.income
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE h.cadre_id = n.id
           AND (n.kelurahan_code, n.registered_on, n.income) IS DISTINCT FROM (o.kelurahan_code, o.registered_on, o.income);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION up2k.household_incomes_of_incomes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM up2k.refresh_household_incomes(ARRAY(SELECT DISTINCT cadre_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM up2k.refresh_household_incomes(ARRAY(SELECT DISTINCT cadre_id FROM old_rows));
    ELSE
        PERFORM up2k.refresh_household_incomes(ARRAY(
            SELECT n.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.cadre_id, n."on", n.pos, n.amount) IS DISTINCT FROM (o.cadre_id, o."on", o.pos, o.amount)
            UNION
            SELECT o.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.cadre_id, n."on", n.pos, n.amount) IS DISTINCT FROM (o.cadre_id, o."on", o.pos, o.amount)));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION up2k.household_incomes_of_cadres(), up2k.household_incomes_of_incomes() FROM PUBLIC;

CREATE TRIGGER cadres_household_incomes_insert AFTER INSERT ON up2k."cadres"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_cadres();
CREATE TRIGGER cadres_household_incomes_update AFTER UPDATE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_cadres();
CREATE TRIGGER cadres_household_incomes_delete AFTER DELETE ON up2k."cadres"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_cadres();
CREATE TRIGGER incomes_household_incomes_insert AFTER INSERT ON up2k."incomes"
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_incomes();
CREATE TRIGGER incomes_household_incomes_update AFTER UPDATE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_incomes();
CREATE TRIGGER incomes_household_incomes_delete AFTER DELETE ON up2k."incomes"
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.household_incomes_of_incomes();

-- An office reads its own kelurahan's rows, as it does the records they are worked out from.
ALTER TABLE up2k.household_incomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE up2k.household_incomes FORCE ROW LEVEL SECURITY;
CREATE POLICY household_incomes_kelurahan ON up2k.household_incomes FOR SELECT
    USING ((SELECT up2k.scope()) = '*' OR kelurahan_code = (SELECT up2k.scope()));
CREATE POLICY household_incomes_kept ON up2k.household_incomes
    USING ((SELECT up2k.scope()) = '*') WITH CHECK ((SELECT up2k.scope()) = '*');

CREATE OR REPLACE FUNCTION up2k.grant_account(login name, kind text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA up2k TO %I', login);
    IF kind = 'viewer' THEN
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k."viewer_cadres", up2k."viewer_batches", up2k."viewer_enrollments", up2k."viewer_businesses", up2k."viewer_steps", up2k."viewer_incomes", up2k."viewer_files", up2k."viewer_history", up2k."viewer_business_follow_ups", up2k."viewer_groups", up2k."viewer_memberships", up2k."viewer_group_tiers", up2k."viewer_referrals", up2k."viewer_referral_updates", up2k."viewer_origins", up2k."viewer_peers" TO %I', login);
    ELSE
        EXECUTE format('GRANT SELECT ON up2k.meta, up2k.offices, up2k.owner_jobs, up2k.household_incomes TO %I', login);
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
INSERT INTO up2k.household_incomes (cadre_id, kelurahan_code, registered_on, baseline, latest_on, latest_pos, latest_amount)
SELECT c.id, c.kelurahan_code, c.registered_on, c.income, l."on", l.pos, l.amount
  FROM up2k.cadres c
  LEFT JOIN (SELECT DISTINCT ON (cadre_id) cadre_id, "on", pos, amount FROM up2k.incomes
              ORDER BY cadre_id, "on" DESC, pos DESC) l ON l.cadre_id = c.id;
