"""Starting MinimalOS (and the Linux reference guest) under QEMU for tests and benchmarks.

Every run has a timeout, keeps its serial log under build/, and is ended by
isa-debug-exit or, failing that, by killing its own process (never by name).
TCG is the default accelerator; set KVM=1 in the environment to use KVM.
"""
import array
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

QBOOT = "/usr/share/qemu/qboot.rom"
OVMF = "/usr/share/ovmf/OVMF.fd"
EXIT_PASS = 33  # (0x10 << 1) | 1
EXIT_FAIL = 35  # (0x11 << 1) | 1


def accel_args():
    if os.environ.get("KVM") == "1":
        return ["-accel", "kvm", "-cpu", "host"]
    return ["-accel", "tcg", "-cpu", "max"]


def machine_args(machine, path, kernel, initrd, iso, cmdline):
    """QEMU arguments that boot `kernel` (path pvh) or `iso` (bios/uefi) on `machine`."""
    if path == "pvh":
        args = ["-M", machine]
        if machine in ("q35", "pc"):
            args += ["-bios", QBOOT]  # PVH needs no firmware menu: qboot is the fast one
        args += ["-kernel", kernel, "-append", cmdline]
        if initrd:
            args += ["-initrd", initrd]
        return args
    if path == "bios":
        return ["-M", machine, "-cdrom", iso]
    if path == "uefi":
        return ["-M", machine, "-bios", OVMF, "-cdrom", iso]
    raise ValueError("unknown boot path " + path)


class Run:
    """The outcome of one QEMU run."""

    def __init__(self, status, log, seconds, timed_out):
        self.status = status
        self.log = log
        self.seconds = seconds
        self.timed_out = timed_out


def run(args, log_path, timeout, extra=(), until=None, on_until=None, on_timeout=None, serial_socket=None,
        on_log=None):
    """Runs QEMU with `args`, serial to `log_path`, exiting through isa-debug-exit.

    If `until` is a string, the log is polled for it; when it appears,
    on_until(proc) is called (e.g. to take a screendump) and the process is
    then ended. on_timeout(proc), if given, runs before a timed-out QEMU is
    killed (e.g. to ask the guest for a snapshot). With serial_socket (a
    path), COM1 is also a unix socket QEMU listens on (the log still goes to
    log_path) so a test can type into the guest's serial input; on_log(log)
    is then called every 20 ms with the log so far. Returns a Run.
    """
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    if os.path.exists(log_path):
        os.remove(log_path)
    if serial_socket:
        if os.path.exists(serial_socket):
            os.remove(serial_socket)
        serial = ["-chardev", "socket,id=com1,path=%s,server=on,wait=off,logfile=%s" % (serial_socket, log_path),
                  "-serial", "chardev:com1"]
    else:
        serial = ["-serial", "file:" + log_path]
    cmd = ["qemu-system-x86_64"] + accel_args() + list(args) + [
        "-display", "none", "-no-reboot", "-monitor", "none"] + serial + [
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ] + list(extra)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timed_out = False
    try:
        if on_log is not None and until is None:
            while proc.poll() is None and time.monotonic() - start < timeout:
                on_log(read_log(log_path))
                time.sleep(0.02)
        if until is not None:
            while proc.poll() is None and time.monotonic() - start < timeout:
                if until in read_log(log_path):
                    if on_until:
                        on_until(proc)
                    break
                time.sleep(0.02)
            if proc.poll() is None:
                proc.kill()
        proc.wait(timeout=max(0.1, timeout - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:
        timed_out = True
        if on_timeout:
            try:
                on_timeout(proc)
            except Exception as e:  # the snapshot is a diagnostic: never mask the timeout
                print("qemu: on_timeout failed: %s" % e)
        proc.kill()
        proc.wait()
    seconds = time.monotonic() - start
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    log = read_log(log_path)
    if out.strip():
        log += "\n[qemu] " + out
    return Run(proc.returncode, log, seconds, timed_out)


def serial_send(sock_path, data, timeout=5):
    """Types `data` (bytes) into the guest's serial input through QEMU's serial socket (run(serial_socket=...))."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(data)
    return s  # the caller closes it (closing at once could drop the bytes in QEMU's chardev)


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def nmi_snapshot(sock_path, wait=3.0):
    """Injects an NMI into every CPU (the kernel prints where each one is), then waits."""
    qmp(sock_path, {"execute": "inject-nmi"}, timeout=5)
    time.sleep(wait)


def qmp(sock_path, *commands, timeout=10):
    """Sends QMP commands (dicts) over a unix socket; returns their replies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    s.settimeout(timeout)
    f = s.makefile("rw")
    f.readline()  # greeting
    replies = []
    for cmd in ({"execute": "qmp_capabilities"},) + commands:
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError("QMP connection closed")
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                replies.append(msg)
                break
    s.close()
    return replies[1:]


# ---- the block tests' disk pattern (user/utests/blk_pattern.h) -----------------------------------------------
# A 512-byte sector is 64 little-endian words; word i of sector L holds ((L << 6) | i) ^ key: BLK_STAMP_KEY as the
# harness (or make bench) writes the image, BLK_WRITE_KEY where the blk test rewrote it.
BLK_STAMP_KEY = 0x5354414D50000000
BLK_WRITE_KEY = 0x5752495445000000


def blk_pattern(first, count, key=BLK_STAMP_KEY):
    """The bytes of sectors first .. first + count - 1 holding the pattern with `key`."""
    words = array.array("Q", range(first << 6, (first + count) << 6))
    if sys.byteorder != "little":
        words.byteswap()
    raw = words.tobytes()
    keys = struct.pack("<Q", key) * (count * 64)
    return (int.from_bytes(raw, "little") ^ int.from_bytes(keys, "little")).to_bytes(len(raw), "little")


def blk_stamp_image(path, sectors):
    """Writes a raw image of `sectors` sectors, each stamped with its LBA (BLK_STAMP_KEY), 1 MiB at a time."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        for first in range(0, sectors, 2048):
            f.write(blk_pattern(first, min(2048, sectors - first)))


def report_results(report, pre, log, tag, names, detail):
    """One check per name: `<tag>: PASS name` passes, `<tag>: FAIL name: why` fails with why, no line fails."""
    passed = set(re.findall(r"%s: PASS (\S+)" % tag, log))
    failed = dict(re.findall(r"%s: FAIL (\S+): (.*)" % tag, log))
    for t in names:
        if t in passed:
            report(True, "%s/%s" % (pre, t))
        elif t in failed:
            report(False, "%s/%s" % (pre, t), failed[t] + "; " + detail)
        else:
            report(False, "%s/%s" % (pre, t), "no result (crash or hang); " + detail)

