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

nodes=$(cat "$SHARE/telemetry-nodes")
# Of the catalogue's nodes, those this hypervisor publishes (the fixes
# built into it) and those it lacks: set from xenhypfs ls /telemetry.
built= unbuilt=
have_telemetry=0
lim 20 xenhypfs ls /telemetry > "$OUT/hypfs-telemetry.txt" 2>&1 && have_telemetry=1
# Upstream xentop (libxenstat) as the independent count of domains.
lim 20 xentop -b -i 1 > "$OUT/xentop.txt" 2>&1
updoms=$(awk 'NR > 1 && NF > 5' "$OUT/xentop.txt" | wc -l)
pc=${xte_pcpus:-2}

# ---- telemetry nodes (a hypervisor with the hv/ changes) ---------------------
# NODE FIELD [pcpu N|domain-record N]: a field of xte-hypfs-node's dump.
nfield() {
    awk -v n="$1" -v f="$2" -v w="${3:-}" -v i="${4:-}" '
        /^node=/ { cur = ""; split($1, a, "="); if (a[2] == n) cur = n }
        cur != "" && ((w == "" && /^node=/) || (w != "" && $1 == w && $2 == i ":")) {
            for (k = 1; k <= NF; k++) { split($k, b, "="); if (b[1] == f) { print b[2]; exit } } }
    ' "$OUT/telemetry-nodes.txt" 2>/dev/null
}
if [ $have_telemetry = 0 ]; then
    res telemetry-nodes SKIP "this hypervisor has no /telemetry in hypfs (stock Xen); counters are checked only on an XEN_IMAGE with the hv/ changes"
else
    # xenhypfs ls /telemetry: nodes of the catalogue, read-only blobs; only
    # those of the fixes built into this hypervisor (the others absent).
    listed=$(awk '{print $NF}' "$OUT/hypfs-telemetry.txt" | sort | tr '\n' ' ')
    built= unbuilt=
    for n in $nodes; do
        case " $listed " in *" $n "*) built="$built $n" ;; *) unbuilt="$unbuilt $n" ;; esac
    done
    built=${built# } unbuilt=${unbuilt# }
    why=
    [ -n "$built" ] || why="$why /telemetry lists no node of the catalogue;"
    for n in $listed; do
        case " $(echo $nodes) " in *" $n "*) ;; *) why="$why lists $n, which the catalogue lacks;" ;; esac
    done
    for n in $built; do
        grep -Eq "^<blob> +r- $n\$" "$OUT/hypfs-telemetry.txt" || why="$why $n is not a read-only blob;"
    done
    # Upstream xenhypfs cannot print a blob, and must not write one.
    node1=${built%% *}
    cerr=$(lim 20 xenhypfs cat /telemetry/$node1 2>&1); crc=$?
    werr=$(lim 20 xenhypfs write /telemetry/$node1 0 2>&1); wrc=$?
    [ $wrc -ne 0 ] && [ $wrc -ne 137 ] && echo "$werr" | grep -qi 'permission denied' ||
        why="$why xenhypfs write /telemetry/$node1: $(why_rc $wrc 20) '$werr' (Permission denied expected);"
    if [ -z "$why" ]; then
        res telemetry-ls PASS "xenhypfs ls /telemetry: $(tr -s ' ' < "$OUT/hypfs-telemetry.txt" | tr '\n' ';') fixes not built in: ${unbuilt:-none}; write refused (exit $wrc '$werr'); xenhypfs cat of a blob: exit $crc '$cerr'"
    else
        res telemetry-ls FAIL "$why"
    fi

    # Each node through libxenhypfs, its header against the catalogue (the
    # project's library decodes it), twice: the hypervisor's clock moves.
    if ! have xte-hypfs-node; then
        res telemetry-nodes FAIL "xte-hypfs-node (tests/xen/hypfs-node.c) is not in the image"
    else
        lim 20 xte-hypfs-node -o "$OUT" $nodes > "$OUT/telemetry-nodes.txt" 2>&1; rc=$?
        sleep 1
        lim 20 xte-hypfs-node $nodes > "$OUT/telemetry-nodes2.txt" 2>&1; rc2=$?
        why=
        [ $rc -eq 0 ] && [ $rc2 -eq 0 ] || why="$why xte-hypfs-node $(why_rc $rc 20), then $(why_rc $rc2 20);"
        sum=
        # A node the hypervisor lacks: the tool says so, and no more.
        for n in $unbuilt; do
            grep -q "^node=$n not-built-in " "$OUT/telemetry-nodes.txt" ||
                why="$why $n is not in /telemetry but xte-hypfs-node does not say not-built-in;"
        done
        for n in $built; do
            line=$(grep "^node=$n " "$OUT/telemetry-nodes.txt")
            [ -n "$line" ] || { why="$why no line for $n;"; continue; }
            echo "$line" | grep -q ' parse=ok$' || why="$why $n: $(echo "$line" | sed 's/.*parse=//');"
            [ "$(nfield $n nr_pcpus)" = "$pc" ] || why="$why $n has $(nfield $n nr_pcpus) pCPU records, Xen $pc pCPUs;"
            for k in version pcpu_record_size domain_record_size index; do
                v=$(nfield $n $k)
                [ "${v%/*}" = "${v#*/}" ] || why="$why $n $k $v (hypervisor/catalogue);"
            done
            dsz=$(nfield $n domain_record_size); nd=$(nfield $n nr_domains)
            if [ "${dsz%/*}" != 0 ]; then
                [ "$nd" = "$updoms" ] || why="$why $n has $nd domain records, upstream xentop $updoms domains;"
                [ "$(nfield $n domid domain-record 0)" = 0 ] || why="$why $n's first domain record is not domain 0;"
            else
                [ "$nd" = 0 ] || why="$why $n has $nd domain records, the catalogue none;"
            fi
            t1=$(nfield $n timestamp_ns)
            t2=$(sed -n "s/^node=$n .* timestamp_ns=\([0-9]*\) .*/\1/p" "$OUT/telemetry-nodes2.txt")
            g1=$(nfield $n generation)
            g2=$(sed -n "s/^node=$n .* generation=\([0-9]*\) .*/\1/p" "$OUT/telemetry-nodes2.txt")
            [ -n "$t2" ] && [ "$t2" -gt "$t1" ] && [ "$g1" = "$g2" ] && [ "$g1" != 0 ] ||
                why="$why $n: timestamp $t1 then '$t2', generation $g1 then '$g2';"
            sum="$sum $n: v$(nfield $n version | cut -d/ -f1) ${pc}x$(nfield $n pcpu_record_size | cut -d/ -f1) B + ${nd}x${dsz%/*} B;"
        done
        if [ -z "$why" ]; then
            res telemetry-nodes PASS "xte-hypfs-node (libxenhypfs + the catalogue's decoder):$sum magic, index, version and sizes as the catalogue says, $pc pCPU records, dom0's record first; not built in (no node, said so): ${unbuilt:-none}; hypervisor clock $(nfield $node1 timestamp_ns) ns then $t2 ns, generation $g1"
        else
            res telemetry-nodes FAIL "$why $(head -c 200 "$OUT/telemetry-nodes.txt")"
        fi
    fi
fi

# ---- grant map/unmap in dom0: the maptrack path ------------------------------
# dom0 grants pages to itself (gntalloc) and maps and unmaps them (gntdev):
# each map takes a maptrack handle, each unmap puts it back.  On a
# hypervisor with the maptrack part, its counters move by as much.
# psum FILE FIELD: sum of a maptrack pCPU field in an xte-hypfs-node dump.
psum() { awk -v f="$2" '/^node=/ { m = ($1 == "node=maptrack") } m && $1 == "pcpu" {
             for (k = 3; k <= NF; k++) { split($k, b, "="); if (b[1] == f) s += b[2] } } END { print s + 0 }' "$1"; }
dsum() { awk -v f="$2" '/^node=/ { m = ($1 == "node=maptrack") } m && $1 == "domain-record" && $3 == "domid=0" {
             for (k = 3; k <= NF; k++) { split($k, b, "="); if (b[1] == f) print b[2] } }' "$1"; }
GP=16 GR=200
if ! have xte-grant-loop; then
    res grant-maptrack SKIP "xte-grant-loop (tests/xen/grant-loop.c) is not in the image"
else
    mt=0
    if [ $have_telemetry = 1 ] && have xte-hypfs-node; then
        lim 20 xte-hypfs-node maptrack > "$OUT/maptrack-before.txt" 2>&1
        grep -q '^node=maptrack type=' "$OUT/maptrack-before.txt" && mt=1
    fi
    lim 120 xte-grant-loop $GP $GR > "$OUT/grant-loop.txt" 2>&1; rc=$?
    n=$((GP * GR))
    why=
    [ $rc -eq 0 ] && grep -q "^maps=$n unmaps=$n " "$OUT/grant-loop.txt" ||
        why="$why xte-grant-loop $GP $GR: $(why_rc $rc 120): $(tail -n 2 "$OUT/grant-loop.txt");"
    detail="dom0 mapped and unmapped $GP of its own granted pages $GR times ($n maps, contents checked)"
    if [ $mt = 1 ]; then
        lim 20 xte-hypfs-node maptrack > "$OUT/maptrack-after.txt" 2>&1
        dg=$(( $(psum "$OUT/maptrack-after.txt" gets) - $(psum "$OUT/maptrack-before.txt" gets) ))
        dp=$(( $(psum "$OUT/maptrack-after.txt" puts) - $(psum "$OUT/maptrack-before.txt" puts) ))
        dl=$(( $(psum "$OUT/maptrack-after.txt" lock_acquisitions) - $(psum "$OUT/maptrack-before.txt" lock_acquisitions) ))
        inuse=$(dsum "$OUT/maptrack-after.txt" in_use)
        fr=$(dsum "$OUT/maptrack-after.txt" frames)
        fails=$(dsum "$OUT/maptrack-after.txt" failures)
        [ "$dg" -ge $n ] && [ "$dp" -ge $n ] || why="$why maptrack gets +$dg, puts +$dp, expected at least $n each;"
        [ "$inuse" = "$(dsum "$OUT/maptrack-before.txt" in_use)" ] || why="$why dom0's handles in use $(dsum "$OUT/maptrack-before.txt" in_use) before, $inuse after;"
        [ "$fr" -ge 1 ] 2>/dev/null || why="$why dom0's maptrack frames '$fr' after $n maps;"
        [ "$fails" = 0 ] || why="$why $fails failed requests;"
        detail="$detail; /telemetry/maptrack: gets +$dg, puts +$dp, lock acquisitions +$dl, dom0 in_use $inuse, frames $fr, failures $fails"
    elif [ $have_telemetry = 1 ]; then
        detail="$detail; the maptrack part is not in this hypervisor (no /telemetry/maptrack): counters not checked"
    fi
    [ -z "$why" ] && res grant-maptrack PASS "$detail" || res grant-maptrack FAIL "$why"
fi

# ---- runtime parameters the fixes add (hypfs /params) ---------------------
# NAME GOOD-VALUE BAD-VALUE: on a hypervisor with the fix, the parameter is
# in /params, takes GOOD (read back), refuses BAD (value unchanged) and
# is restored; on one without the fix (Debian's), it is absent.
lim 20 xenhypfs ls /params > "$OUT/hypfs-params.txt" 2>&1
why= got= absent=
for spec in "dpci_teardown_timeout_ms 250 x" "pi_list_slack 24 x" "ept_flush_policy sync bogus"; do
    set -- $spec
    p=/params/$1
    if ! grep -Eq " $1\$" "$OUT/hypfs-params.txt"; then
        absent="$absent $1"
        continue
    fi
    orig=$(lim 20 xenhypfs cat "$p" 2>&1)
    [ "$orig" = "$2" ] && alt=$( [ "$1" = ept_flush_policy ] && echo deferred || echo 1) || alt=$2
    w=$(lim 20 xenhypfs write "$p" "$alt" 2>&1); wrc=$?
    now=$(lim 20 xenhypfs cat "$p" 2>&1)
    b=$(lim 20 xenhypfs write "$p" "$3" 2>&1); brc=$?
    after=$(lim 20 xenhypfs cat "$p" 2>&1)
    lim 20 xenhypfs write "$p" "$orig" > /dev/null 2>&1
    back=$(lim 20 xenhypfs cat "$p" 2>&1)
    [ $wrc -eq 0 ] && [ "$now" = "$alt" ] || why="$why $p: write $alt $(why_rc $wrc 20) '$w', reads '$now';"
    [ $brc -ne 0 ] && [ "$after" = "$alt" ] || why="$why $p: write '$3' $(why_rc $brc 20), value '$after' (refusal expected, $alt kept);"
    [ "$back" = "$orig" ] || why="$why $p: not restored to $orig ('$back');"
    got="$got $1=$orig (wrote $alt, read $now; '$3' refused: ${b:-exit $brc});"
done
if [ -n "$why" ]; then
    res params-fixes FAIL "$why"
elif [ "${xte_stock:-0}" = 1 ] && [ -n "$got" ]; then
    res params-fixes FAIL "Debian's hypervisor has the fixes' parameters:$got"
elif [ "${xte_stock:-0}" = 1 ]; then
    res params-fixes PASS "Debian's hypervisor has none of the fixes' runtime parameters (absent:$absent)"
elif [ $have_telemetry = 1 ] && ! echo "$got" | grep -q dpci_teardown_timeout_ms; then
    res params-fixes FAIL "a hypervisor with /telemetry but no /params/dpci_teardown_timeout_ms (absent:$absent)"
else
    res params-fixes PASS "written and read back with xenhypfs:$got absent (fix not in this hypervisor):${absent:- none}"
fi

# ---- xentop-pi --xen ---------------------------------------------------------

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
    # With the nodes, the maptrack view's VCPUS column is the maptrack
    # record's nr_vcpus: upstream's count when the maptrack part fills the
    # record, 0 on a hypervisor with the telemetry core but not that part.
    rowvcpus=$d0vcpus extra=
    if [ $have_telemetry = 1 ] && [ "$(nfield maptrack nr_vcpus domain-record 0)" = 0 ]; then
        rowvcpus=0 extra=" (the maptrack record says 0 vCPUs: its part is not in this hypervisor)"
    fi
    if [ -z "$d0name" ] || [ "$d0vcpus" != "$(nproc)" ]; then
        why="$why upstream xentop does not show Domain-0 with $(nproc) vCPUs: $(head -c 200 "$OUT/xentop.txt");"
    elif ! grep -Eq "^ +0 +$d0name +$rowvcpus( |$)" "$f"; then
        why="$why no row for domain 0 '$d0name' with $rowvcpus vCPUs$extra;"
    fi
    if [ $have_telemetry = 0 ]; then
        for n in $nodes; do
            grep -Eq "lacks telemetry nodes:.*/telemetry/$n( |$)" "$f" || why="$why missing node /telemetry/$n not named;"
        done
    else
        grep -q 'lacks telemetry' "$f" && why="$why says nodes are missing on a hypervisor that has /telemetry;"
        for n in $nodes; do
            [ "$(grep -c "^== $n:" "$f")" -eq 3 ] || why="$why no '== $n:' view in each frame;"
        done
        # The nodes of fixes not built in are named as such, no other.
        for n in $unbuilt; do
            grep -Eq "^note: fixes not built into this hypervisor: (.* )?$n( |;|\$)" "$f" ||
                why="$why $n (not in /telemetry) not named as a fix not built in;"
        done
        [ -n "$unbuilt" ] || ! grep -q 'not built into' "$f" ||
            why="$why names fixes not built in on a hypervisor with every node;"
    fi
: > "$OUT/xentop-pi-dpci.txt"
    if [ $have_telemetry = 1 ] && case " $built " in *" dpci "*) true ;; *) false ;; esac; then
        # The last frame's dpci view: one row per pCPU, its EAGAIN column
        # the dpci record's teardown_eagain (read just before).
        awk '/source=xen/ { fr++ } fr == 3 && /^== / { v = $2 } fr == 3 && v == "dpci:" && $1 ~ /^[0-9]+$/' "$f" > "$OUT/xentop-pi-dpci.txt"
        [ "$(wc -l < "$OUT/xentop-pi-dpci.txt")" -eq "$pc" ] || why="$why the dpci view has $(wc -l < "$OUT/xentop-pi-dpci.txt") pCPU rows, not $pc;"
        i=0
        while [ $i -lt "$pc" ]; do
            e=$(awk -v p=$i '$1 == p { print $NF }' "$OUT/xentop-pi-dpci.txt")
            [ "$e" = "$(nfield dpci teardown_eagain pcpu $i)" ] || why="$why dpci pCPU $i EAGAIN '$e', the record $(nfield dpci teardown_eagain pcpu $i);"
            i=$((i + 1))
        done
    fi
    if [ -z "$why" ]; then
        res xentop-pi-xen PASS "exit 0, 3 frames; $hdr; dom0 row: $(first "^ *0 $d0name" "$f")$extra; $(first 'telemetry' "$f")$( [ $have_telemetry = 1 ] && echo "views: $(grep '^== ' "$f" | tail -n 5 | cut -c1-70 | tr '\n' ';') dpci rows: $(tr -s ' ' < "$OUT/xentop-pi-dpci.txt" | tr '\n' ';')")"
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
    # A fix not built in: up 0, node_present 0, none of its metrics.
    for n in $unbuilt; do
        grep -q "^xen_telemetry_up{node=\"$n\"} 0\$" "$p" 2>/dev/null &&
            grep -q "^xen_telemetry_node_present{node=\"$n\"} 0\$" "$p" ||
            why="$why $n (not built in): no up 0 and node_present 0;"
        grep -q "^xen_telemetry_${n}_" "$p" 2>/dev/null && why="$why $n (not built in) has metrics;"
        grep -q "node $n: not in this hypervisor" "$OUT/export.log" || why="$why stderr does not say $n is not built in;"
    done
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
        case " $unbuilt " in *" $n "*) continue ;; esac
        grep -q "^xen_telemetry_up{node=\"$n\"} $up\$" "$p" 2>/dev/null ||
            why="$why no xen_telemetry_up{node=\"$n\"} $up;"
        [ $have_telemetry = 1 ] || continue
        grep -q "^xen_telemetry_node_present{node=\"$n\"} 1\$" "$p" ||
            why="$why no xen_telemetry_node_present{node=\"$n\"} 1;"
        grep -q "^xen_telemetry_node_pcpus{node=\"$n\"} $pc\$" "$p" ||
            why="$why no xen_telemetry_node_pcpus{node=\"$n\"} $pc;"
        nd=$(nfield $n nr_domains)
        grep -q "^xen_telemetry_node_domains{node=\"$n\"} $nd\$" "$p" ||
            why="$why no xen_telemetry_node_domains{node=\"$n\"} $nd (the node's header);"
    done
    if [ $have_telemetry = 1 ] && case " $built " in *" dpci "*) true ;; *) false ;; esac; then
        # dpci counters per pCPU, as the records hold them.
        i=0
        while [ $i -lt "$pc" ]; do
            for k in softirqs_raised items_run teardown_eagain; do
                grep -q "^xen_telemetry_dpci_${k}_total{pcpu=\"$i\"} $(nfield dpci $k pcpu $i)\$" "$p" ||
                    why="$why xen_telemetry_dpci_${k}_total{pcpu=\"$i\"} is not the record's $(nfield dpci $k pcpu $i);"
            done
            i=$((i + 1))
        done
    fi
    if [ -z "$why" ]; then
        res telemetry-export-xen PASS "--xen --once: exit $rc, xen_telemetry_up $up for every catalogue node built in, 0 and node_present 0 for those not built in (${unbuilt:-none})$( [ $have_telemetry = 1 ] && echo ", node_pcpus $pc and node_domains as the headers say, dpci per-pCPU counters as the records; $(grep -c '^xen_' "$p") samples, e.g. $(grep -m1 '^xen_telemetry_dpci_items_run_total' "$p")"); stderr: $(head -n 1 "$OUT/export.log")"
    else
        res telemetry-export-xen FAIL "$why $(head -c 200 "$OUT/export.log")"
    fi
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
