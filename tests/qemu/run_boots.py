#!/usr/bin/env python3
"""Runs the QEMU test boots listed in tests/qemu/boots.txt, plus the
framebuffer screendump test, and prints one result line per check:

    PASS qemu/<boot>/<check>      FAIL qemu/<boot>/<check>: <why>

Checks per boot: the banner is the first kernel line, the kernel reaches
"kernel alive", every selected in-kernel test passes (one line per ktest),
and QEMU exits through isa-debug-exit with the expected status.

usage: run_boots.py [--build DIR] [--only NAME[,NAME]]
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402
import screen  # noqa: E402

TIMEOUTS = {"pvh": 60, "bios": 90, "uefi": 180}
BANNER = re.compile(r"\] MinimalOS \d+\.\d+\.\d+ ")

results = {"pass": 0, "fail": 0}


def report(ok, name, why=""):
    results["pass" if ok else "fail"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why), flush=True)


def tail(log, n=40):
    return "\n".join("    | " + l for l in log.strip().splitlines()[-n:])


def read_boots(path):
    boots = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split(None, 6)
        boots.append(dict(name=f[0], machine=f[1], path=f[2], mem=f[3], smp=f[4], expect=f[5],
                          cmdline=f[6] if len(f) > 6 else ""))
    return boots


def kernel_lines(log):
    """Lines the kernel printed (firmware and GRUB noise before it ignored)."""
    lines = log.splitlines()
    for i, l in enumerate(lines):
        if BANNER.search(l):
            return lines[i:]
    return []


def check_boot(b, build):
    name = "qemu/" + b["name"]
    log_path = os.path.join(build, "qemu", b["name"] + ".log")
    args = qemu.machine_args(b["machine"], b["path"], os.path.join(build, "kernel.elf"),
                             os.path.join(build, "initrd.tar"),
                             os.path.join(build, "test", "minimalos-test.iso"), b["cmdline"])
    sock = os.path.join(build, "qemu", b["name"] + ".qmp")
    if os.path.exists(sock):
        os.remove(sock)
    args += ["-m", b["mem"], "-smp", b["smp"], "-qmp", "unix:%s,server=on,wait=off" % sock]
    # On a hang, an NMI makes every CPU print where it is before QEMU is killed.
    r = qemu.run(args, log_path, TIMEOUTS[b["path"]], on_timeout=lambda proc: qemu.nmi_snapshot(sock))
    klines = kernel_lines(r.log)
    detail = "log " + log_path + "\n" + tail(r.log)
    if r.timed_out:
        report(False, name + "/boot", "timed out after %.0f s; %s" % (r.seconds, detail))
        return
    if not klines:
        report(False, name + "/boot", "no 'MinimalOS x.y.z' banner; exit %s; %s" % (r.status, detail))
        return
    text = "\n".join(klines)

    if b["expect"] == "panic":
        ok = (r.status == qemu.EXIT_FAIL and "PANIC: " in text and "backtrace:" in text
              and re.search(r"#\d+ 0x[0-9a-f]+ \w+\+0x", text) is not None)
        report(ok, name + "/panic-reported", "expected exit %d with PANIC, registers and a symbolized "
               "backtrace; got exit %s; %s" % (qemu.EXIT_FAIL, r.status, detail))
        return

    report("kernel alive" in text, name + "/alive", "never printed 'kernel alive'; " + detail)
    runs = re.findall(r"ktest: RUN (\S+)", text)
    passed = set(re.findall(r"ktest: PASS (\S+)", text))
    failed = dict(re.findall(r"ktest: FAIL (\S+): (.*)", text))
    for t in runs:
        if t in passed:
            report(True, "%s/%s" % (name, t))
        elif t in failed:
            report(False, "%s/%s" % (name, t), failed[t])
        else:
            report(False, "%s/%s" % (name, t), "did not finish (crash or hang); " + detail)
    done = re.search(r"ktest: done: (\d+) passed, (\d+) failed", text)
    ok = done is not None and r.status == qemu.EXIT_PASS and int(done.group(2)) == 0 and runs
    report(bool(ok), name + "/exit", "expected 'ktest: done' and exit %d, got exit %s; %s"
           % (qemu.EXIT_PASS, r.status, detail))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default="")
    ap.add_argument("--boots", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "boots.txt"))
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    for b in read_boots(a.boots):
        if not only or b["name"] in only:
            check_boot(b, a.build)
    if not only or "screen" in only:
        ok, why = screen.check_framebuffer_console(a.build)
        report(ok, "qemu/screen-bios/boot-text-drawn", why)
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
