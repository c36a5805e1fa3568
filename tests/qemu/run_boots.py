#!/usr/bin/env python3
"""Runs the QEMU test boots listed in tests/qemu/boots.txt, plus the
framebuffer screendump test, and prints one result line per check:

    PASS qemu/<boot>/<check>      FAIL qemu/<boot>/<check>: <why>

Checks per boot: the banner is the first kernel line, the kernel reaches
"kernel alive", every selected in-kernel test passes (one line per ktest),
and QEMU exits through isa-debug-exit with the expected status. A boot that
names a device set (qemu:NAME, see boots.txt) starts QEMU with that set's
extra devices, and its PCI census must list exactly the functions the set
expects, each with the BARs and capabilities given for it.

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
    """The boot lines and the device sets ("devices NAME ARGS => CENSUS") of boots.txt."""
    boots, device_sets = [], {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("devices "):
            _, set_name, rest = line.split(None, 2)
            args, arrow, census = rest.partition("=>")
            if not arrow:
                raise SystemExit("boots.txt: device set %s has no '=>' census" % set_name)
            device_sets[set_name] = dict(args=args.split(), census=census.split())
            continue
        f = line.split(None, 6)
        rest = f[6] if len(f) > 6 else ""
        devices = None
        words = rest.split(None, 1)
        if words and words[0].startswith("qemu:"):
            devices = words[0][len("qemu:"):]
            rest = words[1] if len(words) > 1 else ""
        boots.append(dict(name=f[0], machine=f[1], path=f[2], mem=f[3], smp=f[4], expect=f[5],
                          cmdline=rest, devices=devices))
    for b in boots:
        if b["devices"] and b["devices"] not in device_sets:
            raise SystemExit("boots.txt: boot %s names an unknown device set %s" % (b["name"], b["devices"]))
    return boots, device_sets


IMAGE = re.compile(r"\{img:([\w.-]+):(\d+)([KM]?)\}")


def device_args(device_set, build):
    """A set's QEMU arguments, each {img:FILE:SIZE} made a raw image build/qemu/FILE (created empty if missing)."""
    def image(m):
        path = os.path.join(build, "qemu", m.group(1))
        size = int(m.group(2)) << {"": 0, "K": 10, "M": 20}[m.group(3)]
        if not os.path.exists(path) or os.path.getsize(path) != size:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.truncate(size)
        return path
    return [IMAGE.sub(image, a) for a in device_set["args"]]


CENSUS_LINE = re.compile(r"\] pci: ((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] ([0-9a-f]{4}:[0-9a-f]{4}) .*)$")
CENSUS_SUMMARY = re.compile(r"\] pci: (\d+) functions on (\d+) buses \(")


def check_census(name, census, klines):
    """The boot's "pci: " census against the set's list: VVVV:DDDD, optionally {what,...}: words its line must
    contain ("_" for a space; "!word": must not contain), e.g. 1af4:1042{BAR4_mem64_pref,msix@,!BAR0}."""
    lines = [m for m in map(CENSUS_LINE.search, klines) if m]
    found = [(m.group(2), m.group(1)) for m in lines]
    wanted = []
    for item in census:
        ident, _, what = item.partition("{")
        wanted.append((ident.lower(), [w.replace("_", " ") for w in what.rstrip("}").split(",") if w]))
    got_ids, want_ids = sorted(f[0] for f in found), sorted(w[0] for w in wanted)
    report(got_ids == want_ids, name + "/pci-census", "the census lists %s, QEMU was started with %s"
           % (" ".join(got_ids) or "nothing", " ".join(want_ids)))
    unmatched, pool = [], list(found)
    for ident, words in wanted:
        def fits(line):
            return all((w[1:] not in line) if w.startswith("!") else (w in line) for w in words)
        hit = next((f for f in pool if f[0] == ident and fits(f[1])), None)
        if hit:
            pool.remove(hit)
        else:
            unmatched.append("%s{%s}" % (ident, ",".join(words)))
    report(not unmatched, name + "/pci-bars-caps", "no census line fits " + "; ".join(unmatched) + "\n    | "
           + "\n    | ".join(f[1] for f in found))
    summary = next((m for m in map(CENSUS_SUMMARY.search, klines) if m), None)
    report(summary is not None and int(summary.group(1)) == len(wanted), name + "/pci-summary",
           "expected 'pci: %d functions on N buses', got %s" % (len(wanted), summary.group(0) if summary else "none"))


def kernel_lines(log):
    """Lines the kernel printed (firmware and GRUB noise before it ignored)."""
    lines = log.splitlines()
    for i, l in enumerate(lines):
        if BANNER.search(l):
            return lines[i:]
    return []


def check_boot(b, build, device_sets):
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
    extra = device_args(device_sets[b["devices"]], build) if b["devices"] else []
    r = qemu.run(args, log_path, TIMEOUTS[b["path"]], extra=extra, on_timeout=lambda proc: qemu.nmi_snapshot(sock))
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
    if b["devices"]:
        check_census(name, device_sets[b["devices"]]["census"], klines)
    runs = re.findall(r"ktest: RUN (\S+)", text)
    qemu.report_results(report, name, text, "ktest", runs, detail)
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
    boots, device_sets = read_boots(a.boots)
    for b in boots:
        if not only or b["name"] in only:
            check_boot(b, a.build, device_sets)
    if not only or "screen" in only:
        ok, why = screen.check_framebuffer_console(a.build)
        report(ok, "qemu/screen-bios/boot-text-drawn", why)
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
