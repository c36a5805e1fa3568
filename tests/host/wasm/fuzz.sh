#!/bin/sh
# fuzz.sh - builds the libFuzzer target and runs it for FUZZ_SECONDS seconds
# on a corpus seeded from the spec suite's modules (build/spec) and the WASI
# test programs.  Prints "PASS wasm/fuzz (...)" or "FAIL wasm/fuzz: ...";
# crash inputs are kept in build/wasm/fuzz-crashes.
B=${BUILD:-build}
OUT=${WASM_OUT:-$B/host/wasm}
SECS=${FUZZ_SECONDS:-60}
corpus=$B/wasm/fuzz-corpus
crashes=$B/wasm/fuzz-crashes
if ! ${MAKE:-make} --no-print-directory -s "$OUT/fuzz" >"$B/wasm-fuzz-build.log" 2>&1; then
    if grep -q "libclang_rt.fuzzer\|fsanitize=fuzzer\|not found" "$B/wasm-fuzz-build.log"; then
        echo "SKIP wasm/fuzz: clang-14 with the libFuzzer runtime is not available"
        exit 0
    fi
    echo "FAIL wasm/fuzz: cannot build the fuzz target: $(grep -m1 error "$B/wasm-fuzz-build.log")"
    exit 1
fi
mkdir -p "$corpus" "$crashes"
if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    # seed: small valid and invalid modules from the spec suite
    find "$B/spec" -name '*.wasm' -size -8k 2>/dev/null | head -3000 | while read -r f; do
        cp "$f" "$corpus/$(echo "$f" | tr '/' '_')"
    done
fi
"$OUT/fuzz" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" >"$B/wasm/fuzz.log" 2>&1
st=$?
runs=$(grep -m1 'stat::number_of_executed_units' "$B/wasm/fuzz.log" | awk '{print $2}')
if [ $st -ne 0 ]; then
    echo "FAIL wasm/fuzz: crash after ${runs:-?} runs: $(grep -m1 -E 'ERROR|runtime error' "$B/wasm/fuzz.log" | head -c 200) (see $B/wasm/fuzz.log)"
    exit 1
fi
echo "PASS wasm/fuzz ($SECS s, ${runs:-?} runs)"
