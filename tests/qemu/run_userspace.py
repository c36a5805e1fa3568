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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

ECHO_LINE = b"ping-MinimalOS-4242\r"
# The programs init runs with utest=all (user/init/tests.c): each must report.
UTESTS = ["hello", "memory", "malloc", "delegation", "echo", "leaks", "wasm_wasi", "wasm_limits", "wasm_many",
          "wasm_spec", "wasm_bridge"]
# init's Wasm hypervisor greets at boot through the SFI bridge (env.host_print -> init's COM1 port): the line
# arrives on its own, unprefixed (the WASI hello program's copy goes through wasm_wasi's console, prefixed).
BRIDGE_LINE = re.compile(r"^Hello from the Wasm Sandbox!\r?$", re.M)

# A transitional virtio-blk disk on the q35 utest boot: init's slot 4 must then hold its I/O BAR.
BLK = ["-drive", "if=none,id=d0,format=raw,file={img:utest-blk.img:1M}", "-device", "virtio-blk-pci,drive=d0"]

# name, machine, boot path, memory, CPUs, kind, extra QEMU arguments
BOOTS = [
    ("utest-q35", "q35", "pvh", "256M", "4", "utest", BLK),
    ("utest-microvm-smp1", "microvm", "pvh", "256M", "1", "utest", []),
    ("init-bios", "q35", "bios", "256M", "4", "ready", []),
    ("init-uefi", "q35", "uefi", "256M", "2", "ready", []),
]
TIMEOUTS = {"pvh": 120, "bios": 120, "uefi": 240}

results = {"pass": 0, "fail": 0}


def report(ok, name, why=""):
    results["pass" if ok else "fail"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why), flush=True)


def tail(log, n=40):
    return "\n".join("    | " + l for l in log.strip().splitlines()[-n:])


def qemu_extra(extra, build):
    """The boot's extra QEMU arguments, {img:FILE:SIZE} made into an empty raw image under build/qemu."""
    out = []
    for a in extra:
        m = re.search(r"\{img:([\w.-]+):(\d+)M\}", a)
        if m:
            img = os.path.join(build, "qemu", m.group(1))
            os.makedirs(os.path.dirname(img), exist_ok=True)
            with open(img, "wb") as f:
                f.truncate(int(m.group(2)) << 20)
            a = a.replace(m.group(0), img)
        out.append(a)
    return out


def utest_boot(name, machine, path, mem, smp, build, extra):
    log_path = os.path.join(build, "qemu", name + ".log")
    sock = os.path.join(build, "qemu", name + ".com1")
    args = qemu.machine_args(machine, path, os.path.join(build, "kernel.elf"), os.path.join(build, "initrd.tar"),
                             None, "utest=all") + ["-m", mem, "-smp", smp] + qemu_extra(extra, build)
    typed = {}

    def on_log(log):
        if "echo: ready" in log and "conn" not in typed:
            try:
                typed["conn"] = qemu.serial_send(sock, ECHO_LINE)
                typed["conn"].setblocking(False)
            except OSError as e:
                typed["conn"] = None
                typed["error"] = str(e)
        # QEMU also sends COM1's output to the connected client: read it, or once the socket's buffer is full the
        # UART stops taking bytes and the guest's output stalls (a few hundred bytes after the echo test).
        while typed.get("conn"):
            try:
                if not typed["conn"].recv(65536):
                    break
            except OSError:  # BlockingIOError: nothing more for now
                break

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
    passed = set(re.findall(r"utest: PASS (\S+)", r.log))
    failed = dict(re.findall(r"utest: FAIL (\S+): (.*)", r.log))
    for t in UTESTS:
        if t in passed:
            report(True, "%s/%s" % (pre, t))
        elif t in failed:
            report(False, "%s/%s" % (pre, t), failed[t] + "; " + detail)
        else:
            report(False, "%s/%s" % (pre, t), "no result (crash or hang); " + detail)
    if "error" in typed:
        report(False, pre + "/serial-input", "could not type into COM1: " + typed["error"])
    if extra is BLK:
        report("virtio-blk port in slot 4" in r.log, pre + "/blk-io-slot4",
               "init did not find the virtio-blk I/O BAR in slot 4; " + detail)
    done = re.search(r"utest: done: (\d+) passed, (\d+) failed", r.log)
    ok = done is not None and int(done.group(2)) == 0 and r.status == qemu.EXIT_PASS
    report(ok, pre + "/exit", "expected 'utest: done' with 0 failed and exit %d, got exit %s; %s"
           % (qemu.EXIT_PASS, r.status, detail))


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
        (utest_boot if kind == "utest" else ready_boot)(name, machine, path, mem, smp, a.build, extra)
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
