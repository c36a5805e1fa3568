#!/bin/sh
# deps.sh [build|test|bench] — makes sure the Debian packages a make target
# needs are installed. As root it installs what is missing with apt-get;
# otherwise it prints the exact command to run and fails.
set -eu
what=${1:-build}

# package:probe pairs; the probe is a command on PATH or an absolute file.
need="gcc:gcc make:make binutils:ld grub-common:grub-mkrescue grub-pc-bin:/usr/lib/grub/i386-pc/multiboot2.mod
grub-efi-amd64-bin:/usr/lib/grub/x86_64-efi/multiboot2.mod xorriso:xorriso mtools:mformat"
case "$what" in
test | bench)
    need="$need clang-format:clang-format qemu-system-x86:qemu-system-x86_64 ovmf:/usr/share/ovmf/OVMF.fd python3:python3
wabt:wast2json clang-14:clang-14 lld-14:wasm-ld-14 wasi-libc:/usr/lib/wasm32-wasi/libc.a
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
libstd-rust-dev-wasm32:/usr/lib/rustlib/wasm32-wasi rustc:/usr/bin/rustc
libclang-rt-14-dev-wasm32:/usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a nodejs:node"
    ;;
esac
if [ "$what" = bench ]; then
    need="$need cpio:cpio"
fi

missing=""
for pair in $need; do
    pkg=${pair%%:*}
    probe=${pair#*:}
    case "$probe" in
    /*) [ -e "$probe" ] && continue ;;
    *) command -v "$probe" > /dev/null 2>&1 && continue ;;
    esac
    missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing > /dev/null
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run:  sudo apt-get install -y$missing" >&2
exit 1
