# Shared by the xenalyze-ext shell tests (sourced, not run).
set -u
BUILD=${BUILD:-build}
XA=$BUILD/bin/xenalyze-ext
GEN=$BUILD/tests/xenalyze-ext/xa-gentrace
QUERIES=schemas/queries
for f in "$XA" "$GEN"; do
    [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xa-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok()   { echo "ok: $*"; }

# expect WHAT GOT WANT
expect() {
    if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi
}

# csv_get FILE TABLE KEYCOL KEY COL: one cell of a table in --csv output
# (RFC 4180 quotes understood).
csv_get() {
    awk -v T="$2" -v KC="$3" -v K="$4" -v C="$5" '
        function split_csv(line, out,    n, i, ch, q, f) {
            n = 0; f = ""; q = 0
            for (i = 1; i <= length(line); i++) {
                ch = substr(line, i, 1)
                if (q) {
                    if (ch == "\"" && substr(line, i + 1, 1) == "\"") { f = f ch; i++ }
                    else if (ch == "\"") q = 0
                    else f = f ch
                } else if (ch == "\"") q = 1
                else if (ch == ",") { out[++n] = f; f = "" }
                else f = f ch
            }
            out[++n] = f
            return n
        }
        /^## / { intab = (substr($0, 4, length(T) + 2) == T ": "); hdr = 0; next }
        /^#/ { next }
        /^$/ { intab = 0; next }
        intab && !hdr { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; hdr = 1; next }
        intab && hdr { split_csv($0, v); if (v[col[KC]] == K) { print v[col[C]]; exit } }' "$1"
}

finish() {
    if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed"; exit 1; fi
    echo "all checks passed"
    exit 0
}
