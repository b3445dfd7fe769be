-- up2k on PostgreSQL, schema version 3 (the same number as the file's schema 3).
--
-- Frozen once released: a change to the schema is a new numbered file, never an edit of this one.
-- The tables were written by `python -m up2k_cli.storage.postgres.ddl` from storage/schema.py;
-- tests/integration/test_postgres_schema.py checks that a database built by the migrations
-- holds what schema.py describes.

CREATE SCHEMA up2k;
COMMENT ON SCHEMA up2k IS 'The up2k registry (PKK UP2K): cadres, batches, enrollments, outcomes, history';

-- The registry's own record: one row.
CREATE TABLE up2k.meta (
    one boolean PRIMARY KEY DEFAULT true CONSTRAINT meta_one_row CHECK (one),
    schema_version integer NOT NULL,
    created_at text,
    region json NOT NULL,
    target json NOT NULL,
    settings json,
    layout json
);
COMMENT ON COLUMN up2k.meta.layout IS
    'the order in which the file this registry was copied from listed its tables, meta fields and '
    'counters, so that a copy back to a file is byte for byte the same (null: the usual order)';

-- One sequence per ID counter (storage/schema.py COUNTERS); up2k.reserve hands out blocks.
CREATE SEQUENCE up2k.counter_cadre MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_enrollment MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_business MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_step MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_income MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_file MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_history MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_queue MINVALUE 0 START 1;

-- n numbers in a row from a counter (an import's IDs K0101-K0150 have no gaps); returns the first.
-- Sequences are not rolled back: a command that fails after reserving leaves a gap.
CREATE FUNCTION up2k.reserve(kind text, n integer) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    counter regclass := format('up2k.%I', 'counter_' || kind)::regclass;
    latch bigint := hashtextextended('up2k.reserve ' || kind, 0);
    first bigint;
BEGIN
    IF n < 1 THEN
        RAISE EXCEPTION 'up2k.reserve: % numbers asked for; at least 1', n;
    END IF;
    PERFORM pg_advisory_lock(latch);  -- held for two calls only, not to the end of the command
    first := nextval(counter);
    IF n > 1 THEN
        PERFORM setval(counter, first + n - 1);
    END IF;
    PERFORM pg_advisory_unlock(latch);
    RETURN first;
END
$$;

-- Hold values of a field until the end of the transaction, so that "is this NIK free?" stays
-- true until the new record is written: each value alone (shared with other values of the
-- field), or the whole field at once (vals null: a bulk import).
CREATE FUNCTION up2k.hold(field text, vals text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v text;
BEGIN
    IF vals IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('up2k.hold ' || field, 0));
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('up2k.hold ' || field, 0));
    FOR v IN SELECT DISTINCT x FROM unnest(vals) AS x ORDER BY x LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('up2k.hold ' || field || '=' || v, 0));
    END LOOP;
END
$$;

CREATE TABLE up2k."cadres" (
    "id" text NOT NULL,
    "nik" text,
    "name" text NOT NULL,
    "kelurahan_code" text NOT NULL,
    "rw" text,
    "rt" text,
    "address" text,
    "phone" text,
    "business_type" text
        CONSTRAINT cadres_business_type_check CHECK ("business_type" IN ('Kuliner', 'Fesyen/Konveksi', 'Kerajinan', 'Jasa', 'Perdagangan/Warung', 'Pertanian perkotaan/Perikanan', 'Lainnya')),
    "household_size" bigint,
    "income" bigint,
    "registered_on" date NOT NULL,
    "consent_on" date NOT NULL,
    "consent_method" text,
    "status" text NOT NULL
        CONSTRAINT cadres_status_check CHECK ("status" IN ('active', 'inactive')),
    "status_reason" text,
    "status_log" json,
    "name_key" text,
    "erased_on" date,
    pos bigint NOT NULL,
    CONSTRAINT cadres_pkey PRIMARY KEY ("id"),
    CONSTRAINT cadres_pos_key UNIQUE (pos),
    CONSTRAINT cadres_nik_key UNIQUE ("nik")
);
CREATE INDEX cadres_kelurahan_code_name_key_idx ON up2k."cadres" ("kelurahan_code", "name_key");
CREATE INDEX cadres_phone_idx ON up2k."cadres" ("phone");
COMMENT ON COLUMN up2k."cadres".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."batches" (
    "code" text NOT NULL,
    "title" text NOT NULL,
    "kind" text NOT NULL
        CONSTRAINT batches_kind_check CHECK ("kind" IN ('training', 'mentoring')),
    "start" date NOT NULL,
    "end" date NOT NULL,
    "capacity" bigint NOT NULL,
    "quota_per_kelurahan" bigint NOT NULL,
    "sessions" bigint NOT NULL,
    "min_attendance" bigint NOT NULL,
    "mentor" text,
    "venue" text,
    "status" text NOT NULL
        CONSTRAINT batches_status_check CHECK ("status" IN ('open', 'closed')),
    "created_on" date NOT NULL,
    "closed_on" date,
    pos bigint GENERATED BY DEFAULT AS IDENTITY,
    CONSTRAINT batches_pkey PRIMARY KEY ("code"),
    CONSTRAINT batches_pos_key UNIQUE (pos)
);
COMMENT ON COLUMN up2k."batches".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."files" (
    "id" text NOT NULL,
    "at" text NOT NULL,
    "user" text NOT NULL,
    "command" text NOT NULL,
    "path" text NOT NULL,
    "what" text NOT NULL,
    "records" bigint NOT NULL,
    "cadres" json,
    pos bigint NOT NULL,
    CONSTRAINT files_pkey PRIMARY KEY ("id"),
    CONSTRAINT files_pos_key UNIQUE (pos)
);
COMMENT ON COLUMN up2k."files".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."history" (
    "seq" bigint NOT NULL,
    "at" text NOT NULL,
    "user" text NOT NULL,
    "command" text NOT NULL,
    "entity" text NOT NULL,
    "ref" text,
    "action" text NOT NULL,
    "changes" json,
    "op" bigint,
    "refs" text[],
    "reason" text,
    "on" date,
    "record" json,
    pos bigint NOT NULL,
    CONSTRAINT history_pkey PRIMARY KEY ("seq"),
    CONSTRAINT history_pos_key UNIQUE (pos)
);
CREATE INDEX history_ref_idx ON up2k."history" ("ref");
CREATE INDEX history_refs_idx ON up2k."history" USING gin ("refs");
COMMENT ON COLUMN up2k."history".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."enrollments" (
    "id" text NOT NULL,
    "batch" text NOT NULL,
    "cadre_id" text NOT NULL,
    "status" text NOT NULL
        CONSTRAINT enrollments_status_check CHECK ("status" IN ('waitlisted', 'enrolled', 'completed', 'withdrawn', 'not-placed')),
    "kelurahan_code" text NOT NULL,
    "enrolled_on" date,
    "waitlisted_on" date,
    "queue_seq" bigint,
    "withdrawn_on" date,
    "withdraw_reason" text,
    "attendance" json,
    "completed_on" date,
    "forced_reason" text,
    "events" json,
    pos bigint NOT NULL,
    CONSTRAINT enrollments_pkey PRIMARY KEY ("id"),
    CONSTRAINT enrollments_pos_key UNIQUE (pos),
    CONSTRAINT enrollments_batch_cadre_id_key UNIQUE ("batch", "cadre_id"),
    CONSTRAINT enrollments_batch_fkey FOREIGN KEY ("batch") REFERENCES up2k."batches" ("code"),
    CONSTRAINT enrollments_cadre_id_fkey FOREIGN KEY ("cadre_id") REFERENCES up2k."cadres" ("id")
);
CREATE INDEX enrollments_cadre_id_idx ON up2k."enrollments" ("cadre_id");
COMMENT ON COLUMN up2k."enrollments".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."businesses" (
    "id" text NOT NULL,
    "cadre_id" text NOT NULL,
    "name" text NOT NULL,
    "category" text NOT NULL
        CONSTRAINT businesses_category_check CHECK ("category" IN ('Kuliner', 'Fesyen/Konveksi', 'Kerajinan', 'Jasa', 'Perdagangan/Warung', 'Pertanian perkotaan/Perikanan', 'Lainnya')),
    "started_on" date,
    "added_on" date NOT NULL,
    "nib" text,
    "pirt" text,
    "halal" boolean,
    "address" text,
    "licensed_on" date,
    pos bigint NOT NULL,
    CONSTRAINT businesses_pkey PRIMARY KEY ("id"),
    CONSTRAINT businesses_pos_key UNIQUE (pos),
    CONSTRAINT businesses_nib_key UNIQUE ("nib"),
    CONSTRAINT businesses_cadre_id_fkey FOREIGN KEY ("cadre_id") REFERENCES up2k."cadres" ("id")
);
CREATE INDEX businesses_cadre_id_idx ON up2k."businesses" ("cadre_id");
COMMENT ON COLUMN up2k."businesses".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."steps" (
    "id" text NOT NULL,
    "cadre_id" text NOT NULL,
    "step" text NOT NULL
        CONSTRAINT steps_step_check CHECK ("step" IN ('pendaftaran', 'pelatihan', 'pendampingan', 'perizinan', 'pemasaran', 'pelaporan-keuangan', 'permodalan')),
    "on" date NOT NULL,
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT steps_pkey PRIMARY KEY ("id"),
    CONSTRAINT steps_pos_key UNIQUE (pos),
    CONSTRAINT steps_cadre_id_fkey FOREIGN KEY ("cadre_id") REFERENCES up2k."cadres" ("id")
);
CREATE INDEX steps_cadre_id_idx ON up2k."steps" ("cadre_id");
COMMENT ON COLUMN up2k."steps".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."incomes" (
    "id" text NOT NULL,
    "cadre_id" text NOT NULL,
    "amount" bigint NOT NULL,
    "on" date NOT NULL,
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT incomes_pkey PRIMARY KEY ("id"),
    CONSTRAINT incomes_pos_key UNIQUE (pos),
    CONSTRAINT incomes_cadre_id_fkey FOREIGN KEY ("cadre_id") REFERENCES up2k."cadres" ("id")
);
CREATE INDEX incomes_cadre_id_idx ON up2k."incomes" ("cadre_id");
COMMENT ON COLUMN up2k."incomes".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

COMMENT ON TABLE up2k.history IS
    'append-only: the database refuses to delete or truncate it, and any update but an erasure '
    '(values replaced by ''(erased)'', cadre forget)';
COMMENT ON TABLE up2k.files IS 'append-only: every file up2k wrote with personal data';

-- Places held in a batch (enrolled or completed) never exceed its capacity nor, per kelurahan,
-- its quota (0: no quota). The batches concerned are locked first, in code order, so that
-- commands enrolling at the same time count one after the other; the counts then see every
-- committed enrollment (READ COMMITTED: each statement reads anew).
CREATE FUNCTION up2k.check_places() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    over record;
BEGIN
    PERFORM 1 FROM up2k.batches b
     WHERE b.code IN (SELECT c.batch FROM changed c WHERE c.status IN ('enrolled', 'completed'))
     ORDER BY b.code
       FOR NO KEY UPDATE;
    SELECT b.code, b.capacity, count(*) AS held INTO over
      FROM up2k.batches b
      JOIN up2k.enrollments e ON e.batch = b.code AND e.status IN ('enrolled', 'completed')
     WHERE b.code IN (SELECT c.batch FROM changed c WHERE c.status IN ('enrolled', 'completed'))
     GROUP BY b.code, b.capacity
    HAVING count(*) > b.capacity
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'batch % over its capacity of % (% places held)', over.code, over.capacity, over.held
            USING ERRCODE = 'check_violation', SCHEMA = 'up2k', TABLE = 'enrollments',
                  CONSTRAINT = 'enrollments_capacity_check';
    END IF;
    SELECT b.code, b.quota_per_kelurahan AS quota, e.kelurahan_code, count(*) AS held INTO over
      FROM up2k.batches b
      JOIN up2k.enrollments e ON e.batch = b.code AND e.status IN ('enrolled', 'completed')
     WHERE b.quota_per_kelurahan > 0
       AND (b.code, e.kelurahan_code) IN (SELECT c.batch, c.kelurahan_code FROM changed c
                                           WHERE c.status IN ('enrolled', 'completed'))
     GROUP BY b.code, b.quota_per_kelurahan, e.kelurahan_code
    HAVING count(*) > b.quota_per_kelurahan
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'kelurahan % over its quota of % in batch % (% places held)',
                over.kelurahan_code, over.quota, over.code, over.held
            USING ERRCODE = 'check_violation', SCHEMA = 'up2k', TABLE = 'enrollments',
                  CONSTRAINT = 'enrollments_quota_check';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER enrollments_places_insert AFTER INSERT ON up2k.enrollments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION up2k.check_places();
CREATE TRIGGER enrollments_places_update AFTER UPDATE ON up2k.enrollments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION up2k.check_places();

-- A batch's capacity or quota cannot be lowered below the places it holds (the update holds
-- the batch's row lock, as enrollers do).
CREATE FUNCTION up2k.check_batch_limits() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    held bigint;
    most bigint;
BEGIN
    SELECT count(*) INTO held FROM up2k.enrollments e
     WHERE e.batch = NEW.code AND e.status IN ('enrolled', 'completed');
    IF held > NEW.capacity THEN
        RAISE EXCEPTION 'batch % holds % places, more than a capacity of %', NEW.code, held, NEW.capacity
            USING ERRCODE = 'check_violation', SCHEMA = 'up2k', TABLE = 'batches',
                  CONSTRAINT = 'enrollments_capacity_check';
    END IF;
    IF NEW.quota_per_kelurahan > 0 THEN
        SELECT max(n) INTO most FROM (
            SELECT count(*) AS n FROM up2k.enrollments e
             WHERE e.batch = NEW.code AND e.status IN ('enrolled', 'completed')
             GROUP BY e.kelurahan_code) per_kelurahan;
        IF most > NEW.quota_per_kelurahan THEN
            RAISE EXCEPTION 'batch % holds % places for one kelurahan, more than a quota of %',
                    NEW.code, most, NEW.quota_per_kelurahan
                USING ERRCODE = 'check_violation', SCHEMA = 'up2k', TABLE = 'batches',
                      CONSTRAINT = 'enrollments_quota_check';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER batches_limits BEFORE UPDATE OF capacity, quota_per_kelurahan ON up2k.batches
    FOR EACH ROW EXECUTE FUNCTION up2k.check_batch_limits();

-- Is `new` `old` with some values replaced by the erasure's '(erased)' (and nothing else)?
-- What services/maintenance.py erase does to a history entry: each value of a change, of a
-- removed record, or the reason, may become '(erased)'; nulls stay null; keys stay.
CREATE FUNCTION up2k.redacts(old jsonb, new jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    k text;
    i integer;
BEGIN
    IF new IS NOT DISTINCT FROM old THEN
        RETURN true;
    ELSIF old IS NULL OR new IS NULL THEN
        RETURN false;
    ELSIF new = to_jsonb('(erased)'::text) THEN
        RETURN jsonb_typeof(old) <> 'null';
    ELSIF jsonb_typeof(old) = 'object' AND jsonb_typeof(new) = 'object' THEN
        IF (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(old) x)
           IS DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(new) x) THEN
            RETURN false;
        END IF;
        FOR k IN SELECT jsonb_object_keys(old) LOOP
            IF NOT up2k.redacts(old -> k, new -> k) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    ELSIF jsonb_typeof(old) = 'array' AND jsonb_typeof(new) = 'array' THEN
        IF jsonb_array_length(old) <> jsonb_array_length(new) THEN
            RETURN false;
        END IF;
        FOR i IN 0 .. jsonb_array_length(old) - 1 LOOP
            IF NOT up2k.redacts(old -> i, new -> i) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    ELSIF jsonb_typeof(new) = 'array' AND jsonb_typeof(old) <> 'null' THEN
        RETURN new = jsonb_build_array('(erased)'::text);  -- a lone value erased as a pair
    END IF;
    RETURN false;
END
$$;

CREATE FUNCTION up2k.history_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.seq, NEW.at, NEW."user", NEW.command, NEW.entity, NEW.ref, NEW.action, NEW.op,
            NEW.refs, NEW."on", NEW.pos)
           IS NOT DISTINCT FROM
           (OLD.seq, OLD.at, OLD."user", OLD.command, OLD.entity, OLD.ref, OLD.action, OLD.op,
            OLD.refs, OLD."on", OLD.pos)
       AND (NEW.reason IS NOT DISTINCT FROM OLD.reason
            OR (OLD.reason IS NOT NULL AND NEW.reason = '(erased)'))
       AND up2k.redacts(OLD.changes::jsonb, NEW.changes::jsonb)
       AND up2k.redacts(OLD.record::jsonb, NEW.record::jsonb) THEN
        RETURN NEW;  -- an erasure
    END IF;
    RAISE EXCEPTION 'the history is append-only: % refused (an erasure may only replace values with ''(erased)'')',
            TG_OP
        USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'up2k', TABLE = TG_TABLE_NAME,
              CONSTRAINT = 'history_append_only';
END
$$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON up2k.history
    FOR EACH ROW EXECUTE FUNCTION up2k.history_append_only();
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON up2k.history
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.history_append_only();

CREATE FUNCTION up2k.files_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    RAISE EXCEPTION 'the log of personal-data files is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'up2k', TABLE = TG_TABLE_NAME,
              CONSTRAINT = 'files_append_only';
END
$$;
CREATE TRIGGER files_append_only BEFORE UPDATE OR DELETE ON up2k.files
    FOR EACH ROW EXECUTE FUNCTION up2k.files_append_only();
CREATE TRIGGER files_no_truncate BEFORE TRUNCATE ON up2k.files
    FOR EACH STATEMENT EXECUTE FUNCTION up2k.files_append_only();
