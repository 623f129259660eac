"""Shared pieces of the comparison scripts: nginx as the reference server,
our server engines, pinning, running a command and taking its CPU time.

Everything listens on 127.0.0.1 only, and every run is bounded in time.
"""
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SERVER_CPU = 0
CLIENT_CPU = 1

# Idle CPUs poll instead of halting for as long as a comparison runs, for
# the reference tools as for ours (our engines ask the same themselves):
# a PM QoS request of 0 us on /dev/cpu_dma_latency, held while the file
# stays open. In a VM a halted vCPU takes tens to hundreds of microseconds
# to wake, which otherwise decides every loopback figure. The same switch
# as the C tools: HTTPSBENCH_CPU_IDLE=os leaves the idle policy alone.
# The request acts through a cpuidle driver: where there is none (this
# VM: "none"), idle CPUs halt anyway and the header says so; our load
# generator can then poll itself (load --busy-poll).
_idle = None


def idle_poll():
    """Hold the request (once); returns how idle CPUs behave, for the
    header of a comparison."""
    global _idle
    import struct
    if _idle is None:
        if os.environ.get("HTTPSBENCH_CPU_IDLE") == "os":
            _idle = "HTTPSBENCH_CPU_IDLE=os"
        else:
            try:
                f = open("/dev/cpu_dma_latency", "wb", buffering=0)
                f.write(struct.pack("i", 0))
                _idle = f
            except OSError as e:
                _idle = "/dev/cpu_dma_latency: %s" % e.strerror
    if isinstance(_idle, str):
        return "idle CPUs as the system decides (%s)" % _idle
    try:
        drv = open("/sys/devices/system/cpu/cpuidle/current_driver").read()
    except OSError:
        drv = "none"
    if drv.strip() == "none":
        return ("idle CPUs halt (PM QoS 0 us held, but no cpuidle driver "
                "applies it)")
    return "idle CPUs poll (PM QoS 0 us held)"


idle_poll()


def need(*tools):
    """Install the Debian packages providing missing tools (root only)."""
    pkgs = {"nginx": "nginx", "wrk": "wrk", "openssl": "openssl",
            "taskset": "util-linux"}
    missing = [pkgs[t] for t in tools if not shutil.which(t)
               and not os.path.exists("/usr/sbin/" + t)]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq",
                        "--no-install-recommends"] + missing, check=True,
                       env=env, stdin=subprocess.DEVNULL)


def pinned(cmd, cpu):
    return ["taskset", "-c", str(cpu)] + list(cmd)


def run_timed(cmd, timeout):
    """Runs cmd; returns (stdout, user+sys CPU seconds of the child)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, err, p.returncode, ru


class ChildCPU:
    """CPU of children reaped between start() and stop()."""

    def start(self):
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.t0 = ru.ru_utime + ru.ru_stime

    def stop(self):
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime - self.t0


def _busy_ticks():
    """Busy CPU time of the whole machine so far, in clock ticks."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4]  # less idle and iowait


def _proc_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


def proc_cpu(pid):
    """CPU seconds (user + system) process pid has used so far."""
    return _proc_ticks(pid) / float(os.sysconf("SC_CLK_TCK"))


def busy(pid, run):
    """run()'s result and the share of a core process pid used meanwhile
    (the reference server's load during a client's run)."""
    c0, t0 = proc_cpu(pid), time.time()
    out = run()
    return out, (proc_cpu(pid) - c0) / max(time.time() - t0, 1e-3)


def bound(server, client, busy=0.9):
    """What set the rate, from the share of a CPU each side used: the
    server when it was busy (>= busy) and the client not, the client when
    it was, neither otherwise (waiting, the network or scheduling)."""
    if client >= busy:
        return "client"
    return "server" if server >= busy else "neither"


class Noise:
    """Cores other processes used while a round ran: the machine's busy
    CPU time less our children's (reaped) and the servers' (pids)."""

    def __init__(self, pids=()):
        self.pids = list(pids)

    def start(self):
        self.c = ChildCPU()
        self.c.start()
        self.b0 = _busy_ticks()
        self.p0 = sum(_proc_ticks(p) for p in self.pids)
        self.t0 = time.time()

    def stop(self):
        tck = float(os.sysconf("SC_CLK_TCK"))
        ours = self.c.stop() + (sum(_proc_ticks(p) for p in self.pids) -
                                self.p0) / tck
        el = max(time.time() - self.t0, 1e-3)
        return max((_busy_ticks() - self.b0) / tck - ours, 0) / el


def rounds(n, body, pids=(), limit=0.05, redo=None):
    """Runs body(i) for n rounds and returns (what each kept round
    returned, rounds redone, the most noise a kept round had). A round
    during which other processes used over limit cores is run again, at
    most redo times in all (default n): noise is kept out of the medians
    as far as that goes, and reported either way."""
    redo = n if redo is None else redo
    kept, redone, worst = [], 0, 0.0
    while len(kept) < n:
        nz = Noise(pids)
        nz.start()
        out = body(len(kept))
        noise = nz.stop()
        if noise > limit and redone < redo:
            redone += 1
            continue
        kept.append(out)
        worst = max(worst, noise)
    return kept, redone, worst


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_ready(port, timeout):
    """True once 127.0.0.1:port accepts, False after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_port(port, timeout=10):
    if not port_ready(port, timeout):
        raise RuntimeError("nothing listens on port %d" % port)


def stop(proc, timeout=10, sig=signal.SIGTERM):
    """sig (SIGTERM), then SIGKILL when proc has not ended within
    timeout."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Nginx:
    """nginx, 1 worker pinned to SERVER_CPU, serving /bytes/N files; with
    h2, also HTTP/2 over TLS (ALPN h2) on port self.h2."""

    def __init__(self, chain, key, sizes, h2=False):
        self.dir = tempfile.mkdtemp(prefix="hbnginx.")
        os.makedirs(os.path.join(self.dir, "root", "bytes"))
        for n in sizes:
            with open(os.path.join(self.dir, "root", "bytes", str(n)),
                      "wb") as f:
                f.write(b"x" * n)
        self.http = free_port()
        self.https = free_port()
        self.h2 = free_port() if h2 else None
        h2_listen = ("listen 127.0.0.1:%d ssl http2;" % self.h2) if h2 \
            else ""
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""
worker_processes 1;
worker_cpu_affinity %s;
pid %s/nginx.pid;
error_log %s/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 60;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache shared:SSL:10m;
  ssl_session_tickets on;
  client_body_temp_path %s/tmp;
  proxy_temp_path %s/tmp;
  fastcgi_temp_path %s/tmp;
  uwsgi_temp_path %s/tmp;
  scgi_temp_path %s/tmp;
  server {
    listen 127.0.0.1:%d;
    listen 127.0.0.1:%d ssl;
    %s
    ssl_certificate %s;
    ssl_certificate_key %s;
    root %s/root;
  }
}
""" % (bin(1 << SERVER_CPU)[2:], self.dir, self.dir, self.dir, self.dir,
       self.dir, self.dir, self.dir, self.http, self.https, h2_listen, chain,
       key, self.dir))
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        # worker_cpu_affinity only acts on worker processes: without a
        # master, nginx itself must be pinned
        self.proc = subprocess.Popen(
            pinned([exe, "-c", conf, "-g", "daemon off; master_process off;"],
                   SERVER_CPU), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        wait_port(self.https)

    def version(self):
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        p = subprocess.run([exe, "-v"], capture_output=True, text=True)
        return p.stderr.strip()

    def stop(self):
        stop(self.proc, sig=signal.SIGQUIT)
        shutil.rmtree(self.dir, ignore_errors=True)


class OurServer:
    """Our server engine pinned to SERVER_CPU."""

    def __init__(self, build, backend, args=()):
        exe = os.path.join(build, "httpsbench-" + backend)
        self.proc = subprocess.Popen(
            pinned([exe, "server", "--listen", "127.0.0.1:0"] + list(args),
                   SERVER_CPU), stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on .*:(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("server did not start: %r" % line)
        self.port = int(m.group(1))

    def stop(self):
        stop(self.proc)


def wrk(url, seconds, conns=32, close=False):
    """wrk, 1 thread, pinned to CLIENT_CPU: (requests/s, cpu s, requests)."""
    cmd = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, url]
    if close:
        cmd[1:1] = ["-H", "Connection: close"]
    c = ChildCPU()
    c.start()
    p = subprocess.run(pinned(cmd, CLIENT_CPU), capture_output=True,
                       text=True, timeout=seconds + 60)
    cpu = c.stop()
    m = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
    n = re.search(r"(\d+) requests in", p.stdout)
    if not m:
        raise RuntimeError("wrk: " + p.stdout + p.stderr)
    return float(m.group(1)), cpu, int(n.group(1)) if n else 0


def ours_load(build, backend, url, seconds, conns=32, extra=()):
    """Our load generator, 1 thread, pinned: (requests/s, cpu s, requests,
    report)."""
    import json
    out = tempfile.mktemp(prefix="hbload.", suffix=".json")
    cmd = [os.path.join(build, "httpsbench-" + backend), "load", url, "-c",
           str(conns), "-t", "1", "-d", str(seconds), "--json", out]
    cmd += list(extra)
    c = ChildCPU()
    c.start()
    p = subprocess.run(pinned(cmd, CLIENT_CPU), capture_output=True,
                       text=True, timeout=seconds + 60)
    cpu = c.stop()
    try:
        rep = json.load(open(out))
    except (OSError, ValueError):
        raise RuntimeError("load failed: " + p.stdout + p.stderr)
    finally:
        if os.path.exists(out):
            os.unlink(out)
    r = rep["results"][0]
    return r["samples"][0], cpu, r["counts"]["requests"], r


def h2load(url, seconds, conns=32, streams=10, warmup=1):
    """h2load, 1 thread, pinned to CLIENT_CPU, for seconds after warmup
    seconds: (requests/s, cpu s, requests done, failed)."""
    cmd = ["h2load", "-t1", "-c%d" % conns, "-m%d" % streams,
           "-D%d" % seconds, "--warm-up-time=%d" % warmup, url]
    c = ChildCPU()
    c.start()
    p = subprocess.run(pinned(cmd, CLIENT_CPU), capture_output=True,
                       text=True, timeout=seconds + warmup + 60)
    cpu = c.stop()
    m = re.search(r"finished in [^,]+, ([\d.]+) req/s", p.stdout)
    n = re.search(r"requests: \d+ total, \d+ started, (\d+) done, "
                  r"\d+ succeeded, (\d+) failed", p.stdout)
    if not m or not n:
        raise RuntimeError("h2load: " + p.stdout + p.stderr)
    return float(m.group(1)), cpu, int(n.group(1)), int(n.group(2))


def median(v):
    import statistics
    return statistics.median(v) if v else float("nan")


def median_ci(v):
    """The interval of the median of v as every report states it
    (hbreport.load.median_ci, lib/core/stats.c's rule): (low, high,
    coverage)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    from hbreport.load import median_ci as mci
    return mci(v)


def ratio_verdict(ratios):
    """Per-round paired ratios (ours over the reference's, higher is
    better) judged against 1: 'meets' when their median is >= 1, 'tie'
    when it is below but the median's interval reaches 1 (the run cannot
    tell them apart), 'BELOW' when the whole interval is under 1. Returns
    (verdict, median, low, high, coverage)."""
    m = median(ratios)
    lo, hi, cov = median_ci(ratios)
    verdict = "meets" if m >= 1 else "tie" if hi >= 1 else "BELOW"
    return verdict, m, lo, hi, cov
