#!/usr/bin/env python3
"""Boots MinimalOS into init and checks userspace, one result line per check:

    PASS qemu/<boot>/<check>      FAIL qemu/<boot>/<check>: <why>

Two kinds of boot:
  * utest boots (kernel command line utest=all): init starts serial_drv and
    runs the test programs of the initrd (user/utests, init/tests.c); each
    "utest: PASS|FAIL name" line init prints through serial_drv is a check,
    and QEMU must exit through isa-debug-exit with init's verdict. COM1 is a
    socket here: when the echo test prints "echo: ready", this script types
    a line into the guest's serial input, which must come back.
  * plain boots (no test selection): the boot must reach "init ready"
    (printed by init through serial_drv), then QEMU is stopped.

usage: run_userspace.py [--build DIR] [--only NAME[,NAME]]
"""
import argparse
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

ECHO_LINE = b"ping-MinimalOS-4242\r"
# The programs init runs with utest=all (user/init/tests.c): each must report.
UTESTS = ["hello", "memory", "malloc", "delegation", "echo", "leaks", "wasm_wasi", "wasm_limits", "wasm_many",
          "wasm_spec", "wasm_bridge"]
# init's Wasm hypervisor greets at boot through the SFI bridge (env.host_print -> init's COM1 port): the line
# arrives on its own, unprefixed (the WASI hello program's copy goes through wasm_wasi's console, prefixed).
BRIDGE_LINE = re.compile(r"^Hello from the Wasm Sandbox!\r?$", re.M)

# The block tests (user/utests/blk*.c) and the disk pattern they share with this script (user/utests/blk_pattern.h):
# the image is stamped by qemu.blk_stamp_image; the blk test rewrites WRITE_COUNT sectors from WRITE_LBA
# (qemu.BLK_WRITE_KEY) and changes nothing else.
BLK_TESTS = ["blk", "blk_leak", "blk_nocaps", "blk_portio", "blk_kill"]
WRITE_LBA, WRITE_COUNT = 1000, 300
BLK_SECTORS = 16384  # 8 MiB
BLK_SERIAL = "MNOS-TEST-DISK"


def blk_disk(build, name, opts=""):
    """QEMU arguments for a virtio-blk disk on a freshly stamped image build/qemu/NAME.img, and the image's path."""
    img = os.path.join(build, "qemu", name + ".img")
    qemu.blk_stamp_image(img, BLK_SECTORS)
    return ["-drive", "if=none,id=d0,format=raw,file=" + img, "-device",
            "virtio-blk-pci,drive=d0,serial=%s%s" % (BLK_SERIAL, opts)], img

# name, machine, boot path, memory, CPUs, kind, and per kind: utest the name of its virtio-blk disk (None: none),
# blk (driver options, device options), ready nothing
BOOTS = [
    # The q35 utest boot's disk is transitional with MSI-X (the modern transport; init's slot 4 holds its I/O BAR).
    ("utest-q35", "q35", "pvh", "256M", "4", "utest", "utest-blk"),
    # The other virtio-blk variants: (driver options, device options), only the block tests.
    ("blk-legacy-msix", "q35", "pvh", "256M", "4", "blk", ("legacy", "")),
    ("blk-legacy-intx", "q35", "pvh", "256M", "4", "blk", ("legacy", ",vectors=0")),
    ("blk-modern-msix", "q35", "pvh", "256M", "4", "blk", ("", ",disable-legacy=on")),
    ("blk-modern-intx", "q35", "pvh", "256M", "2", "blk", ("", ",disable-legacy=on,vectors=0")),
    ("utest-microvm-smp1", "microvm", "pvh", "256M", "1", "utest", None),
    ("init-bios", "q35", "bios", "256M", "4", "ready", None),
    ("init-uefi", "q35", "uefi", "256M", "2", "ready", None),
]
TIMEOUTS = {"pvh": 120, "bios": 120, "uefi": 240}

results = {"pass": 0, "fail": 0}


def report(ok, name, why=""):
    results["pass" if ok else "fail"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why), flush=True)


def tail(log, n=40):
    return "\n".join("    | " + l for l in log.strip().splitlines()[-n:])


# A kernel log line ("[    1.234567] ...") can land in the middle of a line a process prints through serial_drv.
KERNEL_LINE = re.compile(r"\[ *\d+\.\d+\] [^\n]*\n")


def console_text(log):
    """The serial log without the kernel's own lines: what the processes printed, their lines whole again."""
    return KERNEL_LINE.sub("", log)


def check_blk_image(path):
    """After the guest ran the blk test: the rewritten range holds the new pattern, every other sector its stamp."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) != BLK_SECTORS * 512:
        return "the image is %d bytes, not %d" % (len(data), BLK_SECTORS * 512)
    end = WRITE_LBA + WRITE_COUNT
    want = (qemu.blk_pattern(0, WRITE_LBA) + qemu.blk_pattern(WRITE_LBA, WRITE_COUNT, qemu.BLK_WRITE_KEY)
            + qemu.blk_pattern(end, BLK_SECTORS - end))
    if data == want:
        return None
    bad = [l for l in range(BLK_SECTORS) if data[l * 512:(l + 1) * 512] != want[l * 512:(l + 1) * 512]]
    return "sectors not as expected: %s" % bad[:20]


def check_blk(pre, log, img, detail):
    """What the block tests leave behind: the image on the host, the driver's death handled by init."""
    log = console_text(log)
    why = check_blk_image(img)
    report(why is None, pre + "/blk-image-on-host", (why or "") + "; image " + img)
    report(re.search(r"init: virtio_blk \S+ ended \(killed", log) is not None, pre + "/blk-driver-death-handled",
           "init did not report the killed driver; " + detail)
    report(('serial "%s"' % BLK_SERIAL) in log and ("capacity %d sectors" % BLK_SECTORS) in log,
           pre + "/blk-identity", "the blk test did not print the disk's serial and capacity; " + detail)


def blk_boot(name, machine, path, mem, smp, build, extra):
    """A boot running only the block tests on one virtio-blk variant."""
    drv, dev = extra
    log_path = os.path.join(build, "qemu", name + ".log")
    disk, img = blk_disk(build, name, dev)
    cmd = "utest=" + ",".join(BLK_TESTS) + (" blkdrv=" + drv if drv else "")
    args = qemu.machine_args(machine, path, os.path.join(build, "kernel.elf"), os.path.join(build, "initrd.tar"),
                             None, cmd) + ["-m", mem, "-smp", smp] + disk
    r = qemu.run(args, log_path, TIMEOUTS[path])
    detail = "log %s\n%s" % (log_path, tail(r.log))
    pre = "qemu/" + name
    if r.timed_out:
        report(False, pre + "/boot", "timed out after %.0f s; %s" % (r.seconds, detail))
        return
    want = ("legacy" if "legacy" in drv else "modern") + " transport, " + ("INTx" if "vectors=0" in dev else "MSI-X")
    report(want in r.log, pre + "/driver-variant", "the driver did not say '%s'; %s" % (want, detail))
    qemu.report_results(report, pre, console_text(r.log), "utest", BLK_TESTS, detail)
    check_blk(pre, r.log, img, detail)
    check_exit(pre, r, detail)


def check_exit(pre, r, detail):
    done = re.search(r"utest: done: (\d+) passed, (\d+) failed", r.log)
    ok = done is not None and int(done.group(2)) == 0 and r.status == qemu.EXIT_PASS
    report(ok, pre + "/exit", "expected 'utest: done' with 0 failed and exit %d, got exit %s; %s"
           % (qemu.EXIT_PASS, r.status, detail))


def utest_boot(name, machine, path, mem, smp, build, extra):
    log_path = os.path.join(build, "qemu", name + ".log")
    sock = os.path.join(build, "qemu", name + ".com1")
    args = qemu.machine_args(machine, path, os.path.join(build, "kernel.elf"), os.path.join(build, "initrd.tar"),
                             None, "utest=all") + ["-m", mem, "-smp", smp]
    img = None
    if extra:  # a virtio-blk disk of this name: the block tests and lspci run too
        disk, img = blk_disk(build, extra)
        args += disk
    typed = {}

    def drain(conn):
        # QEMU also sends COM1's output to the connected client: read it all the time, or the socket's buffer fills,
        # the UART stalls, and QEMU's chardev log (our serial log) gets bytes written twice when it retries.
        try:
            conn.settimeout(None)
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def on_log(log):
        if "echo: ready" in log and "conn" not in typed:
            try:
                typed["conn"] = qemu.serial_send(sock, ECHO_LINE)
                threading.Thread(target=drain, args=(typed["conn"],), daemon=True).start()
            except OSError as e:
                typed["conn"] = None
                typed["error"] = str(e)

    r = qemu.run(args, log_path, TIMEOUTS[path], serial_socket=sock, on_log=on_log)
    if typed.get("conn"):
        typed["conn"].close()
    detail = "log %s\n%s" % (log_path, tail(r.log))
    pre = "qemu/" + name
    if r.timed_out:
        report(False, pre + "/boot", "timed out after %.0f s; %s" % (r.seconds, detail))
        return
    report("init ready" in r.log, pre + "/init-ready", "init never said 'init ready'; " + detail)
    report(BRIDGE_LINE.search(r.log) is not None, pre + "/wasm-bridge-hello",
           "no 'Hello from the Wasm Sandbox!' line from the hypervisor's bridge; " + detail)
    qemu.report_results(report, pre, console_text(r.log), "utest", UTESTS + (BLK_TESTS + ["lspci"] if img else []),
                        detail)
    if img:
        # lspci (Ring 3, read-only through PciDevice caps) lists exactly the functions of the kernel's census.
        census = set(re.findall(r"\] pci: ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [0-9a-f]{4}:[0-9a-f]{4}) ", r.log))
        listed = set(re.findall(r"^lspci: ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [0-9a-f]{4}:[0-9a-f]{4}) ", console_text(r.log),
                                re.M))
        report(bool(census) and census == listed, pre + "/lspci-matches-census",
               "census %s, lspci %s; %s" % (sorted(census), sorted(listed), detail))
        check_blk(pre, r.log, img, detail)
        report("modern transport, MSI-X" in r.log, pre + "/driver-variant",
               "the driver did not take the modern transport with MSI-X; " + detail)
    if "error" in typed:
        report(False, pre + "/serial-input", "could not type into COM1: " + typed["error"])
    if img:
        report("virtio-blk port in slot 4" in r.log, pre + "/blk-io-slot4",
               "init did not find the virtio-blk I/O BAR in slot 4; " + detail)
    check_exit(pre, r, detail)


def ready_boot(name, machine, path, mem, smp, build, extra):
    log_path = os.path.join(build, "qemu", name + ".log")
    args = qemu.machine_args(machine, path, None, None, os.path.join(build, "minimalos.iso"), "") + [
        "-m", mem, "-smp", smp]
    r = qemu.run(args, log_path, TIMEOUTS[path], until="init ready")
    report("init ready" in r.log, "qemu/%s/init-ready" % name,
           "no 'init ready' after %.0f s; log %s\n%s" % (r.seconds, log_path, tail(r.log)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    for name, machine, path, mem, smp, kind, extra in BOOTS:
        if only and name not in only:
            continue
        {"utest": utest_boot, "blk": blk_boot, "ready": ready_boot}[kind](name, machine, path, mem, smp, a.build,
                                                                          extra)
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
