-- The runs in this database: what, from where, whether complete.
SELECT run_id, tool, source, complete, started_at, completed_at, cpu_hz,
       cpu_hz_source, time_unit, nr_pcpus, records, lost_records,
       unknown_events, status
FROM runs
ORDER BY run_id;
