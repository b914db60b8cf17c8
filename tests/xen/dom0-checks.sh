#!/bin/sh
# The checks the real-Xen test runs inside dom0 (busybox sh, as /xte/checks.sh
# of the initramfs scripts/xen-qemu/mkinitramfs.sh builds).
#
# Each check prints exactly one line
#     XTE-RESULT <name> PASS|FAIL|SKIP <detail>
# which tests/xen/check-xen.sh reads off the serial console.  A check of a
# project tool that is not built yet prints SKIP; a tool that is built and
# misbehaves FAILs.  Evidence (captures, tool output, the sqlite file) goes
# to /tmp/xte-out, which is written as a tar archive to the results disk
# /dev/vda at the end for the host to check again and to keep.
#
# Environment (from the dom0 command line, see boot.sh / check-xen.sh):
#   xte_pcpus      pCPUs QEMU was given: what Xen must report
#   xte_stock      1 when the hypervisor is Debian's (expect version 4.17)

T=/opt/xte/bin
OUT=/tmp/xte-out
SHARE=/opt/xte/share
mkdir -p "$OUT"
fails=0 nres=0

res() {   # res NAME STATUS DETAIL...
    n=$1 st=$2; shift 2
    # One line, whatever the detail holds.
    d=$(echo "$*" | tr '\n\r\t' '   ' | cut -c1-400)
    echo "XTE-RESULT $n $st $d [t=$(cut -d' ' -f1 /proc/uptime)s]"
    nres=$((nres + 1))
    [ "$st" = FAIL ] && fails=$((fails + 1))
    return 0
}
have() { [ -x "$T/$1" ]; }
# Every program runs under a time limit, so a hang is a FAIL with a reason
# instead of a silent boot timeout.  Status 137: killed by the limit.
lim() { timeout -s KILL "$@"; }
why_rc() { [ "$1" -eq 137 ] && echo "killed after ${2}s (hung)" || echo "exit status $1"; }
# First line of a file that matches, flattened, for details.
first() { grep -m1 "$1" "$2" 2>/dev/null | tr -s ' ' | cut -c1-160; }
up_s() { cut -d. -f1 /proc/uptime; }

# Keep dom0's vCPUs busy, blocking and waking, for $1 seconds (what the
# scheduler trace records).
load() {
    end=$(( $(up_s) + $1 ))
    while [ "$(up_s)" -lt "$end" ]; do
        dd if=/dev/zero bs=64k count=8 2>/dev/null | md5sum > /dev/null
        usleep 20000
    done
}

# Records in a trace file, walked by hand: a record is one 32-bit header
# (bits 0-27 event, 28-30 extra words, bit 31: a 64-bit TSC follows), then
# its words.  Prints "COUNT LEFTOVER" (LEFTOVER > 0: the file ends inside a
# record) and writes "0xEVENT COUNT" lines, sorted, to $2.
walk_count() {
    hexdump -v -e '1/4 "%u\n"' "$1" |
        awk -v evfile="$2" '
             { if (skip > 0) { skip--; next }
               h = $1; skip = int(h / 268435456) % 8 + (h >= 2147483648 ? 2 : 0); n++
               c[h % 268435456]++ }
             END { for (e in c) printf "0x%08x %d\n", e, c[e] | "sort > " evfile
                   print n + 0, skip + 0 }'
}
# Records upstream xenalyze read: one "R p" line per read, and a record at
# a per-pCPU window switch is read again, so count distinct offsets.
xenalyze_count() {
    lim 120 xenalyze --dump-raw-reads "$1" 2>/dev/null | awk '$1 == "R" && $2 == "p" { print $4 }' | sort -u | wc -l
}

# ---- a real host: xenstored, dom0's facts ---------------------------------
mkdir -p /var/run/xenstored /var/lib/xenstored /var/lib/xen /var/log/xen
if xenstored --pid-file=/run/xenstored.pid > "$OUT/xenstored.log" 2>&1 &&
   xen-init-dom0 > "$OUT/xen-init-dom0.log" 2>&1; then
    res xenstore PASS "xenstored running, xen-init-dom0 named dom0"
else
    res xenstore FAIL "xenstored/xen-init-dom0: $(tail -n 2 "$OUT"/xen*.log)"
fi

caps=$(cat /proc/xen/capabilities 2>/dev/null)
if [ -c /dev/xen/privcmd ] && [ "$caps" = control_d ]; then
    res dom0-privcmd PASS "/dev/xen/privcmd present, /proc/xen/capabilities=control_d, $(nproc) vCPUs"
else
    res dom0-privcmd FAIL "privcmd=$( [ -c /dev/xen/privcmd ] && echo yes || echo no) capabilities='$caps'"
fi

# ---- hypfs through upstream xenhypfs (libxenhypfs) -------------------------
lim 20 xenhypfs ls / > "$OUT/hypfs-ls.txt" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q ' buildinfo$' "$OUT/hypfs-ls.txt" && grep -q ' params$' "$OUT/hypfs-ls.txt"; then
    res hypfs-ls PASS "xenhypfs ls /: $(awk '{print $NF}' "$OUT/hypfs-ls.txt" | tr '\n' ' ')"
else
    res hypfs-ls FAIL "xenhypfs ls /: $(why_rc $rc 20): $(head -c 200 "$OUT/hypfs-ls.txt")"
fi

major=$(lim 20 xenhypfs cat /buildinfo/version/major 2>&1)
minor=$(lim 20 xenhypfs cat /buildinfo/version/minor 2>&1)
extra=$(lim 20 xenhypfs cat /buildinfo/version/extra 2>&1)
mtf=$(lim 20 xenhypfs cat /params/gnttab_max_maptrack_frames 2>&1); mrc=$?
case "$major.$minor" in
    *[!0-9.]*|.*|*.) res hypfs-cat FAIL "version not readable: '$major' '$minor'" ;;
    *)
        if [ "${xte_stock:-0}" = 1 ] && [ "$major.$minor" != 4.17 ]; then
            res hypfs-cat FAIL "Debian's image reports Xen $major.$minor, not 4.17"
        elif [ $mrc -ne 0 ] || [ -z "$mtf" ]; then
            res hypfs-cat FAIL "xenhypfs cat /params/gnttab_max_maptrack_frames: $(why_rc $mrc 20) '$mtf'"
        else
            res hypfs-cat PASS "Xen $major.$minor$extra; /params/gnttab_max_maptrack_frames=$mtf"
        fi ;;
esac

# A node the hypervisor does not let anyone write: the error must say so and
# the value must stay.
werr=$(lim 20 xenhypfs write /buildinfo/version/major 99 2>&1); wrc=$?
after=$(lim 20 xenhypfs cat /buildinfo/version/major 2>&1)
if [ $wrc -ne 0 ] && [ $wrc -ne 137 ] && echo "$werr" | grep -qi 'permission denied' && [ "$after" = "$major" ]; then
    res hypfs-write-denied PASS "xenhypfs write /buildinfo/version/major: exit $wrc '$werr', value still $after"
else
    res hypfs-write-denied FAIL "$(why_rc $wrc 20) '$werr', value now '$after' (was '$major')"
fi

# ---- xentop-pi --xen ---------------------------------------------------------
nodes=$(cat "$SHARE/telemetry-nodes")
have_telemetry=0
lim 20 xenhypfs ls /telemetry > "$OUT/hypfs-telemetry.txt" 2>&1 && have_telemetry=1
# Upstream xentop (libxenstat) as the independent count of domains.
lim 20 xentop -b -i 1 > "$OUT/xentop.txt" 2>&1
updoms=$(awk 'NR > 1 && NF > 5' "$OUT/xentop.txt" | wc -l)
pc=${xte_pcpus:-2}

if ! have xentop-pi; then
    res xentop-pi-xen SKIP "xentop-pi is not built yet (no $T/xentop-pi)"
else
    f=$OUT/xentop-pi-xen.txt
    lim 30 xentop-pi --xen -b -i 3 -d 1 > "$f" 2> "$OUT/xentop-pi-xen.err"; rc=$?
    cat "$OUT/xentop-pi-xen.err" >> "$f"
    why=
    [ $rc -eq 0 ] || why="$why $(why_rc $rc 30) (0 expected);"
    frames=$(grep -c 'source=xen' "$f")
    [ "$frames" -eq 3 ] || why="$why $frames frames, not 3;"
    hdr=$(grep -m1 'source=xen' "$f")
    echo "$hdr" | grep -q " pcpus=$pc " || why="$why header does not say pcpus=$pc;"
    echo "$hdr" | grep -q " domains=$updoms " || why="$why header does not say domains=$updoms (upstream xentop's count);"
    echo "$hdr" | grep -Eq " gnttab_max_maptrack_frames=$mtf( |$)" ||
        why="$why header does not show /params/gnttab_max_maptrack_frames=$mtf;"
    # dom0's row (maptrack view: DOM NAME VCPUS ...) against upstream
    # xentop's NAME and VCPUS columns.
    d0name=$(awk 'NR > 1 && NF > 8 && $1 ~ /Domain-0/ { print $1 }' "$OUT/xentop.txt")
    d0vcpus=$(awk 'NR > 1 && NF > 8 && $1 ~ /Domain-0/ { print $9 }' "$OUT/xentop.txt")
    if [ -z "$d0name" ] || [ "$d0vcpus" != "$(nproc)" ]; then
        why="$why upstream xentop does not show Domain-0 with $(nproc) vCPUs: $(head -c 200 "$OUT/xentop.txt");"
    elif ! grep -Eq "^ +0 +$d0name +$d0vcpus( |$)" "$f"; then
        why="$why no row for domain 0 '$d0name' with $d0vcpus vCPUs (as upstream xentop shows);"
    fi
    if [ $have_telemetry = 0 ]; then
        for n in $nodes; do
            grep -Eq "lacks telemetry nodes:.*/telemetry/$n( |$)" "$f" || why="$why missing node /telemetry/$n not named;"
        done
    else
        grep -q 'lacks telemetry' "$f" && why="$why says nodes are missing on a hypervisor that has /telemetry;"
    fi
    if [ -z "$why" ]; then
        res xentop-pi-xen PASS "exit 0, 3 frames; $hdr; dom0 row: $(first "^ *0 $d0name" "$f"); $(first 'telemetry' "$f")"
    else
        res xentop-pi-xen FAIL "$why $(head -c 300 "$f")"
    fi

    # Recording the real host to sqlite.
    rm -f "$OUT/xentop-pi.db"
    lim 30 xentop-pi --xen -b -i 2 -d 1 --record "$OUT/xentop-pi.db" > "$OUT/xentop-pi-record.txt" 2>&1; rc=$?
    row=$(lim 20 sqlite3 "$OUT/xentop-pi.db" "SELECT tool, source, complete, nr_pcpus FROM runs" 2>&1)
    if [ $rc -eq 0 ] && [ "$row" = "xentop-pi|xen|1|$pc" ]; then
        res xentop-pi-record PASS "--record: runs row '$row'"
    else
        res xentop-pi-record FAIL "--record: $(why_rc $rc 30), runs row '$row' (expected xentop-pi|xen|1|$pc): $(tail -n 2 "$OUT/xentop-pi-record.txt")"
    fi
fi

# ---- xen-telemetry-export --xen (the Prometheus textfile) -------------------
if ! have xen-telemetry-export; then
    res telemetry-export-xen SKIP "xen-telemetry-export is not built yet"
else
    rm -rf /tmp/prom; mkdir -p /tmp/prom
    lim 30 xen-telemetry-export --xen --once --textfile /tmp/prom > "$OUT/export.log" 2>&1; rc=$?
    cp /tmp/prom/xen_telemetry.prom "$OUT/" 2>/dev/null
    p=/tmp/prom/xen_telemetry.prom
    up=$([ $have_telemetry = 1 ] && echo 1 || echo 0)
    why=
    # docs/PROMETHEUS.md: exit 1 when the source failed; with no node at
    # all (a stock hypervisor) --once exits 1, the file is still written.
    if [ $have_telemetry = 1 ]; then
        [ $rc -eq 0 ] || why="$why $(why_rc $rc 30) (0 expected);"
    else
        [ $rc -eq 0 ] || [ $rc -eq 1 ] || why="$why $(why_rc $rc 30) (0 or 1 expected);"
        for n in $nodes; do
            grep -q "node $n" "$OUT/export.log" || why="$why stderr does not name node $n;"
        done
    fi
    [ -s "$p" ] || why="$why no $p written;"
    for n in $nodes; do
        grep -q "^xen_telemetry_up{node=\"$n\"} $up\$" "$p" 2>/dev/null ||
            why="$why no xen_telemetry_up{node=\"$n\"} $up;"
    done
    if [ -z "$why" ]; then
        res telemetry-export-xen PASS "--xen --once: exit $rc, xen_telemetry_up $up for every catalogue node; stderr: $(head -n 1 "$OUT/export.log")"
    else
        res telemetry-export-xen FAIL "$why $(head -c 200 "$OUT/export.log")"
    fi
fi

# ---- telemetry nodes (a hypervisor with the hv/ changes) ---------------------
if [ $have_telemetry = 0 ]; then
    res telemetry-nodes SKIP "this hypervisor has no /telemetry in hypfs (stock Xen); counters are checked only on an XEN_IMAGE with the hv/ changes"
else
    why=
    for n in $nodes; do
        b=$OUT/telemetry-$n.bin
        lim 20 xenhypfs cat -b "/telemetry/$n" > "$b" 2>/dev/null ||
            { why="$why /telemetry/$n unreadable;"; continue; }
        sz=$(wc -c < "$b")
        [ "$sz" -ge 48 ] || { why="$why /telemetry/$n only $sz bytes;"; continue; }
        # magic version|header_size node nr_pcpus pcpu_size nr_domains domain_size
        set -- $(hexdump -v -n 28 -e '7/4 "%u " "\n"' "$b")
        [ "$1" = 1279546456 ] || why="$why /telemetry/$n bad magic $1;"
        [ "$4" = "$pc" ] || why="$why /telemetry/$n has $4 pCPU records, Xen $pc pCPUs;"
        [ "$sz" -eq $((48 + $4 * $5 + $6 * $7)) ] || why="$why /telemetry/$n is $sz bytes, header says $((48 + $4 * $5 + $6 * $7));"
    done
    [ -z "$why" ] && res telemetry-nodes PASS "nodes $(echo $nodes): magic, pCPU count and sizes as the header says" ||
        res telemetry-nodes FAIL "$why"
fi

# ---- a real trace, captured by upstream xentrace ------------------------------
capture() {   # capture NAME MASK SECONDS
    f=$OUT/$1.trace
    load "$3" & l1=$!
    load "$3" & l2=$!
    lim $(($3 + 20)) xentrace -D -e "$2" -T "$3" "$f" > "$OUT/$1.xentrace.log" 2>&1; rc=$?
    wait $l1 $l2
    sz=$(wc -c < "$f" 2>/dev/null || echo 0)
    set -- $(walk_count "$f" "$OUT/$1.events")
    walk=${1:-0} left=${2:-0}
    xa=$(xenalyze_count "$f")
}
for spec in "sched 0x0002f000 3" "all all 1"; do
    set -- $spec
    name=$1
    capture "$1" "$2" "$3"
    if [ $rc -ne 0 ] || [ "$sz" -eq 0 ]; then
        res "trace-$name" FAIL "xentrace -e $2 -T $3 exit $rc, $sz bytes: $(tail -n 1 "$OUT/$name.xentrace.log")"
    elif [ "$left" -ne 0 ] || [ "$walk" -ne "$xa" ] || [ "$walk" -lt 100 ]; then
        res "trace-$name" FAIL "$sz bytes; byte walk $walk records (leftover $left words), upstream xenalyze read $xa"
    else
        res "trace-$name" PASS "xentrace -e $2 for $3 s: $sz bytes, $walk records (byte walk = upstream xenalyze)"
    fi
    echo "$walk" > "$OUT/$name.count"
done

# ---- xenalyze-ext on the real captures --------------------------------------
# jitem KEY FILE: the value of {"item": KEY, "value": N} in xenalyze-ext's JSON.
jitem() { sed -n 's/.*"item": *"'"$1"'", *"value": *\([0-9]*\).*/\1/p' "$2" | head -n 1; }
if ! have xenalyze-ext; then
    res xenalyze-ext-summary SKIP "xenalyze-ext is not built yet (no $T/xenalyze-ext)"
    res xenalyze-ext-sqlite SKIP "xenalyze-ext is not built yet"
else
    for name in sched all; do
        j=$OUT/$name.summary.json
        lim 60 xenalyze-ext --summary --json "$OUT/$name.trace" > "$j" 2> "$OUT/$name.summary.err"; rc=$?
        walk=$(cat "$OUT/$name.count")
        recs=$(jitem records "$j"); win=$(jitem 'cpu windows' "$j")
        pcpus=$(jitem 'pcpus seen' "$j"); lost=$(jitem 'records lost' "$j")
        # Per-event counts: xenalyze-ext's events table against the byte walk
        # (window records are the file's framing, not events).
        sed -n 's/.*"event": *"\(0x[0-9a-f]*\)".*"count": *\([0-9]*\).*/\1 \2/p' "$j" | sort > "$OUT/$name.events.xa"
        grep -v '^0x0001f003 ' "$OUT/$name.events" > "$OUT/$name.events.walk"
        pcpusum=$(sed -n 's/.*{"pcpu": *[0-9]*, *"records": *\([0-9]*\).*/\1/p' "$j" | awk '{s += $1} END {print s + 0}')
        why=
        [ $rc -eq 0 ] || why="$why $(why_rc $rc 60): $(head -c 200 "$OUT/$name.summary.err");"
        [ -n "$recs" ] && [ -n "$win" ] && [ $((recs + win)) -eq "$walk" ] ||
            why="$why records $recs + cpu windows $win != $walk records of the byte walk;"
        [ "$pcpusum" = "$recs" ] || why="$why per-pCPU records add up to $pcpusum, not $recs;"
        [ "$pcpus" = "${xte_pcpus:-2}" ] || why="$why pcpus seen '$pcpus', Xen has ${xte_pcpus:-2};"
        cmp -s "$OUT/$name.events.xa" "$OUT/$name.events.walk" ||
            why="$why per-event counts differ from the byte walk: $(diff "$OUT/$name.events.walk" "$OUT/$name.events.xa" | grep '^[-+]0x' | head -n 4 | tr '\n' ' ');"
        if [ -z "$why" ]; then
            res "xenalyze-ext-summary-$name" PASS "records $recs + cpu windows $win = byte walk = upstream xenalyze; $(wc -l < "$OUT/$name.events.xa") event ids, each count equal to the walk's; pcpus seen $pcpus; records lost $lost"
        else
            res "xenalyze-ext-summary-$name" FAIL "$why"
        fi
    done

    # Scheduler runstate changes (TRC_SCHED_RUNSTATE_CHANGE carries the old
    # and new state in bits 4-9 of the event id): the per-pCPU column and
    # the sqlite runstate table must hold every one the walk found.
    rs_walk=$(grep '^0x00021..1 ' "$OUT/sched.events" | awk '{s += $2} END {print s + 0}')
    rs_sum=$(sed -n 's/.*{"pcpu":.*"runstate_changes": *\([0-9]*\).*/\1/p' "$OUT/sched.summary.json" | awk '{s += $1} END {print s + 0}')
    rm -f "$OUT/sched.db"
    lim 60 xenalyze-ext --sqlite "$OUT/sched.db" "$OUT/sched.trace" > "$OUT/sqlite.log" 2>&1; rc=$?
    recs=$(jitem records "$OUT/sched.summary.json")
    q() { lim 20 sqlite3 -bail "$OUT/sched.db" "$1" 2>&1; }
    if [ $rc -ne 0 ]; then
        res xenalyze-ext-sqlite FAIL "--sqlite $(why_rc $rc 60): $(tail -n 2 "$OUT/sqlite.log")"
    else
        why=
        run=$(q "SELECT complete, records, bytes, nr_pcpus FROM runs")
        [ "$run" = "1|$recs|$(wc -c < "$OUT/sched.trace")|${xte_pcpus:-2}" ] ||
            why="$why runs row '$run', expected complete|$recs|bytes|${xte_pcpus:-2};"
        ps=$(q "SELECT COUNT(*) || '|' || SUM(records) FROM pcpus")
        rs_db=$(q "SELECT COUNT(*) FROM runstate")
        [ "$ps" = "${xte_pcpus:-2}|$recs" ] || why="$why pcpus table '$ps';"
        # A second ingest of the same file must be a no-op.
        lim 60 xenalyze-ext --sqlite "$OUT/sched.db" "$OUT/sched.trace" >> "$OUT/sqlite.log" 2>&1 ||
            why="$why second ingest failed;"
        [ "$(q 'SELECT COUNT(*) FROM runs')" = 1 ] || why="$why second ingest added a run;"
        qn=0
        for f in "$SHARE"/queries/*.sql; do
            [ -f "$f" ] || continue
            qn=$((qn + 1))
            o=$OUT/query-$(basename "$f" .sql).txt
            lim 30 sqlite3 -bail "$OUT/sched.db" < "$f" > "$o" 2>&1 ||
                why="$why canned query $(basename "$f"): $(tail -n 1 "$o");"
        done
        if [ "$rs_walk" -gt 0 ] && { [ "$rs_sum" != "$rs_walk" ] || [ "$rs_db" != "$rs_walk" ]; }; then
            res xenalyze-ext-runstate FAIL "the capture holds $rs_walk TRC_SCHED_RUNSTATE_CHANGE records (ids 0x00021xy1); --summary counts $rs_sum, the runstate table has $rs_db rows"
        elif [ "$rs_walk" -gt 0 ]; then
            res xenalyze-ext-runstate PASS "$rs_walk runstate changes: per-pCPU column and runstate table agree with the byte walk"
        else
            res xenalyze-ext-runstate FAIL "the sched capture holds no runstate changes: dom0 did not schedule?"
        fi
        if [ -z "$why" ]; then
            res xenalyze-ext-sqlite PASS "ingested the sched capture: runs row complete with $recs records, ${xte_pcpus:-2} pCPU rows; re-ingest a no-op; $qn canned queries ran"
        else
            res xenalyze-ext-sqlite FAIL "$why"
        fi
    fi
fi

# ---- xentop-pi following a live xentrace pipe --------------------------------
# xentrace writes to its output file argument: /dev/stdout is the pipe.  It
# is told to run for 40 s; xentop-pi stops after 3 frames of trace time, and
# xentrace dies of SIGPIPE at its next write, so a pipeline that ends well
# before 40 s shows xentop-pi consumed the stream live, not at end of file.
if ! have xentop-pi; then
    res xentop-pi-trace-pipe SKIP "xentop-pi is not built yet"
else
    load 40 & l1=$!
    t1=$(up_s)
    lim 60 sh -c 'xentrace -D -e 0x0002f000 -T 40 /dev/stdout 2>/dev/null |
                  xentop-pi --trace - -b -i 3 -d 1' > "$OUT/xentop-pi-pipe.txt" 2>&1
    rc=$?
    took=$(( $(up_s) - t1 ))
    kill $l1 2>/dev/null; wait $l1 2>/dev/null
    frames=$(grep -c 'source=trace:-' "$OUT/xentop-pi-pipe.txt")
    if [ $rc -eq 0 ] && [ "$frames" -eq 3 ] && [ "$took" -lt 30 ]; then
        res xentop-pi-trace-pipe PASS "3 frames from a live xentrace pipe in ${took}s (xentrace would have run 40 s): $(head -n 1 "$OUT/xentop-pi-pipe.txt")"
    else
        res xentop-pi-trace-pipe FAIL "$(why_rc $rc 60), $frames frames, ${took}s: $(head -c 300 "$OUT/xentop-pi-pipe.txt")"
    fi
fi

# ---- hand the evidence to the host ---------------------------------------------
if [ -b /dev/vda ]; then
    tar -cf /dev/vda -C "$OUT" . && sync
fi
# The host checks it saw every result line (none lost on the console).
echo "XTE-CHECKS total=$nres failed=$fails"
exit "$fails"
