-- The worst EPT flushes, and what ran then.
-- The 10 slowest flushes of each complete run, with: the vCPU running on
-- the flushing pCPU at that moment (from TRC_SCHED runstate changes; NULL
-- when the trace has none), and how many p2m read-lock waits of the same
-- domain ended while the flush was in flight ([t_ns - latency, t_ns]) and
-- how long they waited in all.
WITH worst AS (
    SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.run_id
                                   ORDER BY f.latency DESC, f.seq) AS rn
    FROM ev_ept_flush f JOIN runs r ON r.run_id = f.run_id
    WHERE r.complete = 1
)
SELECT w.run_id,
       w.seq,
       w.t_ns,
       w.cpu,
       w.domid,
       w.latency AS latency_ns,
       w.ipis,
       CASE w.sync WHEN 1 THEN 'sync' ELSE 'deferred' END AS mode,
       (SELECT rs.domid || '.' || rs.vcpu FROM runstate rs
         WHERE rs.run_id = w.run_id AND rs.cpu = w.cpu
           AND rs.t_ns <= w.t_ns AND rs.new_state = 0
         ORDER BY rs.t_ns DESC LIMIT 1) AS running_vcpu,
       (SELECT COUNT(*) FROM ev_ept_read_wait rw
         WHERE rw.run_id = w.run_id AND rw.domid = w.domid
           AND rw.t_ns BETWEEN w.t_ns - w.latency AND w.t_ns) AS read_waits_during,
       (SELECT COALESCE(SUM(rw.wait), 0) FROM ev_ept_read_wait rw
         WHERE rw.run_id = w.run_id AND rw.domid = w.domid
           AND rw.t_ns BETWEEN w.t_ns - w.latency AND w.t_ns) AS read_wait_ns_during
FROM worst w
WHERE w.rn <= 10
ORDER BY w.run_id, w.latency DESC, w.seq;
