-- Which pCPU's PI blocking list peaked, when, and against what limit?
-- One row per pCPU of every complete run, longest first.  first_peak_s is
-- when the peak length was first reached (seconds since the run's first
-- record; ticks/1e9 when the run's time_unit is 'tsc').  limit_at_peak 0
-- means the lists were unbounded (pi_list_policy=baseline).
SELECT p.run_id,
       p.pcpu,
       p.peak_len,
       p.limit_at_peak,
       ROUND(p.first_peak_t_ns / 1e9, 9) AS first_peak_s,
       (SELECT COUNT(*) FROM ev_pi_list_add a
         WHERE a.run_id = p.run_id AND a.pcpu = p.pcpu) AS adds,
       (SELECT COUNT(*) FROM ev_pi_list_add a
         WHERE a.run_id = p.run_id AND a.pcpu = p.pcpu
           AND a.from_pcpu <> a.pcpu) AS redirected_here
FROM v_pi_peak p
ORDER BY p.run_id, p.peak_len DESC, p.pcpu;
