#!/bin/bash
# Run every test given on the command line and print one closing line,
# "N passed, N failed[, N skipped]".
#
# A cmocka program reports per case ("[  PASSED  ] 5 test(s)." and
# "[  FAILED  ] 1 test(s)"); those counts are summed.  Any other program or
# script counts as one case: exit 0 passes, 77 skips, anything else fails.
# A cmocka program that dies before its summary counts one failure more.
set -u
passed=0 failed=0 skipped=0
failed_names=()
log_dir=${BUILD:-build}/test-logs
mkdir -p "$log_dir"
for t in "$@"; do
    name=$(basename "$t")
    log="$log_dir/$name.log"
    start=$(date +%s)
    "$t" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if grep -q '^\[==========\]' "$log"; then
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$f" -eq 0 ]; then
            printf '  PASS %-40s %3d cases %4ds\n' "$name" "$p" "$secs"
        else
            printf '  FAIL %-40s %3d of %d cases failed (log: %s)\n' "$name" "$f" "$((p + f))" "$log"
            sed -n '/\[  FAILED  \]\|\[  ERROR   \]\|error\|Error/p' "$log" | head -20 | sed 's/^/       /'
            failed_names+=("$name")
        fi
    elif [ "$rc" -eq 0 ]; then
        passed=$((passed + 1)); printf '  PASS %-40s %4ds\n' "$name" "$secs"
    elif [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1)); printf '  SKIP %-40s %s\n' "$name" "$(tail -n 1 "$log")"
    else
        failed=$((failed + 1)); failed_names+=("$name")
        printf '  FAIL %-40s exit %d (log: %s)\n' "$name" "$rc" "$log"
        tail -n 15 "$log" | sed 's/^/       /'
    fi
done
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
