#!/bin/sh
# run-tests.sh SUITE-COMMAND... — runs each test suite command in turn and
# counts the result lines they print ("PASS name", "FAIL name: why",
# "SKIP name: why"). A suite that exits non-zero without printing a FAIL
# line counts as one failure of its own. Everything is also written to
# build/test-results.log. Ends with "N passed, N failed, N skipped" and
# exits non-zero if anything failed.
set -u
mkdir -p build
results=build/test-results.log
: > "$results"
for suite in "$@"; do
    echo "== $suite" | tee -a "$results"
    out=build/.suite.out
    sh -c "$suite" > "$out" 2>&1
    status=$?
    cat "$out" >> "$results"
    # Show result lines and anything that explains a failure.
    grep -E '^(PASS|FAIL|SKIP) |^    \||^  ' "$out" | grep -vE '^PASS ' | head -200
    grep -cE '^PASS ' "$out" | sed 's/^/   passed: /'
    if [ $status -ne 0 ] && ! grep -qE '^FAIL ' "$out"; then
        echo "FAIL suite '$suite': exited with status $status" | tee -a "$results"
        tail -30 "$out"
    fi
done
passed=$(grep -cE '^PASS ' "$results")
failed=$(grep -cE '^FAIL ' "$results")
skipped=$(grep -cE '^SKIP ' "$results")
echo
echo "results: build/test-results.log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
