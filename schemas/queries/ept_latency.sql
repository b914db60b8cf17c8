-- EPT flush latency per domain: flushes, p50/p90/p99 (nearest rank) and
-- max in ns, IPIs per flush and the share of deferred flushes.
WITH ranked AS (
    SELECT f.run_id, f.domid, f.latency, f.ipis, f.sync,
           ROW_NUMBER() OVER (PARTITION BY f.run_id, f.domid
                              ORDER BY f.latency) AS rn,
           COUNT(*) OVER (PARTITION BY f.run_id, f.domid) AS n
    FROM ev_ept_flush f JOIN runs r ON r.run_id = f.run_id
    WHERE r.complete = 1
)
SELECT run_id, domid, MAX(n) AS flushes,
       MIN(CASE WHEN rn >= (n * 50 + 99) / 100 THEN latency END) AS p50_ns,
       MIN(CASE WHEN rn >= (n * 90 + 99) / 100 THEN latency END) AS p90_ns,
       MIN(CASE WHEN rn >= (n * 99 + 99) / 100 THEN latency END) AS p99_ns,
       MAX(latency) AS max_ns,
       ROUND(1.0 * SUM(ipis) / COUNT(*), 3) AS ipis_per_flush,
       ROUND(100.0 * SUM(sync = 0) / COUNT(*), 1) AS deferred_pct
FROM ranked
GROUP BY run_id, domid
ORDER BY run_id, domid;
