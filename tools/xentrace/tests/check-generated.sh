#!/bin/sh
# Every committed artefact derived from the catalogue must be exactly what
# the generator writes today: a change to catalogue.def without `make regen`
# (or a hand edit of a generated file) fails here.  So does a copy of a
# catalogue constant, in a file no compiler reads, that no longer matches.
set -u
GENCAT=${BUILD:-build}/tools/gencat
status=0
for pair in public:hv/xen/include/public/telemetry.h \
            trace:hv/xen/include/xen/telemetry_trace.h \
            sql:schemas/catalogue.sql; do
    kind=${pair%%:*}
    file=${pair#*:}
    if ! "$GENCAT" "$kind" | diff -u "$file" - >/dev/null; then
        echo "DRIFT: $file differs from the catalogue (run: make regen)"
        "$GENCAT" "$kind" | diff -u "$file" - | head -20
        status=1
    fi
done

# Catalogue constants (CAT_CONST) copied where no compiler reads them:
# PromQL, prose.  copy FILE NAME REGEX: REGEX (extended, its one group the
# number) must match in FILE, and every match must be NAME's value.
copy() {
    want=$("$GENCAT" const "$2") || { status=1; return; }
    got=$(sed -nE "s/.*$3.*/\1/p" "$1" | sort -u | tr '\n' ' ' | sed 's/ $//')
    if [ -z "$got" ]; then
        echo "DRIFT: $1: no copy of $2 found (/$3/): update this test"
        status=1
    elif [ "$got" != "$want" ]; then
        echo "DRIFT: $1: $2 is $got, the catalogue says $want (/$3/)"
        status=1
    fi
}
PER_FRAME=MAPTRACK_HANDLES_PER_FRAME
copy contrib/prometheus/xen-telemetry-rules.yml $PER_FRAME 'limit_frames \* ([0-9]+)'
copy contrib/prometheus/xen-telemetry-rules.yml $PER_FRAME 'holds ([0-9]+) handles'
copy contrib/prometheus/xen-telemetry-rules.test.yml $PER_FRAME '4 \* ([0-9]+) handles'
copy docs/PROMETHEUS.md $PER_FRAME 'the ([0-9]+) handles a frame holds'
copy tools/xentop-pi/README.md $PER_FRAME 'frame holds ([0-9]+) handles'

# The schema version the tools accept (XTE_SCHEMA_VERSION) is the one
# schemas/schema.sql writes.
want=$(sed -nE 's/^#define XTE_SCHEMA_VERSION ([0-9]+)$/\1/p' tools/xentrace/xentrace.h)
got=$(sed -nE 's/^INSERT OR IGNORE INTO schema_version \(version\) VALUES \(([0-9]+)\);$/\1/p' schemas/schema.sql)
if [ -z "$want" ] || [ "$got" != "$want" ]; then
    echo "DRIFT: schemas/schema.sql writes schema version '$got', XTE_SCHEMA_VERSION is '$want'"
    status=1
fi
exit $status
