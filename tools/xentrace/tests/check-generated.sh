#!/bin/sh
# Every committed artefact derived from the catalogue must be exactly what
# the generator writes today: a change to catalogue.def without `make regen`
# (or a hand edit of a generated file) fails here.
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
exit $status
