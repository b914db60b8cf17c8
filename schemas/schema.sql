-- SPDX-License-Identifier: GPL-2.0-only
--
-- schemas/schema.sql - the post-mortem store of xen-vtd-scale.
--
-- One sqlite file holds any number of runs.  A run is one trace ingested by
-- `xenalyze-ext --sqlite DB TRACE`, or one recording of hypervisor counters
-- by `xentop-pi --record DB`.  Every other table hangs off runs.run_id.
--
-- Layout:
--   schema_version      which version of this file built the database
--   runs                one row per run, whichever tool wrote it
--   host_meta           free-form facts about the host of a run (key/value)
--   pcpus, domains,     the shape of the host and its guests as the run saw
--   vcpus               them
--   lost_records,       upstream context the analyser keeps (Xen's own
--   runstate,           trace events, not the catalogue's)
--   unknown_events
--   ev_<event>          one table per catalogue event        } generated:
--   ctr_<node>_pcpu     counter samples per pCPU             } catalogue.sql
--   ctr_<node>_domain   counter samples per domain           }
--   v_*                 views for the common questions (complete runs only)
--
-- Using it by hand: from this directory, `sqlite3 my.db < schema.sql`
-- (the `.read` line below pulls the generated tables in).  The tools embed
-- this file and catalogue.sql at build time and split it at that line, so
-- an installed tool needs neither file.
--
-- Times: tsc is raw TSC ticks as recorded; t_ns is nanoseconds since the
-- run's first record, converted with runs.cpu_hz (NULL cpu_hz: t_ns holds
-- TSC ticks, see runs.time_unit).  sample_ns (counter tables) is the
-- hypervisor's NOW() of the sample.
--
-- Changing this file: bump the version below and XTE_SCHEMA_VERSION in
-- tools/xentrace/xentrace.h (check-generated.sh holds them together), and
-- add an upgrade step in tools/xenalyze-ext/sqlite_ingest.c for databases
-- built by the previous version.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT OR IGNORE INTO schema_version (version) VALUES (1);

-- A run.  identity is what makes a second ingest of the same input a no-op:
-- xenalyze-ext uses 'trace:<bytes>:<64-bit content hash>' of the file (or
-- of the decoded record stream when reading a pipe); xentop-pi uses
-- 'record:<hostname>:<start ns since the epoch>:<pid>'.  A run is visible
-- to the views only once complete = 1; a writer killed half way leaves
-- complete = 0, and the next ingest of the same input replaces it.
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    tool TEXT NOT NULL,             -- 'xenalyze-ext' or 'xentop-pi'
    source TEXT NOT NULL,           -- trace path, '-', or 'xen' / 'sim:NAME'
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    completed_at TEXT,
    complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    cpu_hz INTEGER,                 -- TSC ticks per second, if known
    cpu_hz_source TEXT,             -- 'trace' (RUN_INFO), 'option' or NULL
    time_unit TEXT NOT NULL DEFAULT 'ns' CHECK (time_unit IN ('ns', 'tsc')),
    nr_pcpus INTEGER,
    variant INTEGER,                -- RUN_INFO: 0 baseline, 1 optimized
    scenario INTEGER,               -- RUN_INFO: simulator scenario id
    first_tsc INTEGER,
    last_tsc INTEGER,
    duration_ns INTEGER,
    records INTEGER,                -- records read (trace runs)
    lost_records INTEGER,           -- records the hypervisor dropped
    unknown_events INTEGER,         -- records neither catalogue nor known
    bytes INTEGER,                  -- input bytes consumed
    status TEXT                     -- NULL, or the reader's error text
);

CREATE TABLE IF NOT EXISTS host_meta (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS pcpus (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    pcpu INTEGER NOT NULL,
    records INTEGER NOT NULL DEFAULT 0,
    first_t_ns INTEGER,
    last_t_ns INTEGER,
    PRIMARY KEY (run_id, pcpu)
) WITHOUT ROWID;

-- nr_vcpus, is_hvm, maptrack_limit come from DOMAIN_INFO when the trace has
-- it; a domain seen only through upstream events has them NULL.
CREATE TABLE IF NOT EXISTS domains (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    domid INTEGER NOT NULL,
    nr_vcpus INTEGER,
    is_hvm INTEGER,
    maptrack_limit INTEGER,
    created_t_ns INTEGER,           -- TRC_SCHED_DOM_ADD, if traced
    destroyed_t_ns INTEGER,         -- TRC_SCHED_DOM_REM, if traced
    first_t_ns INTEGER,             -- first record naming the domain
    PRIMARY KEY (run_id, domid)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS vcpus (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    domid INTEGER NOT NULL,
    vcpu INTEGER NOT NULL,
    first_t_ns INTEGER,
    PRIMARY KEY (run_id, domid, vcpu)
) WITHOUT ROWID;

-- TRC_LOST_RECORDS: count records were dropped on cpu; they span the time
-- from first_tsc to the record's own tsc (hidden_ns).
CREATE TABLE IF NOT EXISTS lost_records (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    tsc INTEGER NOT NULL,
    t_ns INTEGER NOT NULL,
    cpu INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_tsc INTEGER NOT NULL,
    hidden_ns INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- TRC_SCHED_RUNSTATE_CHANGE: vCPU domid.vcpu went from old_state to
-- new_state on cpu (0 running, 1 runnable, 2 blocked, 3 offline).  Who ran
-- on a pCPU at time T is the last row with new_state = 0 before T.
CREATE TABLE IF NOT EXISTS runstate (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    tsc INTEGER NOT NULL,
    t_ns INTEGER NOT NULL,
    cpu INTEGER NOT NULL,
    domid INTEGER NOT NULL,
    vcpu INTEGER NOT NULL,
    old_state INTEGER NOT NULL,
    new_state INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Every event id the run held that is neither in the catalogue nor one the
-- analyser interprets, with how often it occurred.
CREATE TABLE IF NOT EXISTS unknown_events (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    event INTEGER NOT NULL,
    name TEXT,                      -- upstream name when the library knows it
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, event)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS runstate_cpu_t ON runstate (run_id, cpu, t_ns);

-- The generated per-event and per-counter tables.  The tools split this
-- file here and run catalogue.sql in between.
.read catalogue.sql

-- ---- indexes for the post-mortem queries ---------------------------------
-- Only where a query looks rows up by something other than (run_id, seq):
-- the p2m read waits inside a flush's window, a domain's maptrack history.
-- The high-rate tables (PI adds, dpci runs, EPT flushes) have none: every
-- question about them scans a run anyway (percentiles, peaks), and an
-- index on them would halve the ingest rate.
CREATE INDEX IF NOT EXISTS ev_ept_read_wait_t ON ev_ept_read_wait (run_id, domid, t_ns);
CREATE INDEX IF NOT EXISTS ev_maptrack_grow_dom ON ev_maptrack_grow (run_id, domid, t_ns);

-- ---- views (complete runs only) ------------------------------------------

-- Highest PI blocking-list length per pCPU, when it was first reached and the
-- limit in force then (0: unbounded).
CREATE VIEW IF NOT EXISTS v_pi_peak AS
SELECT a.run_id, a.pcpu, a.len AS peak_len, a.limit_ AS limit_at_peak,
       a.t_ns AS first_peak_t_ns
FROM (SELECT e.run_id, e.pcpu, e.len, e."limit" AS limit_, e.t_ns,
             ROW_NUMBER() OVER (PARTITION BY e.run_id, e.pcpu
                                ORDER BY e.len DESC, e.seq) AS rn
      FROM ev_pi_list_add e JOIN runs r ON r.run_id = e.run_id
      WHERE r.complete = 1) a
WHERE a.rn = 1;

-- EPT flush latency per domain.
CREATE VIEW IF NOT EXISTS v_ept_flush_domain AS
SELECT e.run_id, e.domid, COUNT(*) AS flushes,
       SUM(e.sync = 0) AS deferred, SUM(e.coalesced) AS coalesced,
       SUM(e.ipis) AS ipis, AVG(e.latency) AS avg_latency_ns,
       MAX(e.latency) AS max_latency_ns
FROM ev_ept_flush e JOIN runs r ON r.run_id = e.run_id
WHERE r.complete = 1
GROUP BY e.run_id, e.domid;

-- Maptrack frames and handles per domain: the last grow, steals, failures.
CREATE VIEW IF NOT EXISTS v_maptrack_domain AS
SELECT d.run_id, d.domid,
       (SELECT MAX(g.frames) FROM ev_maptrack_grow g
         WHERE g.run_id = d.run_id AND g.domid = d.domid) AS max_frames,
       (SELECT MAX(g."limit") FROM ev_maptrack_grow g
         WHERE g.run_id = d.run_id AND g.domid = d.domid) AS limit_frames,
       (SELECT COUNT(*) FROM ev_maptrack_steal s
         WHERE s.run_id = d.run_id AND s.domid = d.domid) AS steals,
       (SELECT COUNT(*) FROM ev_maptrack_exhausted x
         WHERE x.run_id = d.run_id AND x.domid = d.domid) AS exhausted
FROM domains d JOIN runs r ON r.run_id = d.run_id
WHERE r.complete = 1;

-- dpci schedule-to-run latency per domain.
CREATE VIEW IF NOT EXISTS v_dpci_domain AS
SELECT e.run_id, e.domid, COUNT(*) AS runs, AVG(e.latency) AS avg_latency_ns,
       MAX(e.latency) AS max_latency_ns
FROM ev_dpci_run e JOIN runs r ON r.run_id = e.run_id
WHERE r.complete = 1
GROUP BY e.run_id, e.domid;

-- MSI-X table reads per domain: answered in the hypervisor vs forwarded to
-- the device model.
CREATE VIEW IF NOT EXISTS v_msix_domain AS
SELECT r.run_id, d.domid,
       (SELECT COUNT(*) FROM ev_msix_emulated m
         WHERE m.run_id = r.run_id AND m.domid = d.domid) AS reads_emulated,
       (SELECT COUNT(*) FROM ev_msix_forward m
         WHERE m.run_id = r.run_id AND m.domid = d.domid
           AND m.is_write = 0) AS reads_forwarded,
       (SELECT COUNT(*) FROM ev_msix_forward m
         WHERE m.run_id = r.run_id AND m.domid = d.domid
           AND m.is_write = 1) AS writes_forwarded
FROM runs r JOIN domains d ON d.run_id = r.run_id
WHERE r.complete = 1;
