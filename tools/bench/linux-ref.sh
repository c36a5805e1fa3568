#!/bin/sh
# linux-ref.sh BUILD_DIR — prepares the Linux reference guest for `make bench`:
# Debian's cloud kernel (the version linux-image-cloud-amd64 depends on) and
# busybox-static, fetched with `apt-get download` (cached in BUILD_DIR/linux-ref),
# and an initramfs whose /init is tools/bench/lbench.c built statically, with
# the Wasm engine's benchmark runner (user/apps/wasmbench) when the initrd has the modules,
# and the virtio-blk modules the block-device figures need.
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
# virtio_blk and its PCI transport for the block-device figures (lbench=blk, lbench=blkinsns): the cloud kernel has
# them as modules. /lib/modules/blk.order lists the .ko files in load order (dependencies first), for lbench's
# finit_module. Dependencies come from modules.dep when the package has one, else from each module's .modinfo
# (Debian's package has no modules.dep: depmod makes it on install); built-in modules are skipped.
kmod=$(ls -d kernel/lib/modules/*)
mkdir -p root/lib/modules
: > root/lib/modules/blk.order
addmod() (
    name=$(echo "$1" | tr - _)
    alt=$(echo "$name" | tr _ -)
    dst=root/lib/modules/$name.ko
    if grep -qx "/lib/modules/$name.ko" root/lib/modules/blk.order; then
        return 0
    fi
    if [ -f "$kmod/modules.builtin" ] && grep -qE "/($name|$alt)\.ko\$" "$kmod/modules.builtin"; then
        return 0
    fi
    ko=$(find "$kmod/kernel" \( -name "$name.ko*" -o -name "$alt.ko*" \) | head -n 1)
    if [ -z "$ko" ]; then
        echo "linux-ref: module $name not found; no linux.blk.* figures" >&2
        return 0
    fi
    case $ko in
    *.ko.xz) xz -dc "$ko" > "$dst" ;;
    *.ko.zst) zstd -qdc "$ko" > "$dst" ;;
    *.ko.gz) gzip -dc "$ko" > "$dst" ;;
    *) cp "$ko" "$dst" ;;
    esac
    if [ -f "$kmod/modules.dep" ]; then
        deps=$(grep -E "/($name|$alt)\.ko[^:]*:" "$kmod/modules.dep" | head -n 1 | cut -d: -f2 |
            tr ' ' '\n' | sed -n 's|.*/\([^/]*\)\.ko.*|\1|p')
    else
        deps=$(objcopy -O binary --only-section=.modinfo "$dst" /dev/stdout | tr '\0' '\n' |
            sed -n 's/^depends=//p' | tr , ' ')
    fi
    for d in $deps; do
        addmod "$d"
    done
    echo "/lib/modules/$name.ko" >> root/lib/modules/blk.order
)
addmod virtio_pci
addmod virtio_blk
cp busybox/bin/busybox root/bin/busybox
ln -sf busybox root/bin/sh
(cd root && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > initramfs.gz
echo "linux-ref: $(ls kernel/boot/vmlinuz-*) + busybox + lbench ready"
