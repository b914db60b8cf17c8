#!/bin/bash
# The project's tools on real Xen 4.17 captures (tests/xen/data, written by
# upstream xentrace during make check-xen): runs everywhere, QEMU or not,
# and under SANITIZE=... with the sanitizer builds.
#
# For each capture, the record count and the count of every event id are
# taken by a byte walk here (od + awk: a record is a 32-bit header, bits
# 28-30 extra words, bit 31 a 64-bit TSC, then those words), and must equal
#   - upstream xenalyze's (distinct offsets of --dump-raw-reads), when
#     setup-deps has unpacked it into build/upstream;
#   - xenalyze-ext --summary --json: records + CPU windows, every event's
#     count, runstate changes (ids 0x00021xy1), 2 pCPUs seen;
#   - xenalyze-ext --sqlite: a complete run with those records and the
#     runstate table holding every runstate change;
# and xentop-pi --trace FILE -b must read it (exit 0, the frames asked for).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
XA=$BUILD/bin/xenalyze-ext
XTP=$BUILD/bin/xentop-pi
UPSTREAM=build/upstream/usr/bin/xenalyze
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 ran=0
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
item() { sed -n 's/.*"item": *"'"$1"'", *"value": *\([0-9]*\).*/\1/p' "$2" | head -n 1; }

for f in tests/xen/data/*.trace; do
    name=$(basename "$f" .trace)
    read -r walk left < <(od -An -v -tu4 -w4 "$f" | awk -v evfile="$tmp/$name.walk" '
        { if (skip > 0) { skip--; next }
          h = $1; skip = int(h / 268435456) % 8 + (h >= 2147483648 ? 2 : 0); n++
          c[h % 268435456]++ }
        END { for (e in c) printf "0x%08x %d\n", e, c[e] | "sort > " evfile
              print n + 0, skip + 0 }')
    [ "$left" -eq 0 ] || { bad "$name: the byte walk ends inside a record"; continue; }
    windows=$(awk '$1 == "0x0001f003" { print $2 }' "$tmp/$name.walk")
    runstate=$(awk '$1 ~ /^0x00021..1$/ { s += $2 } END { print s + 0 }' "$tmp/$name.walk")
    grep -v '^0x0001f003 ' "$tmp/$name.walk" > "$tmp/$name.events"
    echo "$name: $walk records ($windows CPU windows, $runstate runstate changes) by the byte walk"

    if [ -x "$UPSTREAM" ]; then
        up=$("$UPSTREAM" --dump-raw-reads "$f" 2>/dev/null | awk '$1 == "R" && $2 == "p" { print $4 }' | sort -u | wc -l)
        [ "$up" -eq "$walk" ] && echo "  upstream xenalyze: $up records" ||
            bad "$name: upstream xenalyze read $up records, the walk $walk"
    else
        echo "  SKIP upstream xenalyze: not unpacked (scripts/setup-deps.sh)"
    fi

    if [ ! -x "$XA" ]; then
        echo "  SKIP xenalyze-ext: not built"
    else
        ran=$((ran + 1))
        j=$tmp/$name.json
        "$XA" --summary --json "$f" > "$j" 2> "$tmp/$name.err"; rc=$?
        recs=$(item records "$j"); win=$(item 'cpu windows' "$j"); pcpus=$(item 'pcpus seen' "$j")
        sed -n 's/.*"event": *"\(0x[0-9a-f]*\)".*"count": *\([0-9]*\).*/\1 \2/p' "$j" | sort > "$tmp/$name.xa"
        rs=$(sed -n 's/.*{"pcpu":.*"runstate_changes": *\([0-9]*\).*/\1/p' "$j" | awk '{ s += $1 } END { print s + 0 }')
        if [ $rc -ne 0 ]; then
            bad "$name: xenalyze-ext --summary --json exit $rc: $(head -c 300 "$tmp/$name.err")"
        elif [ -z "$recs" ] || [ -z "$win" ] || [ $((recs + win)) -ne "$walk" ] || [ "$win" != "$windows" ]; then
            bad "$name: xenalyze-ext records '$recs' + windows '$win', walk $walk records, $windows windows"
        elif ! cmp -s "$tmp/$name.xa" "$tmp/$name.events"; then
            bad "$name: per-event counts differ: $(diff "$tmp/$name.events" "$tmp/$name.xa" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
        elif [ "$pcpus" != 2 ] || [ "$rs" != "$runstate" ]; then
            bad "$name: pcpus seen '$pcpus' (2), runstate changes $rs ($runstate)"
        else
            echo "  xenalyze-ext --summary: records $recs + windows $win, $(wc -l < "$tmp/$name.xa") event counts, $rs runstate changes: equal"
        fi

        db=$tmp/$name.db
        "$XA" --sqlite "$db" "$f" > "$tmp/$name.sql.log" 2>&1; rc=$?
        row=$(sqlite3 "$db" "SELECT complete || '|' || records || '|' || nr_pcpus FROM runs" 2>&1)
        rsdb=$(sqlite3 "$db" "SELECT COUNT(*) FROM runstate" 2>&1)
        if [ $rc -eq 0 ] && [ "$row" = "1|$((walk - windows))|2" ] && [ "$rsdb" = "$runstate" ]; then
            echo "  xenalyze-ext --sqlite: run '$row', $rsdb runstate rows"
        else
            bad "$name: --sqlite exit $rc, runs '$row' (1|$((walk - windows))|2), runstate rows '$rsdb' ($runstate): $(tail -n 1 "$tmp/$name.sql.log")"
        fi
    fi

    if [ ! -x "$XTP" ]; then
        echo "  SKIP xentop-pi: not built"
    else
        ran=$((ran + 1))
        "$XTP" --trace "$f" -b -i 2 -d 1 > "$tmp/$name.xtp" 2>&1; rc=$?
        frames=$(grep -c 'source=trace:' "$tmp/$name.xtp")
        if [ $rc -eq 0 ] && [ "$frames" -ge 1 ]; then
            echo "  xentop-pi --trace: exit 0, $frames frames"
        else
            bad "$name: xentop-pi --trace exit $rc, $frames frames: $(head -c 300 "$tmp/$name.xtp")"
        fi
    fi
done

[ "$failed" -eq 0 ] || { echo "$failed check(s) failed"; exit 1; }
[ "$ran" -gt 0 ] || { echo "SKIP: neither xenalyze-ext nor xentop-pi is built"; exit 77; }
echo "all checks passed"
