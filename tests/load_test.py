#!/usr/bin/env python3
"""The load generator against tiny misbehaving HTTP servers.

usage: load_test.py BUILD_DIR
Runs BUILD_DIR/httpsbench-plain load against servers on 127.0.0.1 port 0
(a good one, and ones that close mid-response, send a wrong
Content-Length, a garbage status line, never answer, reset, or answer
500), checks each report's counters (and that failures are never latency
samples) and validates it against the schema; then bad usage (exit 2, one
line, nothing written) and SIGINT (exit 130, interrupted report). Stdlib
only; Debian's /usr/bin/python3 for the schema check.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATE = os.path.join(SRC, "scripts", "validate_report.py")
BODY = b"x" * 1024
passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what)
    return cond


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


def h_500(conn, srv):
    buf = [b""]
    while read_request(conn, buf) is not None:
        srv.requests += 1
        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\n"
                     b"Content-Length: 5\r\n\r\nerror")


class Server:
    def __init__(self, handler):
        self.handler = handler
        self.requests = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(conn,),
                             daemon=True).start()

    def one(self, conn):
        try:
            self.handler(conn, self)
        except OSError:
            pass
        finally:
            conn.close()

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# ---- running the engine ----

def run(engine, args, tmp, timeout=60):
    out = os.path.join(tmp, "r.json")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([engine, "load"] + args + ["--json", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    rep = None
    if os.path.exists(out):
        with open(out) as f:
            rep = json.load(f)
    return p, rep, out


def valid(path):
    return subprocess.run(["/usr/bin/python3", VALIDATE, path],
                          stdout=subprocess.DEVNULL).returncode == 0


def result(rep):
    return rep["results"][0] if rep and rep.get("results") else {}


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
             ("--json", [u, "--json", "/nonexistent/dir/r.json"]))
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
                     case_sigint):
            try:
                case(engine, tmp)
            except Exception as e:  # a hang or crash fails, never stops
                check(False, "%s: %r" % (case.__name__, e))
    print("load: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
