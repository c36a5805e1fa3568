#!/bin/sh
# run.sh - the Wasm engine benchmarks (make wasm-bench).
#
# Builds each bench/wasm/<prog>.c for wasm32 (clang-14 -O2 -nostdlib,
# exporting "run") and natively (gcc -O2), runs it with build/host/mnwasm
# --invoke run, with wabt's wasm-interp, with node, and natively, checks that
# all checksums agree, and prints (DESIGN.md section 12)
#   bench wasm.<prog>.mnwasm <seconds> s ref=native:<s> ratio=<x>
#   bench wasm.<prog>.vs_native <ratio> x
#   bench wasm.<prog>.vs_wabt <ratio> x
# then a table.  Times are whole-process wall times, best of BENCH_RUNS (3).
B=${BUILD:-build}
M=${MNWASM:-$B/host/mnwasm}
CLANG=${WASM_CLANG:-clang-14}
RUNS=${BENCH_RUNS:-3}
PROGS=${BENCH_PROGS:-"coremark_like sha256 nbody sieve fib interp"}
O=$B/bench/wasm
mkdir -p "$O"
rc=0

now() { date +%s.%N; }
# best_time CMD... : runs CMD RUNS times; sets T (best seconds) and OUT (stdout of the last run)
best_time() {
    T=""
    for i in $(seq "$RUNS"); do
        s=$(now); OUT=$("$@" 2>/dev/null); st=$?; e=$(now)
        [ $st -ne 0 ] && { T=""; return 1; }
        t=$(echo "$e - $s" | bc -l)
        if [ -z "$T" ] || [ "$(echo "$t < $T" | bc -l)" = 1 ]; then T=$t; fi
    done
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }

cat >"$O/run.js" <<'JS'
const fs = require('fs');
const m = new WebAssembly.Module(fs.readFileSync(process.argv[2]));
const i = new WebAssembly.Instance(m, {});
console.log(i.exports.run() | 0);
JS

table=""
for p in $PROGS; do
    src=bench/wasm/$p.c
    if ! "$CLANG" --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,-z,stack-size=1048576 \
            "$src" -o "$O/$p.wasm" 2>"$O/$p.log" ||
       ! gcc -O2 -w "$src" -o "$O/$p.native" -lm 2>>"$O/$p.log"; then
        echo "bench wasm.$p: build failed: $(head -c 200 "$O/$p.log")"; rc=1; continue
    fi
    best_time "$O/$p.native"; tn=$T; cn=$(echo "$OUT" | head -1)
    best_time "$M" --invoke run "$O/$p.wasm"; tm=$T; cm=$OUT
    tw=""; cw=""
    if command -v wasm-interp >/dev/null 2>&1; then
        RUNS_SAVE=$RUNS; RUNS=1
        best_time wasm-interp "$O/$p.wasm" --run-all-exports; tw=$T
        cw=$(echo "$OUT" | sed -n 's/^run() => i32:\(.*\)$/\1/p')
        [ -n "$cw" ] && cw=$(echo "$cw" | awk '{ v = $1 + 0; if (v >= 2147483648) v -= 4294967296; printf "%d", v }')
        RUNS=$RUNS_SAVE
    fi
    tj=""; cj=""
    if command -v node >/dev/null 2>&1; then
        best_time node "$O/run.js" "$O/$p.wasm"; tj=$T; cj=$OUT
    fi
    ok=yes
    for c in "$cm" "$cw" "$cj"; do [ -n "$c" ] && [ "$c" != "$cn" ] && ok=no; done
    [ -z "$tm" ] && ok=no
    if [ $ok = no ]; then
        echo "bench wasm.$p: CHECKSUM MISMATCH native=$cn mnwasm=$cm wabt=$cw node=$cj"; rc=1; continue
    fi
    rn=$(ratio "$tm" "$tn")
    echo "bench wasm.$p.mnwasm $(printf %.3f "$tm") s ref=native:$(printf %.3f "$tn") ratio=$rn"
    echo "bench wasm.$p.vs_native $rn x"
    if [ -n "$tw" ]; then
        rw=$(ratio "$tw" "$tm")
        echo "bench wasm.$p.vs_wabt $rw x"
    else
        rw="-"
    fi
    [ -n "$tj" ] && echo "bench wasm.$p.node $(printf %.3f "$tj") s ref=native:$(printf %.3f "$tn") ratio=$(ratio "$tj" "$tn")"
    table="$table$(printf '%-14s %9.3f %9.3f %9s %9s %8s %9s' "$p" "$tn" "$tm" "${tw:--}" "${tj:--}" "$rn" "$rw")
"
done
echo
echo "Wasm engine, wall seconds (best of $RUNS; wabt once), checksums agree:"
printf '%-14s %9s %9s %9s %9s %8s %9s\n' program native mnwasm wabt node "mn/nat" "wabt/mn"
printf '%s' "$table" | awk '{ printf "%-14s %9.3f %9.3f %9s %9s %8s %9s\n", $1, $2, $3, ($4 == "-" ? "-" : sprintf("%.3f", $4)), ($5 == "-" ? "-" : sprintf("%.3f", $5)), $6, $7 }'
exit $rc
