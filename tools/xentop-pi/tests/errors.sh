#!/bin/bash
# Every failure is one line naming the file (and offset or field), with a
# non-zero exit: no Xen, missing shm, corrupt or truncated trace, corrupt or
# foreign database, bad options.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TMP"
trap 'rm -f /dev/shm/xte-xtp-bad-$$; rm -rf "$TMP"' EXIT
# expect NAME RC PATTERN -- command...
expect() {
    local name=$1 want=$2 pat=$3; shift 4
    "$@" > out 2> err; local rc=$?
    [ "$rc" = "$want" ] || { cat err; fail "$name: exit $rc, expected $want"; }
    [ "$(wc -l < err)" = 1 ] || { cat err; fail "$name: expected one line on stderr"; }
    grep -Eq -- "$pat" err || { cat err; fail "$name: message does not match /$pat/"; }
    echo "ok: $name: $(cat err)"
}
if [ ! -e /dev/xen/privcmd ]; then
    expect "no Xen (default source)" 2 "privcmd absent.*--sim NAME, --trace FILE\|- or --replay DB" -- "$XTP" -b
    expect "no Xen (--xen)" 2 "no Xen hypervisor here" -- "$XTP" --xen -b -i 1
    # Interactive too: the check comes before the screen is touched.
    expect "no Xen (interactive)" 2 "no Xen hypervisor here" -- "$XTP"
fi
expect "missing shm" 1 "/dev/shm/xte-xtp-none-$$: cannot open" -- "$XTP" -b --sim xtp-none-$$
printf 'XSHMgarbage-that-is-long-enough-for-a-directory-and-more-bytes....................................................' > /dev/shm/xte-xtp-bad-$$
expect "corrupt shm" 1 "/dev/shm/xte-xtp-bad-$$: offset [0-9]+: " -- "$XTP" -b --sim xtp-bad-$$
rm -f /dev/shm/xte-xtp-bad-$$
expect "missing trace" 1 "nope.trace: offset 0: .*(No such file|cannot open)" -- "$XTP" -b --trace nope.trace
head -c 64 /dev/urandom > junk.trace
expect "corrupt trace" 1 "junk.trace: offset [0-9]+: " -- "$XTP" -b --trace junk.trace

# A trace cut in the middle of a record: the frames before the cut, then
# one line naming the offset.
"$HELP/xtp-mktrace" k.trace
size=$(stat -c %s k.trace)
"$HELP/xtp-mktrace" cut.trace --cut $((size - 7))
"$XTP" -b -V pi --trace cut.trace > out 2> err; rc=$?
[ $rc = 1 ] || fail "truncated trace: exit $rc"
[ "$(wc -l < err)" = 1 ] && grep -q "cut.trace: offset [0-9]*:" err || { cat err; fail "truncated trace message"; }
grep -q '^xentop-pi t=2.000s' out || fail "truncated trace: frames before the cut are missing"
echo "ok: truncated trace: frames kept, then: $(cat err)"

expect "missing database" 1 "nope.db: cannot read the database" -- "$XTP" -b --replay nope.db
head -c 4096 /dev/urandom > junk.db
expect "not a database" 1 "junk.db: .*(not a database|not a readable)" -- "$XTP" -b --replay junk.db
sqlite3 other.db "CREATE TABLE t (x)" 2>/dev/null && \
    expect "foreign database" 1 "other.db: no ctr_\* counter tables" -- "$XTP" -b --replay other.db
sqlite3 bad.db "CREATE TABLE ctr_pi_pcpu (run_id, sample_ns, pcpu, list_len)" 2>/dev/null && \
    expect "missing column" 1 "bad.db: table ctr_pi_pcpu: no such column: list_hwm" -- "$XTP" -b --replay bad.db
"$XTP" -b --trace k.trace --record rec.db > /dev/null || fail "record"
cp rec.db torn.db
sqlite3 rec.db "UPDATE ctr_ept_domain SET flush_latency_buckets = x'00' WHERE domid = 2 AND sample_ns = 2000000000"
expect "corrupt field" 1 "rec.db: table ctr_ept_domain run_id 1 sample_ns 2000000000 row 1: field flush_latency_buckets is 1 bytes" -- "$XTP" -b --replay rec.db
# A database cut short on disk: sqlite's own words, naming the file.
truncate -s $(( $(stat -c %s torn.db) / 2 )) torn.db
expect "torn database" 1 "torn.db: .*malformed" -- "$XTP" -b --replay torn.db
expect "record into a non-database" 1 "junk.db: .*not a (usable sqlite )?database" -- "$XTP" -b --trace k.trace --record junk.db
# The writers' contract (schemas/README.md): another schema version is
# refused, naming the file and both versions, and the file is left alone.
for v in 2 0; do
    sqlite3 v$v.db "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT); INSERT INTO schema_version VALUES ($v, 'x')"
    expect "record into schema version $v" 1 "v$v.db: schema version $v is (newer|older) than this xentop-pi's \\(1\\)" -- "$XTP" -b --trace k.trace --record v$v.db
    [ "$(sqlite3 v$v.db "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs'")" = 0 ] ||
        fail "record into schema version $v: the file was written to"
done

expect "bad option" 2 "^xentop-pi: -d 0: expected seconds" -- "$XTP" -b -d 0 --trace k.trace
# The upper bound is said, not only "above 0".
expect "delay at the bound" 2 "^xentop-pi: -d 86400: expected seconds above 0 and below 86400" -- "$XTP" -b -d 86400 --trace k.trace
# sqlite takes "" as a temporary database: a recording would vanish.
expect "empty --record" 2 "^xentop-pi: --record '': expected a name" -- "$XTP" -b --trace k.trace --record ""
expect "empty --replay" 2 "^xentop-pi: --replay '': expected a name" -- "$XTP" -b --replay ""
# Names sqlite reads as no file (in-memory, a URI) are files: the samples
# recorded are there to replay.
for name in ":memory:" "file:rec2.db?mode=memory"; do
    "$XTP" -b -V pi --trace k.trace --record "$name" > /dev/null || fail "--record '$name': exit $?"
    [ "$(sqlite3 "./$name" 'SELECT COUNT(DISTINCT sample_ns) FROM ctr_pi_pcpu')" = 3 ] ||
        fail "--record '$name': the samples are not in that file"
    "$XTP" -b -V pi --replay "$name" > out || fail "--replay '$name': exit $?"
    [ "$(grep -c '^xentop-pi t=' out)" = 3 ] || fail "--replay '$name': $(grep -c '^xentop-pi t=' out) frames, expected 3"
    echo "ok: --record and --replay '$name': a file of that name, 3 samples"
done
if [ -w /dev/full ]; then
    # Frames that cannot be written (a full disk) stop the run, exit 1.
    "$XTP" -b --trace k.trace > /dev/full 2> err; rc=$?
    [ $rc = 1 ] && [ "$(wc -l < err)" = 1 ] && grep -q "standard output: write failed (No space left on device)" err ||
        { cat err; fail "frames to a full disk: exit $rc"; }
    echo "ok: frames to a full disk: $(cat err)"
fi
expect "bad view" 2 "--view nope: expected pi" -- "$XTP" -b -V nope --trace k.trace
expect "bad sort" 2 "--sort NOPE: no such column in the pi view" -- "$XTP" -b -V pi -s NOPE --trace k.trace
expect "two sources" 2 "give one source" -- "$XTP" -b --trace k.trace --replay rec.db
