#!/usr/bin/env python3
"""The load generator against tiny misbehaving HTTP servers.

usage: load_test.py BUILD_DIR
Runs BUILD_DIR/httpsbench-plain load against servers on 127.0.0.1 port 0
(a good one, and ones that close mid-response, send a wrong
Content-Length, a garbage status line, never answer, reset, or answer
500), checks each report's counters (and that failures are never latency
samples) and validates it against the schema; then bad usage (exit 2, one
line, nothing written) and SIGINT (exit 130, interrupted report).
Against our own server (httpsbench-plain server, and httpsbench-openssl's
with certificates made in a temporary directory): --warmup and --marks
(the window's edges, counts left out), --pipeline (exact counts against
the server's /__stats), --burn-us (CPU per request), --close with --resume
off (handshakes and resumptions), --cipher; a port nobody listens on
stops at once; libcurl's load (httpsbench-curl) for --warmup and --marks.
No timing asserts beyond sanity bounds. Stdlib only; Debian's
/usr/bin/python3 for the schema check.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import hbtest
from hbtest import Engine, Server, check, free_port, result
from hbtest import run_load as run  # `ENGINE load ARGS --json FILE`

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BODY = b"x" * 1024


# ---- servers: each handler gets the connected socket ----

def read_request(conn, buf):
    """Bytes up to the end of one request head, or None at EOF."""
    while b"\r\n\r\n" not in buf[0]:
        try:
            data = conn.recv(65536)
        except OSError:
            return None
        if not data:
            return None
        buf[0] += data
    head, buf[0] = buf[0].split(b"\r\n\r\n", 1)
    return head


def ok_head(length, extra=b""):
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % length + extra +
            b"\r\n")


def h_good(conn, srv):
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        conn.sendall(ok_head(len(BODY)) + BODY)


def h_slow(conn, srv):  # each answer 2 ms after its request
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        time.sleep(0.002)
        conn.sendall(ok_head(len(BODY)) + BODY)


def h_chunked(conn, srv):
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"200\r\n" + BODY[:512] + b"\r\n"
                     b"200\r\n" + BODY[:512] + b"\r\n0\r\n\r\n")


def h_http10(conn, srv):  # no length: the body ends at close
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + BODY)


def h_midclose(conn, srv):
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        conn.sendall(ok_head(len(BODY)) + BODY[:100])


def h_short(conn, srv):  # Content-Length says 100, 50 come, then close
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        conn.sendall(ok_head(100) + BODY[:50])


def h_long(conn, srv):  # Content-Length says 10, 20 come
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        conn.sendall(ok_head(10) + BODY[:20])


def h_garbage(conn, srv):
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        conn.sendall(b"XTTP/9.9 hello\r\n\r\n")


def h_silent(conn, srv):  # reads, never answers, until the client leaves
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass


def h_reset(conn, srv):
    if read_request(conn, [b""]) is not None:
        srv.requests += 1
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))


def h_close2(conn, srv):
    """Two responses, the second with Connection: close, then the end (the
    requests after it are read, never answered)."""
    buf = [b""]
    for i in range(2):
        if read_request(conn, buf) is None:
            return
        srv.requests += 1
        conn.sendall(ok_head(len(BODY), b"Connection: close\r\n" if i else
                             b"") + BODY)
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(10)
    try:
        while conn.recv(65536):  # until the client closes: no reset
            pass
    except OSError:
        pass


def h_500(conn, srv):
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\n"
                     b"Content-Length: 5\r\n\r\nerror")


# ---- running the engine ----

def valid(path):
    return hbtest.validate(path)[0] == 0


def case_good(engine, tmp):
    for name, handler, body in (("good", h_good, 1024),
                                ("chunked", h_chunked, 1024),
                                ("http/1.0", h_http10, 1024)):
        srv = Server(handler)
        p, rep, out = run(engine, [srv.url("/a?b=1"), "-n", "20", "-c", "2",
                                   "--timeout", "2"], tmp)
        srv.close()
        r = result(rep)
        c = r.get("counts", {})
        check(p.returncode == 0, "%s: exit %d: %s" %
              (name, p.returncode, p.stderr.decode()))
        check(rep is not None and valid(out), "%s: report invalid" % name)
        check(r.get("status") == "ok", "%s: status %s" %
              (name, r.get("status")))
        check(c.get("requests") == 20 and c.get("responses_2xx") == 20,
              "%s: counts %s" % (name, c))
        check(c.get("bytes_body") == 20 * body, "%s: body bytes %s" %
              (name, c.get("bytes_body")))
        check(srv.requests == 20, "%s: server saw %d requests" %
              (name, srv.requests))
        check(r.get("latency", {}).get("count") == 20, "%s: latency count"
              % name)
        check(sum(r.get("errors", {"x": 1}).values()) == 0,
              "%s: errors %s" % (name, r.get("errors")))
        check(r.get("params", {}).get("model") == "closed", "%s: model" %
              name)
        check(r.get("phases", {}).get("tls_handshake", 0) is None,
              "%s: tls phase not null for http" % name)


def case_modes(engine, tmp):
    srv = Server(h_good)
    p, rep, out = run(engine, [srv.url(), "-d", "0.5", "-c", "4", "-t", "2",
                               "--latency"], tmp)
    r = result(rep)
    check(p.returncode == 0 and valid(out) and r.get("samples", [0])[0] > 0,
          "duration run: exit %d, samples %s" % (p.returncode,
                                                 r.get("samples")))
    check(b"Latency" in p.stdout and b"Percentile" in p.stdout,
          "duration run: no latency spectrum on the terminal")
    p, rep, out = run(engine, [srv.url(), "-R", "200", "-d", "0.5", "-c",
                               "2"], tmp)
    r = result(rep)
    check(p.returncode == 0 and valid(out), "open loop: exit %d" %
          p.returncode)
    check(r.get("params", {}).get("model") == "open" and
          r.get("rate", {}).get("target") == 200,
          "open loop: params/rate %s" % r.get("rate"))
    ach = r.get("rate", {}).get("achieved") or 0
    check(40 < ach < 400, "open loop: achieved %s of 200/s" % ach)
    p, rep, out = run(engine, [srv.url(), "-n", "10", "-c", "2", "--close"],
                      tmp)
    c = result(rep).get("counts", {})
    check(p.returncode == 0 and c.get("connections") == 10 and
          c.get("responses_2xx") == 10, "--close: counts %s" % c)
    srv.close()


def case_errors(engine, tmp):
    cases = (("close mid-response", h_midclose, "read"),
             ("Content-Length too short", h_short, "read"),
             ("Content-Length too long", h_long, "read"),
             ("garbage status line", h_garbage, "read"),
             ("never answers", h_silent, "timeout"),
             ("reset", h_reset, "reset"),
             ("status 500", h_500, "status"))
    for name, handler, cat in cases:
        srv = Server(handler)
        p, rep, out = run(engine, [srv.url(), "-n", "3", "-c", "1",
                                   "--timeout", "0.5"], tmp)
        srv.close()
        r = result(rep)
        errs = r.get("errors", {})
        check(p.returncode == 1, "%s: exit %d, want 1" %
              (name, p.returncode))
        check(rep is not None and valid(out), "%s: report invalid" % name)
        check(errs.get(cat, 0) > 0, "%s: %s errors %s" % (name, cat, errs))
        check(sum(errs.values()) == 3 and
              r.get("counts", {}).get("requests") == 3,
              "%s: errors %s for 3 requests" % (name, errs))
        check(r.get("latency", {}).get("count") == 0 and
              r.get("counts", {}).get("responses_2xx") == 0,
              "%s: failures recorded as latency" % name)
        check(r.get("status") == "error" and r.get("error"),
              "%s: status %s" % (name, r.get("status")))
        check(b"Errors:" in p.stdout and cat.encode() in p.stdout,
              "%s: errors not on the terminal" % name)
    # nobody listening: connect errors, a clear message, exit 1
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p, rep, out = run(engine, ["http://127.0.0.1:%d/" % port, "-n", "3",
                               "-c", "1"], tmp)
    r = result(rep)
    check(p.returncode == 1 and r.get("errors", {}).get("connect") == 3,
          "refused: exit %d errors %s" % (p.returncode, r.get("errors")))
    check(b"refused" in p.stderr, "refused: message %s" % p.stderr)


def case_usage(engine, tmp):
    srv = Server(h_good)
    u = srv.url()
    out = os.path.join(tmp, "u.json")
    cases = (("ftp", ["ftp://127.0.0.1/"]),
             ("no valid host", ["http:///x"]),
             ("port", ["http://127.0.0.1:99999/"]),
             ("-c", [u, "-c", "0"]),
             ("-t", [u, "-t", "4", "-c", "2"]),
             ("-d and -n", [u, "-d", "1", "-n", "5"]),
             ("-R", [u, "-R", "abc"]),
             ("-R", [u, "-R", "0"]),
             ("-H", [u, "-H", "nocolon"]),
             ("--bogus", [u, "--bogus"]),
             ("URL is required", []),
             ("--tls", [u, "--tls", "1.1"]),
             ("TLS library", ["https://127.0.0.1:%d/" % srv.port,
                              "--insecure"]),
             ("--json", [u, "--json", "/nonexistent/dir/r.json"]),
             ("--warmup", [u, "--warmup", "1", "-n", "5"]),
             ("--warmup", [u, "--warmup", "-1"]),
             ("--warmup", [u, "--warmup", "soon"]),
             ("--hold excludes", [u, "--hold", "1", "--warmup", "1"]),
             ("--hold excludes", [u, "--hold", "1", "--pipeline", "2"]),
             ("--pipeline", [u, "--pipeline", "0"]),
             ("--pipeline", [u, "--pipeline", "1025"]),
             ("--pipeline", [u, "--pipeline", "4", "--close"]),
             ("--pipeline", [u, "--pipeline", "4", "-R", "10"]),
             ("--burn-us", [u, "--burn-us", "-5"]),
             ("--burn-us", [u, "--burn-us", "1000001"]),
             ("--busy-poll", [u, "--busy-poll", "-1"]),
             ("--busy-poll", [u, "--busy-poll", "10001"]),
             ("--nap", [u, "--nap", "1001"]),
             ("--nap excludes", [u, "--nap", "50", "--busy-poll", "10"]),
             ("--cipher", [u, "--cipher", "rc4"]))
    for want, args in cases:
        if os.path.exists(out):
            os.unlink(out)
        if "--json" not in args:
            args = args + ["--json", out]
        p = subprocess.run([engine, "load"] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        err = p.stderr.decode()
        check(p.returncode == 2 and err.count("\n") == 1 and want in err
              and not os.path.exists(out) and
              not any(f.startswith(".u.json") for f in os.listdir(tmp)),
              "usage %s: exit %d, stderr %r" % (args, p.returncode, err))
    p = subprocess.run([engine, "load", "--help"], stdout=subprocess.PIPE,
                       timeout=30)
    check(p.returncode == 0 and b"usage" in p.stdout, "load --help")
    srv.close()


def case_sigint(engine, tmp):
    srv = Server(h_good)
    out = os.path.join(tmp, "s.json")
    p = subprocess.Popen([engine, "load", srv.url(), "-d", "30", "-c", "2",
                          "--json", out], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    try:
        p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
    srv.close()
    rep = None
    if os.path.exists(out):
        with open(out) as f:
            rep = json.load(f)
    check(p.returncode == 130, "SIGINT: exit %s" % p.returncode)
    check(rep is not None and rep["run"]["interrupted"] is True and
          valid(out), "SIGINT: report missing, invalid or not interrupted")


def case_window(engine, tmp):
    """--warmup 0.3 -d 0.5 --marks: the marks, then the summary; the
    window's figures only."""
    build = os.path.dirname(engine)
    for exe in (engine, os.path.join(build, "httpsbench-curl")):
        name = os.path.basename(exe)
        if not os.access(exe, os.X_OK):
            continue
        srv = Engine(build, "plain")
        if not check(srv.port, "%s window: no server" % name):
            srv.stop()
            continue
        p, rep, out = run(exe, [srv.url("/bytes/100"), "--warmup", "0.3",
                                "-d", "0.5", "-c", "2", "--marks"], tmp)
        served = srv.requests()
        srv.stop()
        r = result(rep)
        c = r.get("counts", {})
        cpu = r.get("cpu", {})
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        check(p.returncode == 0 and valid(out), "%s window: exit %d %s" %
              (name, p.returncode, p.stderr.decode()))
        check(lines[:2] == ["mark start", "mark end"] and
              any(x.startswith("Running") for x in lines[2:]),
              "%s window: stdout %r" % (name, lines[:4]))
        el = r.get("elapsed_s") or 0
        check(0.4 <= el <= 0.8, "%s window: elapsed_s %s" % (name, el))
        check(r.get("params", {}).get("warmup_s") == 0.3,
              "%s window: params %s" % (name, r.get("params")))
        check(0 < c.get("requests", 0) < served,
              "%s window: %s requests in the window, server saw %d" %
              (name, c.get("requests"), served))
        check(c.get("bytes_body") == 100 * c.get("responses_2xx", -1),
              "%s window: counts %s" % (name, c))
        bps = r.get("bytes_per_s") or 0
        check(el and abs(bps - c.get("bytes_body", 0) / el) < 1,
              "%s window: bytes_per_s %s" % (name, bps))
        check(all(k in cpu for k in ("window_s", "util", "per_request_us",
                                     "user_s", "sys_s")) and
              cpu["window_s"] > 0 and cpu["util"] > 0,
              "%s window: cpu %s" % (name, cpu))
        # nobody listens: the run stops in its warm-up, at once
        t0 = time.monotonic()
        p, rep, out = run(exe, ["http://127.0.0.1:%d/" % free_port(), "-d",
                                "30", "--warmup", "1", "-c", "2"], tmp,
                          timeout=60)
        took = time.monotonic() - t0
        err = p.stderr.decode()
        check(p.returncode == 1 and took < 5 and err.count("\n") == 1 and
              result(rep).get("errors", {}).get("connect", 0) > 0,
              "%s refused in warm-up: exit %d after %.1f s, %r" %
              (name, p.returncode, took, err))


def case_pipeline(engine, tmp):
    build = os.path.dirname(engine)
    srv = Engine(build, "plain")
    if not check(srv.port, "pipeline: no server"):
        srv.stop()
        return
    p, rep, out = run(engine, [srv.url("/bytes/1000"), "-n", "101", "-c",
                               "2", "--pipeline", "4"], tmp)
    served = srv.requests()
    r = result(rep)
    c = r.get("counts", {})
    check(p.returncode == 0 and valid(out), "pipeline -n: exit %d %s" %
          (p.returncode, p.stderr.decode()))
    check(c.get("requests") == 101 and c.get("responses_2xx") == 101 and
          c.get("sent") == 101 and c.get("bytes_body") == 101000 and
          sum(r.get("errors", {"x": 1}).values()) == 0,
          "pipeline -n: counts %s errors %s" % (c, r.get("errors")))
    check(served == 101, "pipeline -n: server saw %d of 101" % served)
    check(r.get("params", {}).get("pipeline") == 4, "pipeline: params")
    p, rep, out = run(engine, [srv.url("/bytes/1000"), "-d", "0.3", "-c",
                               "2", "--pipeline", "4"], tmp)
    served2 = srv.requests() - served - 1  # the first /__stats
    srv.stop()
    r = result(rep)
    c = r.get("counts", {})
    n = c.get("responses_2xx", -1)
    check(p.returncode == 0 and n > 0 and c.get("bytes_body") == 1000 * n
          and c.get("requests") == n, "pipeline -d: counts %s" % c)
    check(0 <= served2 - n <= 4 * 2, "pipeline -d: server saw %d, client "
          "completed %d" % (served2, n))
    # Connection: close on the second response ends each batch of 4: the
    # two unanswered requests count nowhere, -n still gets its 10
    srv = Server(h_close2)
    p, rep, out = run(engine, [srv.url(), "-n", "10", "-c", "1",
                               "--pipeline", "4", "--timeout", "5"], tmp)
    srv.close()
    r = result(rep)
    c = r.get("counts", {})
    check(p.returncode == 0 and c.get("requests") == 10 and
          c.get("responses_2xx") == 10 and c.get("connections") == 5 and
          sum(r.get("errors", {"x": 1}).values()) == 0,
          "pipeline cut short: exit %d counts %s errors %s" %
          (p.returncode, c, r.get("errors")))


def case_burn(engine, tmp):
    srv = Server(h_good)
    p, rep, out = run(engine, [srv.url(), "-d", "0.3", "-c", "1",
                               "--burn-us", "1000"], tmp)
    srv.close()
    r = result(rep)
    cpu = r.get("cpu", {})
    check(p.returncode == 0 and valid(out) and
          (cpu.get("per_request_us") or 0) >= 1000 and
          r.get("params", {}).get("burn_us") == 1000,
          "--burn-us 1000: exit %d cpu %s" % (p.returncode, cpu))


def case_busy_poll(engine, tmp):
    """--busy-poll: with answers 2 ms away, the client polls (its CPU
    polling counted apart, within its window CPU) before it sleeps;
    without it, nothing is counted as polling."""
    for us in (1000, 0):
        srv = Server(h_slow)
        p, rep, out = run(engine, [srv.url(), "-d", "0.3", "-c", "1"] +
                          (["--busy-poll", str(us)] if us else []), tmp)
        srv.close()
        r = result(rep)
        cpu = r.get("cpu", {})
        poll, win = cpu.get("busy_poll_s"), cpu.get("window_s")
        per, without = (cpu.get("per_request_us"),
                        cpu.get("per_request_us_without_poll"))
        good = p.returncode == 0 and valid(out) and \
            r.get("params", {}).get("busy_poll_us") == us and \
            all(isinstance(v, (int, float)) for v in (poll, win, per,
                                                      without))
        if good and us:
            good = 0 < poll <= win and without < per and \
                b"busy-polling" in p.stdout
        elif good:
            good = poll == 0 and without == per and \
                b"busy-polling" not in p.stdout
        check(good, "--busy-poll %d: exit %d cpu %s" % (us, p.returncode,
                                                       cpu))


def case_nap(engine, tmp):
    """--nap: every request answered (the timer, not the socket, wakes
    the client), the setting recorded, no polling counted."""
    srv = Server(h_slow)
    p, rep, out = run(engine, [srv.url(), "-n", "20", "-c", "2", "--nap",
                               "200"], tmp)
    srv.close()
    r = result(rep)
    c = r.get("counts", {})
    check(p.returncode == 0 and valid(out) and c.get("responses_2xx") == 20
          and r.get("params", {}).get("nap_us") == 200 and
          r.get("cpu", {}).get("busy_poll_s") == 0,
          "--nap 200: exit %d counts %s params %s" % (
              p.returncode, c, r.get("params")))


def case_refused(engine, tmp):
    """Nobody listens: the run stops at once, not after -d."""
    port = free_port()
    t0 = time.monotonic()
    p, rep, out = run(engine, ["http://127.0.0.1:%d/" % port, "-d", "30",
                               "-c", "4"], tmp, timeout=60)
    took = time.monotonic() - t0
    r = result(rep)
    err = p.stderr.decode()
    check(p.returncode == 1 and took < 5, "refused -d 30: exit %d after "
          "%.1f s" % (p.returncode, took))
    check(r.get("errors", {}).get("connect", 0) > 0 and valid(out),
          "refused -d 30: errors %s" % r.get("errors"))
    check(err.count("\n") == 1 and "refused" in err and
          "127.0.0.1:%d" % port in err, "refused -d 30: stderr %r" % err)


def case_tls(engine, tmp):
    """--close --resume off: a full handshake per request; --cipher."""
    build = os.path.dirname(engine)
    exe = os.path.join(build, "httpsbench-openssl")
    if not os.access(exe, os.X_OK):
        print("load: no httpsbench-openssl, TLS cases skipped")
        return
    env = dict(os.environ, HTTPSBENCH_CERT_DIR=os.path.join(tmp, "certs"))
    srv = Engine(build, "openssl", env)
    if not check(srv.port, "tls: no server"):
        srv.stop()
        return
    ca = os.path.join(tmp, "certs", "ecdsa-p256", "root.pem")
    u = srv.url("/bytes/100", "https", "localhost")
    p, rep, out = run(exe, [u, "-n", "12", "-c", "2", "--close", "--resume",
                            "off", "--cacert", ca], tmp)
    r = result(rep)
    c = r.get("counts", {})
    tls = r.get("tls") or {}
    check(p.returncode == 0 and valid(out), "tls --close: exit %d %s" %
          (p.returncode, p.stderr.decode()))
    check(c.get("resumed") == 0 and c.get("handshakes") == 12 and
          c.get("connections") == 12 and c.get("responses_2xx") == 12,
          "tls --close --resume off: counts %s" % c)
    check(all(tls.get(k) for k in ("version", "cipher", "group")),
          "tls: tls object %s" % tls)
    p, rep, out = run(exe, [u, "-n", "4", "-c", "1", "--cipher",
                            "chacha20-poly1305", "--cacert", ca], tmp)
    r = result(rep)
    check(p.returncode == 0 and "CHACHA20" in
          ((r.get("tls") or {}).get("cipher") or "").upper() and
          r.get("params", {}).get("cipher") == "chacha20-poly1305",
          "--cipher chacha20-poly1305: exit %d tls %s %s" %
          (p.returncode, r.get("tls"), p.stderr.decode()))
    srv.stop()


def case_curl_usage(engine, tmp):
    exe = os.path.join(os.path.dirname(engine), "httpsbench-curl")
    if not os.access(exe, os.X_OK):
        return
    for args in (["--warmup", "1", "-n", "5"], ["--warmup", "x"]):
        p = subprocess.run([exe, "load", "http://127.0.0.1:1/"] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        err = p.stderr.decode()
        check(p.returncode == 2 and err.count("\n") == 1 and
              "--warmup" in err, "curl usage %s: exit %d %r" %
              (args, p.returncode, err))


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    engine = os.path.join(argv[1], "httpsbench-plain")
    if not os.access(engine, os.X_OK):
        print("load: no engine at %s" % engine, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hbload.") as tmp:
        for case in (case_good, case_modes, case_errors, case_usage,
                     case_sigint, case_window, case_pipeline, case_burn,
                     case_busy_poll, case_nap, case_refused, case_tls, case_curl_usage):
            try:
                case(engine, tmp)
            except Exception as e:  # a hang or crash fails, never stops
                check(False, "%s: %r" % (case.__name__, e))
    return hbtest.finish("load")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
