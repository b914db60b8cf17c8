-- Maptrack use per domain over time: every grow, steal and exhaustion of
-- every complete run, in order, with the domain's frames (NULL where the
-- event does not carry them) and handles in use at that moment.
SELECT e.run_id, e.domid, e.t_ns, e.what, e.vcpu, e.frames, e.limit_frames,
       e.in_use
FROM (
    SELECT run_id, seq, domid, t_ns, 'grow' AS what, vcpu, frames,
           "limit" AS limit_frames, in_use
    FROM ev_maptrack_grow
    UNION ALL
    SELECT run_id, seq, domid, t_ns, 'steal', vcpu, NULL, NULL, in_use
    FROM ev_maptrack_steal
    UNION ALL
    SELECT run_id, seq, domid, t_ns, 'exhausted', vcpu, frames, NULL, in_use
    FROM ev_maptrack_exhausted
) e JOIN runs r ON r.run_id = e.run_id
WHERE r.complete = 1
ORDER BY e.run_id, e.domid, e.seq;
