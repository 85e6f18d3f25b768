"""Watch every process started on this machine while the tests run, and fail if any
lab password shows up in a command line (readable by every user through /proc).

Usage: watch_cmdlines.py [--secrets-file FILE] [--ready-file FILE]   (root; run with the repo's .venv)
  Runs until SIGTERM or SIGINT, then prints a summary and exits 1 if a password was seen.
  Without --secrets-file the passwords come from the lab vault; the file (a JSON list,
  for this script's own tests) keeps them off the command line.

Two sources, because each misses something: the kernel's process connector reports
every exec, containers' included, as it happens (a command that lives for a few
milliseconds is caught if it is still there when its line is read); a scan of /proc
every second catches a process that rewrites its command line after it started.
Prints counts, process ids and program names only, never a password."""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time

from lab_secrets import needles, passwords

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_EVENT_EXEC = 0x00000002
NLMSG_HDR = struct.Struct('=IHHII')     # len, type, flags, seq, pid
CN_MSG = struct.Struct('=IIIIHH')       # idx, val, seq, ack, len, flags
EVENT_HDR = struct.Struct('=IIQ')       # what, cpu, timestamp
EXEC_EVENT = struct.Struct('=II')       # process pid, process tgid


def proc_connector():
    """A socket the kernel sends one message per exec to, or None where that is not allowed."""
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
        sock.bind((0, CN_IDX_PROC))
        op = struct.pack('=I', PROC_CN_MCAST_LISTEN)
        msg = CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(op), 0) + op
        sock.send(NLMSG_HDR.pack(NLMSG_HDR.size + len(msg), 3, 0, 0, 0) + msg)  # 3: NLMSG_DONE
        return sock
    except OSError as exc:
        print('watch_cmdlines: process connector unavailable (%s): scanning /proc only' % exc, flush=True)
        return None


def exec_pids(data):
    """The pids of the exec events in one netlink datagram."""
    offset = NLMSG_HDR.size + CN_MSG.size
    if len(data) < offset + EVENT_HDR.size + EXEC_EVENT.size:
        return []
    what = EVENT_HDR.unpack_from(data, offset)[0]
    if what != PROC_EVENT_EXEC:
        return []
    return [EXEC_EVENT.unpack_from(data, offset + EVENT_HDR.size)[0]]


def read_cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read()
    except OSError:
        return None  # already gone


def program(pid):
    """The kernel's short name of the process: never argv, which may be the leak itself."""
    try:
        with open('/proc/%d/comm' % pid, encoding='utf-8', errors='replace') as handle:
            return handle.read().strip() or '?'
    except OSError:
        return '?'


class Watch(object):

    def __init__(self, secrets):
        self.needles = [(number, [n.encode('utf-8') for n in needles(secret)]) for number, secret in enumerate(secrets)]
        self.secret_count = len(secrets)
        self.execs = self.lines = self.scans = 0
        self.leaks = []
        self.reported = set()

    def check(self, pid, cmdline):
        if not cmdline:
            return
        self.lines += 1
        text = cmdline.replace(b'\0', b' ')
        for number, forms in self.needles:
            if any(form in text for form in forms) and (pid, number) not in self.reported:
                self.reported.add((pid, number))
                self.leaks.append('pid %d (%s): lab password #%d on its command line' % (pid, program(pid), number))
                print('LEAK: ' + self.leaks[-1], flush=True)

    def scan(self):
        self.scans += 1
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                self.check(int(entry), read_cmdline(int(entry)))

    def summary(self):
        return ('%d lab passwords looked for in %d command lines (%d execs seen as they happened, '
                '%d scans of /proc): %d leaks' % (self.secret_count, self.lines, self.execs, self.scans, len(self.leaks)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--secrets-file', help='JSON list of strings to look for instead of the lab vault')
    parser.add_argument('--ready-file', help='created once the watch is on, for the caller to wait for')
    args = parser.parse_args()
    if args.secrets_file:
        with open(args.secrets_file, encoding='utf-8') as handle:
            secrets = json.load(handle)
    else:
        secrets = passwords()
    watch = Watch(secrets)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    sock = proc_connector()
    watch.scan()
    print('watch_cmdlines: watching (%s)' % ('exec events + /proc scans' if sock else '/proc scans'), flush=True)
    if args.ready_file:
        open(args.ready_file, 'w').close()
    next_scan = time.monotonic() + 1
    while not stop:
        try:
            ready = select.select([sock], [], [], 0.2)[0] if sock else time.sleep(0.2)
        except InterruptedError:
            continue
        if ready:
            try:
                data = sock.recv(65536)
            except OSError:  # ENOBUFS when execs come faster than read: the scans still run
                data = b''
            for pid in exec_pids(data):
                watch.execs += 1
                watch.check(pid, read_cmdline(pid))
        if time.monotonic() >= next_scan:
            watch.scan()
            next_scan = time.monotonic() + 1
    watch.scan()
    print('watch_cmdlines: ' + watch.summary(), flush=True)
    return 1 if watch.leaks else 0


if __name__ == '__main__':
    sys.exit(main())
