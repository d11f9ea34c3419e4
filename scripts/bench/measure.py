#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/bench/measure.py - run one command and measure it for the bench.

  measure.py [--watch NAME=PID]... [--server-sock ADDR:PORT]...
             [--client-drops] [--out FILE.json] -- COMMAND [ARG]...

Runs COMMAND (stdout/stderr inherited) and writes one JSON object (to FILE
or stdout) with:

  wall_s         elapsed time, monotonic clock, fork to exit (the exit is
                 seen at once: the drop sampler runs in its own thread)
  user_s, sys_s  CPU of the command and its waited-for children (wait4's
                 rusage, microsecond resolution)
  maxrss_kib     peak resident set size of COMMAND (VmHWM), as GNU time's %M
                 reports it: COMMAND runs under /usr/bin/time because a child
                 forked from this Python process inherits Python's own
                 high-water mark (about 10 MiB) across exec, while time's
                 child starts from time's (about 2 MiB)
  rc             exit status (or 128 + signal)
  watch          {NAME: {"cpu_s": utime+stime delta of PID over the run}},
                 read from /proc/PID/stat before the fork and after the exit
  udp            deltas of /proc/net/snmp "Udp:" counters (InDatagrams,
                 RcvbufErrors, InErrors, ...) - system-wide for this network
                 namespace, so other traffic on the machine is included
  server_drops   {ADDR:PORT: drops delta of that UDP socket} from the
                 "drops" column of /proc/net/udp (exact, per socket)
  client_drops   with --client-drops: sum of the "drops" column over the UDP
                 sockets of the command and its descendants, sampled every
                 50 ms while it runs (often enough for sockets that live the
                 whole run, rarely enough not to steal much CPU from it);
                 a socket's count is kept once seen, so drops in the last
                 50 ms before a socket closes can be missed: the udp
                 RcvbufErrors delta covers those

Linux only; standard library only.
"""
import json
import os
import signal
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICK


def udp_snmp():
    with open("/proc/net/snmp") as f:
        lines = [l.split() for l in f if l.startswith("Udp:")]
    names, vals = lines[0][1:], lines[1][1:]
    return dict(zip(names, (int(v) for v in vals)))


def hexaddr(addr_port):
    """'127.0.0.1:5300' -> '0100007F:14B4' as in /proc/net/udp."""
    a, p = addr_port.rsplit(":", 1)
    o = [int(x) for x in a.split(".")]
    return "%02X%02X%02X%02X:%04X" % (o[3], o[2], o[1], o[0], int(p))


def udp_table():
    """{inode: (local_address, drops)} for every IPv4 UDP socket."""
    out = {}
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                p = line.split()
                if len(p) >= 13:
                    out[p[9]] = (p[1], int(p[12]))
    except OSError:
        pass
    return out


def sock_drops(table, hexa):
    return sum(d for (la, d) in table.values() if la == hexa)


def socket_inodes(pid):
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith("socket:["):
                inodes.add(t[8:-1])
    except OSError:
        pass
    return inodes


def descendants(pid):
    """pid and every process below it (from /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, tid)) as f:
                    todo.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit(__doc__)
    k = argv.index("--")
    opts, cmd = argv[:k], argv[k + 1:]
    watch, socks, out, client = {}, [], None, False
    i = 0
    while i < len(opts):
        o = opts[i]
        if o == "--watch":
            n, p = opts[i + 1].split("=", 1)
            watch[n] = int(p)
            i += 2
        elif o == "--server-sock":
            socks.append(opts[i + 1])
            i += 2
        elif o == "--out":
            out = opts[i + 1]
            i += 2
        elif o == "--client-drops":
            client = True
            i += 1
        else:
            sys.exit("measure.py: unknown option %s" % o)
    if not cmd:
        sys.exit("measure.py: no command")

    cpu0 = {n: proc_cpu(p) for n, p in watch.items()}
    snmp0 = udp_snmp()
    tab0 = udp_table()
    drops0 = {s: sock_drops(tab0, hexaddr(s)) for s in socks}
    tfile = "%s.time.%d" % (out or "/tmp/measure", os.getpid())
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execv("/usr/bin/time", ["/usr/bin/time", "-q", "-f", "%M", "-o", tfile,
                                       "--"] + cmd)
        except OSError as e:
            os.write(2, ("measure.py: %s: %s\n" % (cmd[0], e)).encode())
            os._exit(127)
    seen = {}  # inode -> last drops count of the command's UDP sockets
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            try:
                tab = udp_table()
                for p in descendants(pid):
                    for ino in socket_inodes(p):
                        if ino in tab:
                            seen[ino] = tab[ino][1]
            except OSError:
                pass

    # The sampler has its own thread: this one blocks in wait4, so the
    # wall time ends when the command does, not at the sampler's next tick.
    sampler = threading.Thread(target=sample, daemon=True) if client else None
    if sampler:
        sampler.start()
    wpid, status, ru = os.wait4(pid, 0)
    t1 = time.monotonic()
    done.set()
    if sampler:
        sampler.join()
    snmp1 = udp_snmp()
    tab1 = udp_table()
    cpu1 = {n: proc_cpu(p) for n, p in watch.items()}
    try:
        with open(tfile) as f:
            lines = f.read().split()
        os.unlink(tfile)
        maxrss = int(lines[-1])
    except (OSError, ValueError, IndexError):
        maxrss = None
    if os.WIFSIGNALED(status):
        rc = 128 + os.WTERMSIG(status)
    else:
        # GNU time exits with the command's status.
        rc = os.WEXITSTATUS(status)
    res = {
        "cmd": cmd,
        "wall_s": round(t1 - t0, 4),
        "user_s": round(ru.ru_utime, 4),
        "sys_s": round(ru.ru_stime, 4),
        "maxrss_kib": maxrss,
        "rc": rc,
        "watch": {n: {"cpu_s": (round(cpu1[n] - cpu0[n], 3)
                                if cpu0[n] is not None and cpu1[n] is not None
                                else None)} for n in watch},
        "udp": {k: snmp1[k] - snmp0.get(k, 0) for k in snmp1},
        "server_drops": {s: sock_drops(tab1, hexaddr(s)) - drops0[s] for s in socks},
    }
    if client:
        res["client_drops"] = sum(seen.values())
    text = json.dumps(res, sort_keys=True)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    main()
