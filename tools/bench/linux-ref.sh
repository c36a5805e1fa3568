#!/bin/sh
# linux-ref.sh BUILD_DIR — prepares the Linux reference guest for `make bench`:
# Debian's cloud kernel (the version linux-image-cloud-amd64 depends on) and
# busybox-static, fetched with `apt-get download` (cached in BUILD_DIR/linux-ref),
# and an initramfs whose /init is tools/bench/lbench.c built statically, with
# the Wasm engine's benchmark runner (user/apps/wasmbench) when the initrd has the modules.
# Outputs BUILD_DIR/linux-ref/vmlinuz and BUILD_DIR/linux-ref/initramfs.gz.
set -eu
mkdir -p "$1/linux-ref"
out=$(cd "$1/linux-ref" && pwd)
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/debs"
cd "$out/debs"
if ! ls linux-image-*.deb > /dev/null 2>&1 || ! ls busybox-static_*.deb > /dev/null 2>&1; then
    ver=$(apt-cache depends linux-image-cloud-amd64 2> /dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
    if [ -z "$ver" ]; then
        apt-get update -qq
        ver=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
    fi
    echo "linux-ref: fetching $ver and busybox-static"
    apt-get download "$ver" busybox-static > /dev/null 2>&1 || { apt-get update -qq && apt-get download "$ver" busybox-static; }
fi
cd "$out"
rm -rf kernel busybox root
dpkg-deb -x debs/linux-image-*.deb kernel
dpkg-deb -x debs/busybox-static_*.deb busybox
cp kernel/boot/vmlinuz-* vmlinuz
mkdir -p root/bin root/dev root/proc
gcc -static -O2 -Wall -Wextra -Werror -o root/init "$here/lbench.c"
# The Wasm engine as a static Linux program with the benchmark modules of the initrd (wasm.in_os_vs_linux).
if [ -d "$build/initrd/wasm/bench" ]; then
    (cd "$here/../.." && gcc -static -std=gnu11 -O2 -ffreestanding -fno-pic -fno-pie -no-pie -fno-math-errno \
        -fstack-protector-strong -Wall -Wextra -Werror -Iabi/include -o "$out/root/wasmbench_linux" lib/wasm/*.c \
        tests/host/wasm/platform_host.c user/apps/wasmbench/wasmbench_core.c user/apps/wasmbench/wasmbench_linux.c)
    mkdir -p root/wasm/tests
    cp -r "$build/initrd/wasm/bench" root/wasm/
    cp "$build/initrd/wasm/tests/hello_rust.wasm" root/wasm/tests/ 2> /dev/null || true
fi
cp busybox/bin/busybox root/bin/busybox
ln -sf busybox root/bin/sh
(cd root && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > initramfs.gz
echo "linux-ref: $(ls kernel/boot/vmlinuz-*) + busybox + lbench ready"
