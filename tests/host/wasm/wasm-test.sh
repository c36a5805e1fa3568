#!/bin/sh
# wasm-test.sh - every test of the Wasm engine, one line per test:
#   PASS <name> | FAIL <name>: <reason> | SKIP <name>: <reason>
# Exits 1 if anything failed.  Called by `make wasm-test` with BUILD,
# WASM_OUT, WASM_SPEC, WASM_CLANG, FUZZ_SECONDS and MAKE in the environment.
T=tests/host/wasm
rc=0
note() { case $1 in FAIL*) rc=1 ;; esac; echo "$1"; }

# 1. unit tests (ASan + UBSan)
out=$("$WASM_OUT/unit" 2>&1); st=$?
echo "$out" | grep -E '^(PASS|FAIL|SKIP) '
if [ $st -ne 0 ]; then
    rc=1
    echo "$out" | grep -q '^FAIL ' || { echo "FAIL wasm/unit: exited with status $st"; echo "$out" | tail -15; }
fi

# 2. the engine builds freestanding (no libc) and needs only platform.h symbols
fs=$BUILD/wasm/freestanding
mkdir -p "$fs"
ok=1
for f in lib/wasm/*.c; do
    gcc -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-math-errno \
        -mno-red-zone -nostdinc -isystem "$(gcc -print-file-name=include)" \
        -c "$f" -o "$fs/$(basename "$f" .c).o" 2>"$fs/err.txt" || { ok=0; break; }
done
if [ $ok = 1 ]; then
    undef=$(nm -u "$fs"/*.o | awk 'NF == 2 {print $2}' | sort -u | grep -v '^wasm_' | tr '\n' ' ')
    defined=$(nm "$fs"/*.o | awk '$2 ~ /[TDBR]/ {print $3}' | sort -u)
    missing=""
    for s in $(nm -u "$fs"/*.o | awk 'NF == 2 {print $2}' | sort -u | grep '^wasm_'); do
        echo "$defined" | grep -qx "$s" || missing="$missing $s"
    done
    expect=" wasm_memcpy wasm_memmove wasm_memset wasm_platform_abort wasm_platform_alloc wasm_platform_clock_ns wasm_platform_free wasm_platform_log wasm_platform_realloc"
    extra=""
    for s in $missing; do case "$expect " in *" $s "*) ;; *) extra="$extra $s" ;; esac; done
    if [ -n "$undef$extra" ]; then
        note "FAIL wasm/freestanding: undefined symbols outside platform.h:$undef$extra"
    else
        note "PASS wasm/freestanding"
    fi
else
    note "FAIL wasm/freestanding: $(head -3 "$fs/err.txt" | tr '\n' ' ')"
fi

# 3. the spec suite (one test per .wast file)
out=$($T/spec.sh "$WASM_OUT/spectest" "$WASM_SPEC" "$BUILD/spec" $T/known-failures.txt); st=$?
echo "$out" | grep -E '^(PASS|FAIL|SKIP) ' | sed -E 's/^(PASS spec\/[^ ]*) .*/\1/'
echo "$out" | grep '^spec total:' >&2
[ $st -ne 0 ] && rc=1

# 4. WASI programs
$T/wasi-tests.sh || rc=1

# 5. a short fuzz run
if [ "${FUZZ_SECONDS:-0}" -gt 0 ]; then
    $T/fuzz.sh || rc=1
else
    echo "SKIP wasm/fuzz: FUZZ_SECONDS=0"
fi
exit $rc
