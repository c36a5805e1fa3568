#!/bin/sh
# spec.sh - converts the WebAssembly spec suite with wast2json into OUT and
# runs the spec-test runner on it.
#
#   spec.sh SPECTEST_BINARY SPEC_DIR OUT_DIR [KNOWN_FAILURES_FILE]
#
# Prints one PASS/FAIL/SKIP line per .wast file and "spec total: ..." at the
# end; exits 1 if any file failed.  SIMD files are skipped ("SIMD: later
# issue"); files listed in KNOWN_FAILURES_FILE are run but reported as SKIP.
runner=$1 spec=$2 out=$3 known=$4
if [ ! -d "$spec" ]; then
    echo "SKIP spec/all: spec suite not found at $spec"
    echo "spec total: 0 passed, 0 failed, 0 skipped (suite absent)"
    exit 0
fi
if ! command -v wast2json >/dev/null 2>&1; then
    echo "SKIP spec/all: wast2json (wabt) not installed"
    echo "spec total: 0 passed, 0 failed, 0 skipped (wast2json absent)"
    exit 0
fi
mkdir -p "$out"
tp=0 tf=0 ts=0 rc=0
for w in "$spec"/*.wast; do
    b=$(basename "$w" .wast)
    d="$out/$b"
    if [ ! -f "$d/$b.json" ] || [ "$w" -nt "$d/$b.json" ]; then
        mkdir -p "$d"
        src=$w
        case $b in
        table_fill|table_get|table_grow|table_set|table_size)
            # wabt 1.0.32 needs explicit table indices (see wasm-spec/README.md)
            sed -E 's/\((table\.(fill|get|grow|set|size)) \(/(\1 0 (/g;
                    s/\((table\.size)\)/(\1 0)/g; s/ (table\.size)\)/ \1 0)/g' "$w" >"$d/$b.wast"
            src=$d/$b.wast ;;
        esac
        wast2json --enable-all "$src" -o "$d/$b.json" >"$d/wast2json.log" 2>&1 || true
    fi
    case $b in
    simd*) line=$("$runner" --skip "SIMD: later issue" "$d/$b.json" | head -1)
           n=$(echo "$line" | sed -n 's/.*(\([0-9]*\) commands).*/\1/p')
           echo "$line"; ts=$((ts + ${n:-0})); continue ;;
    esac
    res=$(timeout 120 "$runner" "$d/$b.json" 2>&1); st=$?
    line=$(echo "$res" | grep -E '^(PASS|FAIL|SKIP) ' | head -1)
    tot=$(echo "$res" | grep '^spec total:')
    [ -n "$line" ] || line="FAIL spec/$b: runner crashed or timed out (status $st)"
    case $line in PASS*) [ $st -ne 0 ] && line="FAIL spec/$b: runner exited with status $st: $(echo "$res" | grep -m1 -E 'ERROR|runtime error|SUMMARY' | head -c 200)" ;; esac
    p=$(echo "$tot" | sed -n 's/spec total: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\1/p')
    f=$(echo "$tot" | sed -n 's/spec total: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\2/p')
    s=$(echo "$tot" | sed -n 's/spec total: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\3/p')
    tp=$((tp + ${p:-0})); ts=$((ts + ${s:-0}))
    case $line in
    FAIL*)
        reason=""
        [ -n "$known" ] && [ -f "$known" ] && reason=$(grep -E "^$b[[:space:]]" "$known" | head -1 | sed -E "s/^$b[[:space:]]+//")
        if [ -n "$reason" ]; then
            echo "SKIP spec/$b: known failure: $reason"
            ts=$((ts + ${f:-0}))
        else
            echo "$line"; rc=1; tf=$((tf + ${f:-1}))
        fi ;;
    *) echo "$line" ;;
    esac
done
echo "spec total: $tp passed, $tf failed, $ts skipped"
exit $rc
