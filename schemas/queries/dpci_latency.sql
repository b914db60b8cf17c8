-- dpci schedule-to-run latency per domain: count, p50/p90/p99 (nearest
-- rank: the smallest latency with at least p% of the runs at or below it,
-- as xenalyze-ext computes them) and max, in ns.
WITH ranked AS (
    SELECT d.run_id, d.domid, d.latency,
           ROW_NUMBER() OVER (PARTITION BY d.run_id, d.domid
                              ORDER BY d.latency) AS rn,
           COUNT(*) OVER (PARTITION BY d.run_id, d.domid) AS n
    FROM ev_dpci_run d JOIN runs r ON r.run_id = d.run_id
    WHERE r.complete = 1
)
SELECT run_id, domid, MAX(n) AS runs,
       MIN(CASE WHEN rn >= (n * 50 + 99) / 100 THEN latency END) AS p50_ns,
       MIN(CASE WHEN rn >= (n * 90 + 99) / 100 THEN latency END) AS p90_ns,
       MIN(CASE WHEN rn >= (n * 99 + 99) / 100 THEN latency END) AS p99_ns,
       MAX(latency) AS max_ns
FROM ranked
GROUP BY run_id, domid
ORDER BY run_id, domid;
