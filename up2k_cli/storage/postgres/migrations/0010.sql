-- up2k on PostgreSQL, schema version 10 (the file's schema 10 changes nothing in a file): the
-- functions row-level security asks are parallel safe (issue 12: every report <= 1 s at 500,000
-- cadres, with room to spare).
--
-- Frozen once released.

-- Every policy asks up2k.scope() (0005) who is reading: '*' for the coordinator and a viewer, a
-- kelurahan code for an office; up2k.is_owner() is its first question. A function is PARALLEL
-- UNSAFE unless declared otherwise, and one such call anywhere in a query keeps PostgreSQL from
-- sharing its scans with parallel workers: every query of an account that row-level security
-- applies to (the coordinator, an office) ran in one process. Both functions only read (the
-- offices table, the catalog, current_user, which a parallel worker shares with its leader) and
-- a policy asks them once per query (an InitPlan, run by the leader). The statuses of 500,000
-- cadres by a day: 0.17 -> 0.11 s. The enrollments' policy also asks whether the cadre is seen
-- (a subquery), which still keeps their scans in one process.
ALTER FUNCTION up2k.is_owner() PARALLEL SAFE;
ALTER FUNCTION up2k.scope() PARALLEL SAFE;
