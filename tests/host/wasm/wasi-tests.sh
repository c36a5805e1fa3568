#!/bin/sh
# wasi-tests.sh - builds the WASI test programs of tests/wasm with clang-14
# (wasi-libc) and rustc, runs them under build/host/mnwasm and checks their
# output and exit status.  One PASS/FAIL/SKIP line per program.
B=${BUILD:-build}
W=$B/wasm
M=$B/host/mnwasm
CLANG=${WASM_CLANG:-clang-14}
RUSTC=/usr/bin/rustc
rc=0
mkdir -p "$W/sysroot/include" "$W/sysroot/lib"
ln -sfn /usr/include/wasm32-wasi "$W/sysroot/include/wasm32-wasi"
ln -sfn /usr/lib/wasm32-wasi "$W/sysroot/lib/wasm32-wasi"

# check NAME WASM STDIN EXPECTED_STATUS EXPECTED_STDOUT [ARGS...]
check() {
    name=$1 wasm=$2 input=$3 want_st=$4 want=$5
    shift 5
    got=$(printf '%b' "$input" | "$M" $OPTS "$wasm" "$@" 2>"$W/$name.stderr"); st=$?
    want=$(printf '%b' "$want")
    if [ "$st" != "$want_st" ]; then
        echo "FAIL wasi/$name: exit status $st, expected $want_st ($(head -c 200 "$W/$name.stderr"))"; rc=1
    elif [ "$got" != "$want" ]; then
        echo "FAIL wasi/$name: unexpected output: $(echo "$got" | head -c 200 | tr '\n' '|')"; rc=1
    else
        echo "PASS wasi/$name"
    fi
}

build_c() {
    "$CLANG" --target=wasm32-wasi --sysroot="$W/sysroot" -O2 "tests/wasm/$1.c" -o "$W/$1.wasm" \
        2>"$W/$1.build.log"
}

if ! command -v "$CLANG" >/dev/null 2>&1 || [ ! -f /usr/lib/wasm32-wasi/libc.a ]; then
    for t in hello stdin_upper sys trap; do echo "SKIP wasi/$t: clang-14 or wasi-libc missing"; done
else
    for t in hello stdin_upper sys trap; do
        if ! build_c $t; then
            echo "SKIP wasi/$t: cannot build ($(grep -m1 error "$W/$t.build.log" | head -c 150)); install libclang-rt-14-dev-wasm32"
            eval "skip_$t=1"
        fi
    done
    [ -z "$skip_hello" ] && check hello "$W/hello.wasm" "" 3 \
        "Hello from the Wasm Sandbox!\nargc=4\nargv[1]=one\nargv[2]=two words\nargv[3]=3" one "two words" 3
    [ -z "$skip_stdin_upper" ] && check stdin_upper "$W/stdin_upper.wasm" "hello\nwasm world\n" 0 \
        "HELLO\nWASM WORLD\nbytes=17 lines=2"
    [ -z "$skip_sys" ] && OPTS="--env MNWASM_TEST=yes" check sys "$W/sys.wasm" "" 7 \
        "env=yes\nclock_monotonic_ok=1\nrealtime_after_2020=1\nrandom_ok=1\nmalloc_ok=1\nopen_fails=1"
    if [ -z "$skip_trap" ]; then
        got=$("$M" "$W/trap.wasm" 2>&1); st=$?
        case "$got" in
        *"before trap"*"trap: unreachable"*) [ $st = 4 ] && echo "PASS wasi/trap" || { echo "FAIL wasi/trap: status $st"; rc=1; } ;;
        *) echo "FAIL wasi/trap: output: $(echo "$got" | tr '\n' '|')"; rc=1 ;;
        esac
    fi
fi

# mnwasm --invoke on a freestanding module
if ! "$CLANG" --target=wasm32 -O2 -nostdlib -Wl,--no-entry tests/wasm/invoke.c -o "$W/invoke.wasm" \
        2>"$W/invoke.build.log"; then
    echo "SKIP wasi/invoke: cannot build ($(grep -m1 error "$W/invoke.build.log" | head -c 150))"
else
    r1=$("$M" --invoke add 10 32 "$W/invoke.wasm" 2>&1); s1=$?
    r2=$("$M" --invoke mul64 "$W/invoke.wasm" -3 5000000000 2>&1); s2=$?
    r3=$("$M" --invoke half "$W/invoke.wasm" 5 2>&1); s3=$?
    r4=$("$M" --invoke div 1 0 "$W/invoke.wasm" 2>&1); s4=$?
    r5=$("$M" --fuel 100000 --invoke spin "$W/invoke.wasm" 2>&1); s5=$?
    if [ "$r1/$s1" != "42/0" ]; then echo "FAIL wasi/invoke: add: $r1 (status $s1)"; rc=1
    elif [ "$r2/$s2" != "-15000000000/0" ]; then echo "FAIL wasi/invoke: mul64: $r2 (status $s2)"; rc=1
    elif [ "$r3/$s3" != "2.5/0" ]; then echo "FAIL wasi/invoke: half: $r3 (status $s3)"; rc=1
    elif [ $s4 != 4 ] || ! echo "$r4" | grep -q "trap: integer divide by zero"; then
        echo "FAIL wasi/invoke: div by zero: $r4 (status $s4)"; rc=1
    elif [ $s5 != 5 ] || ! echo "$r5" | grep -q "fuel exhausted"; then
        echo "FAIL wasi/invoke: fuel: $r5 (status $s5)"; rc=1
    else
        echo "PASS wasi/invoke"
    fi
fi

if [ ! -x "$RUSTC" ] || [ ! -d /usr/lib/rustlib/wasm32-wasi ]; then
    echo "SKIP wasi/hello_rust: /usr/bin/rustc with the wasm32-wasi target not installed"
elif { [ ! -f "$W/hello_rust.wasm" ] || [ "tests/wasm/hello_rust.rs" -nt "$W/hello_rust.wasm" ]; } &&
     ! "$RUSTC" --target wasm32-wasi -O tests/wasm/hello_rust.rs -o "$W/hello_rust.wasm" 2>"$W/hello_rust.build.log"; then
    echo "FAIL wasi/hello_rust: rustc failed: $(head -c 200 "$W/hello_rust.build.log")"; rc=1
else
    check hello_rust "$W/hello_rust.wasm" "10 20\n30\n" 0 \
        "Hello from Rust on the Wasm Sandbox!\nargs=2\narg x\narg y z\nsum=60" x "y z"
fi
exit $rc
