-- Lease renewals change only lease_until: with it in no index they can be
-- HOT updates (no index entry per renewal, every heartbeat, for every
-- running run), and a claim adds one index entry fewer. Expired leases are
-- found through runs_leased instead, which holds only the running runs
-- (bounded by the workers of all processes).
DROP INDEX runs_lease_expiry;
