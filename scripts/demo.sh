#!/bin/bash
# The main job, end to end, on a machine without Xen:
#
#   hvsim (the hv/ fixes in the harness, all five subsystems at once)
#     -> xentrace-format trace file
#     -> xenalyze-ext --summary --recommend (report and tuning advice)
#     -> xenalyze-ext --sqlite (post-mortem store)
#     -> two canned post-mortem queries with sqlite3
#
# Usage: scripts/demo.sh [SECONDS]   (make demo runs it after building)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$BUILD/bin
OUT=${DEMO_OUT:-$BUILD/demo}
SECONDS_TO_RUN=${1:-${DEMO_SECONDS:-4}}
PCPUS=${DEMO_PCPUS:-36}
mkdir -p "$OUT"
trace=$OUT/mixed.trace
db=$OUT/mixed.db
rm -f "$trace" "$db" "$db-wal" "$db-shm"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. hvsim: scenario 'mixed' (all five fixes, optimized) on $PCPUS simulated pCPUs for ${SECONDS_TO_RUN}s"
"$BIN/hvsim" --scenario mixed --variant optimized --pcpus "$PCPUS" \
    --seconds "$SECONDS_TO_RUN" --trace "$trace" --shm demo

step "2. xenalyze-ext --summary --recommend $trace"
"$BIN/xenalyze-ext" --summary --recommend "$trace"

step "3. xenalyze-ext --sqlite $db $trace"
"$BIN/xenalyze-ext" --sqlite "$db" "$trace"
# Twice on purpose: ingest is idempotent, the second adds nothing.
"$BIN/xenalyze-ext" --sqlite "$db" "$trace"

step "4. post-mortem: which pCPU's PI list peaked when (schemas/queries/pi_peak.sql)"
sqlite3 -header -column "$db" <schemas/queries/pi_peak.sql | head -20

step "5. post-mortem: the worst EPT flushes and what ran then (schemas/queries/ept_worst_flushes.sql)"
sqlite3 -header -column "$db" <schemas/queries/ept_worst_flushes.sql | head -15

step "Files"
ls -l "$trace" "$db" | awk '{printf "  %-40s %12s bytes\n", $NF, $5}'
cat <<EOF2

Upstream xenalyze reads the same trace:  build/upstream/usr/bin/xenalyze --summary $trace
Every record, decoded, in TSC order:     $BIN/xenalyze-ext --dump $trace | less
Baseline vs fix side by side:            $BIN/hvsim --scenario pi   (or msix, dpci, maptrack, ept)

Watch it live: in one terminal
    $BIN/hvsim --scenario mixed --seconds 300 --shm live
and in another
    $BIN/xentop-pi --sim live
(keys: 1-5 switch view, s sort, r reverse, space pause, h help, q quit).
EOF2
