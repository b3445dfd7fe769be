-- up2k on PostgreSQL, schema version 4: issue 15's (jobs, UP2K groups, referrals), on branch
-- `port`. This file stands in for it until that lands, so that the numbers have no gap (the file
-- backend's migrations.py has the same stand-in); it is replaced by issue 15's own 0004.sql.
SELECT 1;
