#!/usr/bin/python3
"""Allocation failure on the server's connection path (a build with
-DHB_FAULT_INJECT=ON; hb/alloc.h): for N = 1, 2, ... the server starts
with HB_FAIL_ALLOC=N and serves a fixed operation until N is no longer
reached. The operation: two connections, each a small request, a request
whose head outgrows the connection's own buffer, the stats page; then one
more connection. Each N that failed: the server is still running, the
connection the failure hit is closed (never a hang), the failure is
counted (out_of_memory or tls_setup in the summary), the next connection
is served, and the server exits 0 (LeakSanitizer fails it on a leak).

usage: fault_server_test.py BUILD_DIR [ENGINE...] (default: plain and
openssl when built)
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

MAX_N = 200
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def start(build, engine, n):
    env = dict(os.environ, HB_FAIL_ALLOC=str(n),
               HTTPSBENCH_CERT_DIR=os.path.join(build, "certs"))
    p = subprocess.Popen([os.path.join(build, "httpsbench-" + engine),
                          "server", "--listen", "127.0.0.1:0",
                          "--threads", "1", "--idle-timeout", "5"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, text=True)
    line = p.stdout.readline()
    m = re.match(r"listening on [^ ]*:(\d+)", line)
    if not m:
        p.kill()
        _, err = p.communicate()
        raise RuntimeError("%s did not start: %s %s" % (engine, line, err))
    return p, int(m.group(1))


def connect(port, tls):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def exchange(s, req):
    """Sends one request, reads one response; its status, or None when the
    server closed the connection first."""
    try:
        s.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        head, _, body = buf.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        m = re.search(rb"(?i)content-length: *(\d+)", head)
        want = int(m.group(1)) if m else 0
        while len(body) < want:
            d = s.recv(65536)
            if not d:
                return None
            body += d
        return status
    except (OSError, ssl.SSLError, ValueError, IndexError):
        return None


def one_connection(port, tls):
    """The operation's connection: 0 when every reply came, 1 when the
    server closed it early (a failure hit it)."""
    reqs = [b"GET /bytes/16 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /bytes/100 HTTP/1.1\r\nHost: x\r\nX-Pad: " +
            b"p" * 3000 + b"\r\n\r\n",
            b"GET /__stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]
    try:
        s = connect(port, tls)
    except (OSError, ssl.SSLError):
        return 1
    with s:
        for r in reqs:
            st = exchange(s, r)
            if st != 200:  # closed, or 500 when the reply's buffer failed
                return 1
    return 0


def run_engine(build, engine):
    tls = engine != "plain"
    for n in range(1, MAX_N + 1):
        p, port = start(build, engine, n)
        t0 = time.monotonic()
        closed = sum(one_connection(port, tls) for _ in range(2))
        # the next connection is served (one of two: the failure may be
        # in the first)
        served = one_connection(port, tls) == 0 or \
            one_connection(port, tls) == 0
        alive = p.poll() is None
        p.send_signal(signal.SIGTERM)
        try:
            _, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            fail("%s N=%d: no exit after SIGTERM" % (engine, n))
        m = re.search(r"hb_fault: (\d+) allocations counted; call \d+ "
                      r"(failed|was not reached)", err)
        if not m:
            fail("%s N=%d: no hb_fault line (built without "
                 "HB_FAULT_INJECT?): %s" % (engine, n, err[-300:]))
            return
        hit = m.group(2) == "failed"
        tag = "%s N=%d" % (engine, n)
        if not alive:
            fail("%s: the server died: %s" % (tag, err[-500:]))
        if p.returncode != 0:
            fail("%s: exit %d (a leak?): %s" % (tag, p.returncode,
                                                 err[-800:]))
        if not served:
            fail("%s: the next connection was not served" % tag)
        if time.monotonic() - t0 > 20:
            fail("%s: took %.0f s (a connection hung)" %
                 (tag, time.monotonic() - t0))
        if not hit:
            if closed:
                fail("%s: no failure injected, yet %d connections closed"
                     % (tag, closed))
            print("%s: %d allocation(s) failed one at a time; each "
                  "counted and survived (%s allocations per run)" %
                  (engine, n - 1, m.group(1)))
            if n < 3:
                fail("%s: only %d allocation sites reached" % (engine,
                                                               n - 1))
            return
        summary = re.search(r"errors:(.*)", err)
        counted = summary and re.search(
            r"(out_of_memory|tls_setup) [1-9]", summary.group(1))
        if not counted:
            fail("%s: the failure was not counted: %s" %
                 (tag, summary.group(0) if summary else err[-300:]))
    fail("%s: still failing after %d allocations" % (engine, MAX_N))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) > 1 else 2
    build = sys.argv[1]
    engines = sys.argv[2:] or [e for e in ("plain", "openssl") if
                               os.path.exists(os.path.join(
                                   build, "httpsbench-" + e))]
    for e in engines:
        run_engine(build, e)
    print("fault_server: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
