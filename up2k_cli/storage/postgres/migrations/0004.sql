-- up2k on PostgreSQL, schema version 4 (the file's schema 4): issue 15's data. Work status at
-- registration and at each income follow-up; a business's workers, owner status and turnover,
-- at its start and at dated follow-ups; UP2K groups, their members and tiers; referrals to the
-- agencies and their dated updates.
--
-- Frozen once released. The tables were written by `python -m up2k_cli.storage.postgres.ddl` from
-- storage/schema.py (tests/integration/test_postgres_schema.py compares the database with it).

-- New fields of existing tables (NULL for the records that came before).
ALTER TABLE up2k."cadres" ADD COLUMN "work_status" text
    CONSTRAINT cadres_work_status_check CHECK ("work_status" IN ('working', 'unemployed', 'housekeeping', 'school', 'other'));
ALTER TABLE up2k."incomes" ADD COLUMN "work_status" text
    CONSTRAINT incomes_work_status_check CHECK ("work_status" IN ('working', 'unemployed', 'housekeeping', 'school', 'other'));
ALTER TABLE up2k."businesses" ADD COLUMN "owner_status" text
    CONSTRAINT businesses_owner_status_check CHECK ("owner_status" IN ('own-account', 'helped-temporary', 'helped-permanent'));
ALTER TABLE up2k."businesses" ADD COLUMN "family_workers" bigint;
ALTER TABLE up2k."businesses" ADD COLUMN "paid_workers" bigint;
ALTER TABLE up2k."businesses" ADD COLUMN "paid_were_unemployed" bigint;
ALTER TABLE up2k."businesses" ADD COLUMN "paid_local" bigint;
ALTER TABLE up2k."businesses" ADD COLUMN "turnover" bigint;

-- Their ID counters.
CREATE SEQUENCE up2k.counter_business_follow_up MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_group MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_membership MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_group_tier MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_referral MINVALUE 0 START 1;
CREATE SEQUENCE up2k.counter_referral_update MINVALUE 0 START 1;

CREATE TABLE up2k."business_follow_ups" (
    "id" text NOT NULL,
    "business_id" text NOT NULL,
    "on" date NOT NULL,
    "owner_status" text
        CONSTRAINT business_follow_ups_owner_status_check CHECK ("owner_status" IN ('own-account', 'helped-temporary', 'helped-permanent')),
    "family_workers" bigint,
    "paid_workers" bigint,
    "paid_were_unemployed" bigint,
    "paid_local" bigint,
    "turnover" bigint,
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT business_follow_ups_pkey PRIMARY KEY ("id"),
    CONSTRAINT business_follow_ups_pos_key UNIQUE (pos),
    CONSTRAINT business_follow_ups_business_id_fkey FOREIGN KEY ("business_id") REFERENCES up2k."businesses" ("id")
);
CREATE INDEX business_follow_ups_business_id_idx ON up2k."business_follow_ups" ("business_id");
COMMENT ON COLUMN up2k."business_follow_ups".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."groups" (
    "id" text NOT NULL,
    "name" text NOT NULL,
    "kelurahan_code" text NOT NULL,
    "rw" text,
    "formed_on" date NOT NULL,
    "capital" bigint,
    "savings_loans" boolean,
    "bookkeeping" boolean,
    "reach" text
        CONSTRAINT groups_reach_check CHECK ("reach" IN ('neighbourhood', 'kelurahan', 'kecamatan', 'city', 'beyond')),
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT groups_pkey PRIMARY KEY ("id"),
    CONSTRAINT groups_pos_key UNIQUE (pos)
);
CREATE INDEX groups_kelurahan_code_idx ON up2k."groups" ("kelurahan_code");
COMMENT ON COLUMN up2k."groups".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."memberships" (
    "id" text NOT NULL,
    "group_id" text NOT NULL,
    "cadre_id" text NOT NULL,
    "joined_on" date NOT NULL,
    "left_on" date,
    "leave_reason" text,
    pos bigint NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY ("id"),
    CONSTRAINT memberships_pos_key UNIQUE (pos),
    CONSTRAINT memberships_group_id_fkey FOREIGN KEY ("group_id") REFERENCES up2k."groups" ("id"),
    CONSTRAINT memberships_cadre_id_fkey FOREIGN KEY ("cadre_id") REFERENCES up2k."cadres" ("id")
);
CREATE UNIQUE INDEX memberships_cadre_id_left_on_key ON up2k."memberships" ("cadre_id") WHERE "left_on" IS NULL;
CREATE INDEX memberships_group_id_idx ON up2k."memberships" ("group_id");
CREATE INDEX memberships_cadre_id_idx ON up2k."memberships" ("cadre_id");
COMMENT ON COLUMN up2k."memberships".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."group_tiers" (
    "id" text NOT NULL,
    "group_id" text NOT NULL,
    "tier" text NOT NULL
        CONSTRAINT group_tiers_tier_check CHECK ("tier" IN ('pemula', 'madya', 'utama', 'mandiri')),
    "on" date NOT NULL,
    "facts" json,
    pos bigint NOT NULL,
    CONSTRAINT group_tiers_pkey PRIMARY KEY ("id"),
    CONSTRAINT group_tiers_pos_key UNIQUE (pos),
    CONSTRAINT group_tiers_group_id_fkey FOREIGN KEY ("group_id") REFERENCES up2k."groups" ("id")
);
CREATE INDEX group_tiers_group_id_idx ON up2k."group_tiers" ("group_id");
COMMENT ON COLUMN up2k."group_tiers".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."referrals" (
    "id" text NOT NULL,
    "business_id" text NOT NULL,
    "agency" text NOT NULL,
    "need" text NOT NULL
        CONSTRAINT referrals_need_check CHECK ("need" IN ('nib', 'pirt', 'halal', 'capital', 'marketing', 'mentoring')),
    "referred_on" date NOT NULL,
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT referrals_pkey PRIMARY KEY ("id"),
    CONSTRAINT referrals_pos_key UNIQUE (pos),
    CONSTRAINT referrals_business_id_fkey FOREIGN KEY ("business_id") REFERENCES up2k."businesses" ("id")
);
CREATE INDEX referrals_business_id_idx ON up2k."referrals" ("business_id");
COMMENT ON COLUMN up2k."referrals".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

CREATE TABLE up2k."referral_updates" (
    "id" text NOT NULL,
    "referral_id" text NOT NULL,
    "on" date NOT NULL,
    "status" text NOT NULL
        CONSTRAINT referral_updates_status_check CHECK ("status" IN ('contacted', 'in-progress', 'done', 'closed')),
    "outcome" text
        CONSTRAINT referral_updates_outcome_check CHECK ("outcome" IN ('nib', 'pirt', 'halal', 'capital', 'market')),
    "nib" text,
    "pirt" text,
    "amount" bigint,
    "source" text
        CONSTRAINT referral_updates_source_check CHECK ("source" IN ('kur', 'bank', 'city', 'csr', 'cooperative', 'other')),
    "note" text,
    pos bigint NOT NULL,
    CONSTRAINT referral_updates_pkey PRIMARY KEY ("id"),
    CONSTRAINT referral_updates_pos_key UNIQUE (pos),
    CONSTRAINT referral_updates_referral_id_fkey FOREIGN KEY ("referral_id") REFERENCES up2k."referrals" ("id")
);
CREATE INDEX referral_updates_referral_id_idx ON up2k."referral_updates" ("referral_id");
COMMENT ON COLUMN up2k."referral_updates".pos IS 'insertion order: records are read in this order, and it is their document ID in a file copy';

