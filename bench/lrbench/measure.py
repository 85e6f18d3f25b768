"""Run one measured step in a child process: wall time, CPU time, peak RSS and,
optionally, the PostgreSQL server's side.

Peak RSS comes from GNU time (%M, the wait4 rusage of the largest process of
the step's tree), not from our own wait4: Linux carries the RSS high-water mark
of the forking parent into a child's ru_maxrss at exec, so a child of this
(larger) process would never report less than our own size. /usr/bin/time is
a few MB, far below anything measured here.

Server side: every server process started while the step runs (its backend,
parallel workers) is sampled from /proc every 20 ms. VmHWM is the kernel's
peak RSS of that process and includes the shared-buffer pages it touched;
RssAnon is its private memory, sampled (a peak shorter than 20 ms can be missed).

Interference: the machine's busy CPU time during the step (/proc/stat) minus the
CPU time of the step's own processes and of the server processes serving it
is what everything else on the machine used meanwhile (others_cpu_s).
"""

import os
import subprocess
import tempfile
import threading
import time


def _status(pid):
    values = {}
    try:
        with open('/proc/%d/status' % pid) as handle:
            for line in handle:
                key, _, rest = line.partition(':')
                if key in ('VmHWM', 'RssAnon', 'RssShmem'):
                    values[key] = int(rest.split()[0])  # kB
    except (OSError, ValueError):
        return None
    return values


CLK_TCK = float(os.sysconf('SC_CLK_TCK'))


def _busy_seconds():
    """CPU time all CPUs spent busy since boot."""
    with open('/proc/stat') as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def _cpu_seconds(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime, stime
    except (OSError, ValueError, IndexError):
        return None


def _children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as handle:
            return set(int(x) for x in handle.read().split())
    except OSError:
        return set()


class ServerSampler(threading.Thread):
    def __init__(self, postmaster_pid, interval=0.02):
        super(ServerSampler, self).__init__(daemon=True)
        self.postmaster = postmaster_pid
        self.interval = interval
        self.baseline = _children(postmaster_pid)
        self.peaks = {}
        self.stopping = threading.Event()

    def sample(self):
        for pid in _children(self.postmaster) - self.baseline:
            values = _status(pid)
            if values:
                values['cpu'] = _cpu_seconds(pid) or 0.0
                peak = self.peaks.setdefault(pid, dict(VmHWM=0, RssAnon=0, RssShmem=0, cpu=0.0))
                for key, value in values.items():
                    peak[key] = max(peak[key], value)

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval)

    def finish(self):
        self.stopping.set()
        self.join()
        peaks = list(self.peaks.values())
        return dict(
            processes=len(peaks),
            max_vmhwm_mb=round(max([p['VmHWM'] for p in peaks] or [0]) / 1024.0, 1),
            sum_rss_anon_mb=round(sum(p['RssAnon'] for p in peaks) / 1024.0, 1),
            cpu_s=round(sum(p['cpu'] for p in peaks), 2),
        )


TIME = '/usr/bin/time'


def run(cmd, env=None, cwd=None, postmaster_pid=None, timeout=None):
    """Returns dict(rc, wall_s, maxrss_mb, cpu_s, others_cpu_s, stdout, stderr[, server])."""
    sampler = ServerSampler(postmaster_pid) if postmaster_pid else None
    rss_file = None
    if os.access(TIME, os.X_OK):
        handle, rss_file = tempfile.mkstemp(suffix='.maxrss')
        os.close(handle)
        cmd = [TIME, '-f', '%M', '-o', rss_file] + list(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        if sampler:
            sampler.start()
        with open('/proc/loadavg') as handle:
            loadavg = float(handle.read().split()[0])
        busy = _busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        deadline = started + timeout if timeout else None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - started
        busy = _busy_seconds() - busy
        proc.returncode = os.waitstatus_to_exitcode(status)
        server = sampler.finish() if sampler else None
        own_cpu = usage.ru_utime + usage.ru_stime + (server['cpu_s'] if server else 0.0)
        out.seek(0)
        err.seek(0)
        maxrss_kb, method = usage.ru_maxrss, 'wait4 (includes the parent at fork)'
        if rss_file:
            try:
                with open(rss_file) as handle:
                    maxrss_kb, method = int(handle.read().split()[-1]), 'GNU time %M'
            except (OSError, ValueError, IndexError):
                pass
            os.unlink(rss_file)
        result = dict(rc=proc.returncode, wall_s=wall, maxrss_mb=round(maxrss_kb / 1024.0, 1), maxrss_method=method,
                      cpu_s=round(usage.ru_utime + usage.ru_stime, 2), loadavg_before=loadavg,
                      others_cpu_s=round(max(0.0, busy - own_cpu), 2),
                      stdout=out.read().decode('utf-8', 'replace'), stderr=err.read().decode('utf-8', 'replace'))
    if server is not None:
        result['server'] = server
    return result
