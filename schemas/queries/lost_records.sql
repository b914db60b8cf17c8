-- Records the hypervisor dropped, per pCPU: how many, in how many bursts,
-- and the time they hide (ns; ticks when the run's time_unit is 'tsc').
-- Anything measured across those spans is incomplete.
SELECT l.run_id, l.cpu, COUNT(*) AS bursts, SUM(l.count) AS records_lost,
       SUM(l.hidden_ns) AS hidden_ns, MAX(l.hidden_ns) AS longest_hidden_ns
FROM lost_records l JOIN runs r ON r.run_id = l.run_id
WHERE r.complete = 1
GROUP BY l.run_id, l.cpu
ORDER BY l.run_id, l.cpu;
