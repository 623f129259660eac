#!/usr/bin/python3
"""End-to-end tests of `httpsbench-<backend> server` over raw sockets.

usage: server_test.py BUILD_DIR [BACKEND [SERVER OPTION...]]

Starts BUILD_DIR/httpsbench-BACKEND server (BACKEND defaults to plain) on
127.0.0.1 port 0 with --idle-timeout 1, checks responses byte for byte,
keep-alive, pipelining, HEAD, every refusal the parser makes, slow and
rude clients, and (for a TLS engine) the same over Python's ssl module plus
TLS bad input; then SIGTERM must give exit status 0. Without SERVER
OPTIONs it also starts servers of its own for the SIGUSR1 snapshots
(counters exact over a keep-alive run), --burn-us, --stall-ms and bad
option values. Certificates come from $HTTPSBENCH_CERT_DIR or
BUILD_DIR/certs (the engine makes ecdsa-p256 there on first use). Prints
`server: N passed, M failed`. Exit 77 when the engine has no TLS table yet
(ctest: SKIP_RETURN_CODE 77). Standard library only; no timing asserts,
every wait is bounded; the only time limits checked are lower bounds a
server option defines (--burn-us CPU per request, the --stall-ms delay).
"""
import json
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import hbtest

IO_TIMEOUT = 20.0      # any single socket operation
CLOSE_WAIT = 15.0      # bound for "the server closes it" (timeout is 1 s)
PATTERN = bytes(range(251))
# the port; TLS servers with the suite certificate add the CA on the line
LISTENING = re.compile(r"^listening on (\S+):(\d+)"
                       r"(?: \(CA certificate for clients: (.+)\))?$")
SNAPSHOT_KEYS = ("snapshot", "t_ns", "cpu_ns", "cpu_user_s", "cpu_sys_s",
                 "rss_bytes", "live", "connections", "requests",
                 "handshakes", "resumed", "bytes_body", "tls", "errors")



def expected(n):
    """Body of GET /bytes/n: byte i is i % 251."""
    return (PATTERN * (n // 251 + 1))[:n]


def check(name, cond, detail=""):
    """hbtest.check with the name first and the detail after it."""
    return hbtest.check(cond, "%s%s" % (name, ": " + detail if detail
                                        else ""))


class Server:
    def __init__(self, build, backend, extra):
        self.backend = backend
        self.tls = backend != "plain"
        # the engine's own certificate place, made on first use
        certs = os.environ.get("HTTPSBENCH_CERT_DIR") or \
            os.path.join(build, "certs")
        self.root_pem = os.path.join(certs, "ecdsa-p256", "root.pem")
        self.exe = os.path.join(build, "httpsbench-" + backend)
        cmd = [self.exe, "server", "--listen", "127.0.0.1:0",
               "--idle-timeout", "1", "--usage"] + extra
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.err = []
        self.errt = threading.Thread(target=self._drain, daemon=True)
        self.errt.start()
        self.port = None
        self.ca = None
        line = self._line(120.0)  # TLS engines may make certificates first
        m = LISTENING.match(line)
        if m:
            self.port = int(m.group(2))
            self.ca = m.group(3)
        self.first_line = line

    def _drain(self):
        for raw in self.proc.stderr:
            self.err.append(raw.decode("utf-8", "replace"))

    def _line(self, limit):
        out = b""
        end = time.monotonic() + limit
        fd = self.proc.stdout.fileno()
        while not out.endswith(b"\n") and time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                b = os.read(fd, 1)
                if not b:
                    break
                out += b
        return out.decode("utf-8", "replace").strip()

    def stderr_text(self):
        return "".join(self.err)

    def snapshot(self):
        """SIGUSR1, then the one JSON line it prints."""
        self.proc.send_signal(signal.SIGUSR1)
        line = self._line(IO_TIMEOUT)
        js = json.loads(line)
        if js.get("snapshot") != 1:
            raise ValueError("not a snapshot: %r" % line)
        return js

    def quiet(self, limit=0.3):
        """True when nothing more arrives on stdout within limit."""
        r, _, _ = select.select([self.proc.stdout.fileno()], [], [], limit)
        return not r

    def connect(self, raw=False):
        s = socket.create_connection(("127.0.0.1", self.port), IO_TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls and not raw:
            ctx = ssl.create_default_context(cafile=self.root_pem)
            s = ctx.wrap_socket(s, server_hostname="localhost")
        return s

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.errt.join(5)
        return self.proc.returncode, out.decode("utf-8", "replace")


class Reader:
    """Reads HTTP/1.1 responses off one connection, pipelining-safe."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _more(self):
        b = self.sock.recv(262144)
        if not b:
            raise EOFError("connection closed")
        self.buf += b

    def response(self, head_only=False):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise ValueError("no end of head")
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1])
        hdrs = {}
        for ln in lines[1:]:
            k, v = ln.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        if head_only:
            n = 0
        while len(self.buf) < n:
            self._more()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

    def closed(self, limit=CLOSE_WAIT):
        """True once the peer closes (EOF or reset) within limit."""
        end = time.monotonic() + limit
        self.sock.settimeout(0.5)
        try:
            while time.monotonic() < end:
                try:
                    b = self.sock.recv(65536)
                except (socket.timeout, ssl.SSLWantReadError):
                    continue
                if not b:
                    return True
        except (ConnectionError, ssl.SSLError, OSError):
            return True
        finally:
            try:
                self.sock.settimeout(IO_TIMEOUT)
            except OSError:
                pass
        return False


def get(path, method="GET", extra=""):
    return ("%s %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n"
            % (method, path, extra)).encode()


def stats(srv):
    s = srv.connect()
    try:
        s.sendall(get("/__stats"))
        st, _, body = Reader(s).response()
        return json.loads(body) if st == 200 else None
    finally:
        s.close()


def errors(srv, keys):
    """Sum of the server's error counters named in keys."""
    js = stats(srv)
    return sum(js["errors"].get(k, 0) for k in keys) if js else -1


def wait_count(srv, keys, before, limit=CLOSE_WAIT):
    """Polls /__stats until the counters in keys pass `before`."""
    end = time.monotonic() + limit
    v = None
    while time.monotonic() < end:
        v = errors(srv, keys)
        if v > before:
            return True
        time.sleep(0.2)
    print("  (errors %s: %s, was %s)" % ("+".join(keys), v, before))
    return False


def serves(srv, name):
    """The server still answers a fresh client."""
    try:
        s = srv.connect()
        s.sendall(get("/bytes/1024"))
        st, _, body = Reader(s).response()
        s.close()
        check(name + ": others still served", st == 200 and
              body == expected(1024))
    except Exception as e:  # noqa: BLE001 - any failure is a failed check
        check(name + ": others still served", False, repr(e))


# ---- the tests ----

def t_sizes(srv):
    s = srv.connect()
    r = Reader(s)
    for n in (0, 1, 1024, 16384, 102400, 1048576):
        s.sendall(get("/bytes/%d" % n))
        st, h, body = r.response()
        check("GET /bytes/%d status" % n, st == 200, str(st))
        check("GET /bytes/%d length" % n, len(body) == n and
              h.get("content-length") == str(n))
        check("GET /bytes/%d content" % n, body == expected(n))
        check("GET /bytes/%d type" % n, h.get("content-type") ==
              "application/octet-stream" and h.get("server") ==
              "httpsbench")
    s.close()


def t_keepalive(srv):
    s = srv.connect()
    r = Reader(s)
    ok = True
    for i in range(10):
        s.sendall(get("/bytes/%d" % (i * 7)))
        st, h, body = r.response()
        ok = ok and st == 200 and body == expected(i * 7) and \
            "connection" not in h
    check("keep-alive: 10 requests on one connection", ok)
    s.sendall(b"GET /bytes/5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    st, h, body = r.response()
    check("1.0 keep-alive answered keep-alive", st == 200 and
          h.get("connection", "").lower() == "keep-alive")
    s.sendall(get("/bytes/3"))
    st, h, body = r.response()
    check("still open after 1.0 keep-alive", st == 200 and
          body == expected(3))
    s.close()


def t_close(srv):
    s = srv.connect()
    r = Reader(s)
    s.sendall(get("/bytes/100", extra="Connection: close\r\n"))
    st, h, body = r.response()
    check("Connection: close answered", st == 200 and
          body == expected(100) and h.get("connection") == "close")
    check("Connection: close: server closes", r.closed())
    s.close()
    s = srv.connect()
    r = Reader(s)
    s.sendall(b"GET /bytes/10 HTTP/1.0\r\n\r\n")
    st, h, body = r.response()
    check("HTTP/1.0 answered", st == 200 and body == expected(10))
    check("HTTP/1.0: server closes", r.closed())
    s.close()


def t_pipelined(srv):
    s = srv.connect()
    r = Reader(s)
    s.sendall(get("/bytes/300") + get("/bytes/2", "HEAD") +
              get("/bytes/70000"))
    res = []
    for head_only in (False, True, False):
        res.append(r.response(head_only))
    check("pipelined: 3 answers in order",
          [x[0] for x in res] == [200, 200, 200] and
          res[0][2] == expected(300) and
          res[1][1].get("content-length") == "2" and
          res[2][2] == expected(70000))
    # bodies are read and dropped before the next request
    s.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" +
              b"POST /y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n" + get("/bytes/4"))
    a, b, c = r.response(), r.response(), r.response()
    check("bodies dropped between pipelined requests",
          a[0] == 405 and b[0] == 405 and c[0] == 200 and
          c[2] == expected(4), "%d %d %d" % (a[0], b[0], c[0]))
    s.close()


def t_head(srv):
    s = srv.connect()
    r = Reader(s)
    s.sendall(get("/bytes/1048576", "HEAD"))
    st, h, body = r.response(head_only=True)
    check("HEAD status and length", st == 200 and
          h.get("content-length") == "1048576")
    s.sendall(get("/bytes/2"))
    st, h, body = r.response()
    check("HEAD sent no body", st == 200 and body == expected(2) and
          r.buf == b"")
    s.close()


def t_status(srv):
    cases = [
        ("404", get("/nope"), 404, False),
        ("405", get("/bytes/1", "DELETE"), 405, False),
        ("400 size not a number", get("/bytes/abc"), 400, False),
        ("400 size over 64 MiB", get("/bytes/67108865"), 400, False),
        ("414", b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414, True),
        ("431 oversized header", get("/", extra="X-Big: %s\r\n"
                                     % ("b" * 9000)), 431, True),
        ("431 too many headers", get("/", extra="".join(
            "X-%d: %d\r\n" % (i, i) for i in range(70))), 431, True),
        ("505", b"GET / HTTP/2.0\r\n\r\n", 505, True),
        ("501", get("/", extra="Transfer-Encoding: gzip\r\n"), 501, True),
        ("413", get("/bytes/1", "POST",
                    "Content-Length: 2000000\r\n"), 413, True),
        ("400 NUL in header", get("/", extra="X-A: a\0b\r\n"), 400, True),
        ("400 DEL in header", get("/", extra="X-A: a\x7fb\r\n"), 400, True),
        ("400 folded header", get("/", extra="X-A: a\r\n b\r\n"), 400,
         True),
        ("400 duplicate Content-Length", get(
            "/", "POST", "Content-Length: 1\r\nContent-Length: 1\r\n"),
         400, True),
        ("400 Content-Length + Transfer-Encoding", get(
            "/", "POST", "Content-Length: 3\r\n"
            "Transfer-Encoding: chunked\r\n"), 400, True),
        ("400 bad chunk size", get(
            "/bytes/1", extra="Transfer-Encoding: chunked\r\n") +
         b"zz\r\nhello\r\n0\r\n\r\n", 400, True),
        ("400 overflowing chunk size", get(
            "/bytes/1", extra="Transfer-Encoding: chunked\r\n") +
         b"100000000000000000\r\n", 400, True),
        ("400 bare LF", b"GET / HTTP/1.1\n\n", 400, True),
    ]
    for name, req, want, closes in cases:
        try:
            s = srv.connect()
            r = Reader(s)
            s.sendall(req)
            st, h, body = r.response()
            check(name + ": status", st == want, "got %d" % st)
            if closes:
                check(name + ": Connection: close",
                      h.get("connection") == "close")
                check(name + ": server closes", r.closed())
            else:
                s.sendall(get("/bytes/1"))
                st2, _, b2 = r.response()
                check(name + ": stays open", st2 == 200 and
                      b2 == expected(1))
            s.close()
        except Exception as e:  # noqa: BLE001
            check(name, False, repr(e))


def t_bytewise(srv):
    s = srv.connect()
    r = Reader(s)
    req = get("/bytes/2048", extra="User-Agent: one-byte-at-a-time\r\n")
    for i in range(len(req)):
        s.sendall(req[i:i + 1])
        time.sleep(0.001)
    st, _, body = r.response()
    check("request one byte per write", st == 200 and
          body == expected(2048))
    s.close()


def t_slowloris(srv):
    before = errors(srv, ["head_timeout"])
    s = srv.connect()
    s.sendall(b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\n")
    serves(srv, "slowloris")
    # keep trickling header bytes: the head deadline must not move
    end = time.monotonic() + CLOSE_WAIT
    closed = False
    s.settimeout(0.2)
    while time.monotonic() < end and not closed:
        try:
            s.sendall(b"X")
            b = s.recv(4096)
            closed = b == b""
        except (socket.timeout, ssl.SSLWantReadError):
            pass
        except (OSError, ssl.SSLError):
            closed = True
    check("slowloris closed after --idle-timeout", closed)
    s.close()
    check("slowloris counted", wait_count(srv, ["head_timeout"], before))


def t_silent(srv):
    s = srv.connect(raw=True)
    check("silent client closed after --idle-timeout",
          Reader(s).closed())
    s.close()
    serves(srv, "silent client")


def t_reset(srv):
    before = errors(srv, ["reset", "write"])
    s = srv.connect()
    s.sendall(get("/bytes/67108864"))
    got = 0
    while got < 100000:
        got += len(s.recv(65536))
    # SO_LINGER 0: close sends RST
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))
    s.close()
    check("reset mid-response counted",
          wait_count(srv, ["reset", "write"], before))
    serves(srv, "reset mid-response")


def t_never_reads(srv):
    before = errors(srv, ["write_timeout"])
    s = srv.connect()
    s.sendall(get("/bytes/67108864"))
    serves(srv, "peer never reads")
    check("peer that never reads is closed",
          wait_count(srv, ["write_timeout"], before))
    s.close()


def t_many(srv):
    socks = [srv.connect() for _ in range(20)]
    for s in socks:
        s.sendall(get("/bytes/512"))
    ok = all(Reader(s).response()[2] == expected(512) for s in socks)
    check("20 connections at once", ok)
    for s in socks:
        s.close()


# ---- TLS bad input ----

def client_hello():
    ctx = ssl.create_default_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def t_tls_bad(srv):
    s = srv.connect(raw=True)
    s.sendall(get("/bytes/1"))
    check("non-TLS bytes on the TLS port: closed", Reader(s).closed())
    s.close()
    serves(srv, "non-TLS bytes")

    hello = client_hello()
    keys = ["tls_handshake_eof", "tls_handshake"]
    before = errors(srv, keys)
    s = srv.connect(raw=True)
    s.sendall(hello[:len(hello) // 2])
    s.close()
    check("truncated ClientHello counted", wait_count(srv, keys, before))
    serves(srv, "truncated ClientHello")

    # a whole ClientHello, the server's flight read, then goodbye
    before = errors(srv, keys)
    s = srv.connect(raw=True)
    s.sendall(hello)
    got = s.recv(65536)
    s.close()
    check("close after the server's first flight", len(got) > 0 and
          wait_count(srv, keys, before))
    serves(srv, "close after the server's first flight")

    s = srv.connect(raw=True)
    s.sendall(b"\x15\x03\x03\x00\x02\x02\x28")  # a fatal alert, unasked
    check("alert before the handshake: closed", Reader(s).closed())
    s.close()

    before = errors(srv, ["handshake_timeout"])
    s = srv.connect(raw=True)
    check("silent TLS client closed after --idle-timeout",
          Reader(s).closed())
    s.close()
    check("handshake timeout counted",
          wait_count(srv, ["handshake_timeout"], before))
    serves(srv, "silent TLS client")

    # EOF without close_notify (Python's close does not send one)
    s = srv.connect()
    s.sendall(get("/bytes/10"))
    Reader(s).response()
    s.close()
    serves(srv, "EOF without close_notify")


# ---- counters, snapshots and the options for tests of the measurement ----

def check_usage(out, name, want=None):
    """The --usage line among what the server printed at exit."""
    lines = [ln for ln in out.splitlines()
             if ln.startswith("{") and '"snapshot"' not in ln]
    try:
        js = json.loads(lines[-1])
        ok = js["requests"] > 0 and all(
            k in js for k in ("cpu_ns", "cpu_user_s", "cpu_sys_s",
                              "max_rss_bytes", "connections", "handshakes",
                              "resumed", "bytes_body", "errors"))
        if want:
            ok = ok and all(js[k] == v for k, v in want.items())
        check(name, ok and isinstance(js["cpu_ns"], int), lines[-1])
    except (IndexError, ValueError, KeyError) as e:
        check(name, False, repr(e))


def settle(srv, want, limit=CLOSE_WAIT):
    """Snapshots until every counter in want has reached its value (a
    worker adds after its write returned, so the client may be first)."""
    end = time.monotonic() + limit
    while True:
        js = srv.snapshot()
        if all(js[k] >= v for k, v in want.items()) or \
                time.monotonic() > end:
            return js
        time.sleep(0.05)


def own_server(build, backend, extra, name):
    srv = Server(build, backend, extra)
    if srv.port is None:
        code = srv.proc.wait(timeout=30)
        check(name + ": server starts", False, "exit %s: %s %s"
              % (code, srv.first_line, srv.stderr_text()))
        return None
    return srv


def own_stop(srv, name, want=None, served=True):
    code, out = srv.stop()
    check(name + ": SIGTERM: exit status 0", code == 0, "exit %s; %s"
          % (code, srv.stderr_text()[-2000:]))
    if served:
        check_usage(out, name + ": --usage JSON", want)


def t_listening_line(srv):
    """The port parses; TLS with the suite certificate names its CA."""
    if not srv.tls:
        check("listening line: no CA on plain TCP", srv.ca is None,
              srv.first_line)
        return
    check("listening line: CA certificate for clients",
          srv.ca is not None and os.path.exists(srv.ca) and
          os.path.samefile(srv.ca, srv.root_pem), srv.first_line)
    # what the drivers do: sscanf("listening on %*[^:]:%d") and sed
    m = re.match(r"listening on [^:]*:(\d+)", srv.first_line)
    check("listening line: sscanf-style parse",
          m and int(m.group(1)) == srv.port)
    m = re.search(r"listening on .*:(\d+)", srv.first_line)
    check("listening line: greedy regex parse",
          m and int(m.group(1)) == srv.port)


def t_user_cert(build, backend):
    """--cert/--key of the user: nothing after the port."""
    certs = os.environ.get("HTTPSBENCH_CERT_DIR") or \
        os.path.join(build, "certs")
    d = os.path.join(certs, "ecdsa-p256")
    srv = own_server(build, backend, ["--cert", os.path.join(d, "chain.pem"),
                                      "--key", os.path.join(d, "key.pem")],
                     "--cert/--key")
    if srv:
        check("--cert/--key: no CA on the listening line",
              srv.ca is None and
              re.match(r"^listening on \S+:\d+$", srv.first_line),
              srv.first_line)
        own_stop(srv, "--cert/--key", None, False)


def t_snapshots(build, backend):
    """Counters over a keep-alive run: exact differences."""
    tls = backend != "plain"
    srv = own_server(build, backend, ["--resume", "off"] if tls else [],
                     "snapshot")
    if not srv:
        return
    try:
        a = srv.snapshot()
        check("snapshot: one line, every field",
              srv.quiet() and all(k in a for k in SNAPSHOT_KEYS) and
              all(isinstance(a[k], int) for k in
                  ("t_ns", "cpu_ns", "rss_bytes", "live", "connections",
                   "requests", "handshakes", "resumed", "bytes_body")) and
              a["rss_bytes"] > 0, json.dumps(a))
        check("snapshot: tls null before any handshake",
              a["tls"] is None, json.dumps(a["tls"]))
        # conn 1: 10 x 4096 keep-alive; conn 2: sizes through every write
        # path; conn 3: one request, Connection: close
        runs = [[4096] * 10, [0, 1, 16384, 70000, 1048576, 100], [512]]
        n = sum(len(r) for r in runs)
        body = sum(sum(r) for r in runs)
        ok = True
        live = None
        for i, sizes in enumerate(runs):
            s = srv.connect()
            r = Reader(s)
            for j, size in enumerate(sizes):
                last = i == 2 and j == len(sizes) - 1
                s.sendall(get("/bytes/%d" % size, extra="Connection: "
                              "close\r\n" if last else ""))
                st, _, got = r.response()
                ok = ok and st == 200 and got == expected(size)
            if i == 0:
                live = srv.snapshot()["live"]
            s.close()
        check("snapshot: responses", ok)
        check("snapshot: live counts the open connection", live == 1,
              str(live))
        want = {"requests": a["requests"] + n,
                "connections": a["connections"] + 3,
                "bytes_body": a["bytes_body"] + body}
        if tls:
            want["handshakes"] = a["handshakes"] + 3
        b = settle(srv, want)
        d = {k: b[k] - a[k] for k in ("requests", "connections",
                                      "handshakes", "resumed",
                                      "bytes_body")}
        check("snapshot: requests += %d" % n, d["requests"] == n, str(d))
        check("snapshot: connections += 3", d["connections"] == 3, str(d))
        check("snapshot: bytes_body += %d" % body, d["bytes_body"] == body,
              str(d))
        check("snapshot: handshakes == connections, none resumed",
              d["handshakes"] == (3 if tls else 0) and d["resumed"] == 0,
              str(d))
        check("snapshot: cpu_ns an integer that grew",
              isinstance(b["cpu_ns"], int) and b["cpu_ns"] > a["cpu_ns"] and
              b["t_ns"] > a["t_ns"], "%s -> %s" % (a["cpu_ns"], b["cpu_ns"]))
        check("snapshot: no errors", sum(b["errors"].values()) == 0,
              json.dumps(b["errors"]))
        t = b["tls"]
        if tls:
            check("snapshot: tls of the first handshake",
                  isinstance(t, dict) and
                  t.get("version") in ("TLSv1.3", "TLSv1.2") and
                  isinstance(t.get("cipher"), str) and t["cipher"] and
                  "group" in t, json.dumps(t))
        else:
            check("snapshot: tls null on plain TCP", t is None, json.dumps(t))
        c = srv.snapshot()
        end = time.monotonic() + CLOSE_WAIT
        while c["live"] and time.monotonic() < end:
            time.sleep(0.1)
            c = srv.snapshot()
        check("snapshot: live back to 0", c["live"] == 0, str(c["live"]))
        # /__stats carries the same counters
        js = stats(srv)
        check("/__stats: handshakes, resumed, bytes_body, cpu_ns",
              js is not None and js["requests"] == b["requests"] + 1 and
              js["bytes_body"] == b["bytes_body"] and
              js["handshakes"] >= b["handshakes"] and
              js["resumed"] == 0 and isinstance(js["cpu_ns"], int) and
              js["cpu_ns"] >= b["cpu_ns"], json.dumps(js))
    except Exception as e:  # noqa: BLE001
        check("snapshot", False, repr(e))
    own_stop(srv, "snapshot", {"resumed": 0})


def t_burn(build, backend):
    """--burn-us 2000: at least 2 ms of CPU per request, by definition."""
    srv = own_server(build, backend, ["--burn-us", "2000"], "--burn-us")
    if not srv:
        return
    try:
        a = srv.snapshot()
        s = srv.connect()
        r = Reader(s)
        ok = True
        for _ in range(10):
            s.sendall(get("/bytes/100"))
            st, _, got = r.response()
            ok = ok and st == 200 and got == expected(100)
        s.close()
        b = settle(srv, {"requests": a["requests"] + 10})
        # a running thread's CPU reaches the process clock when it sleeps
        time.sleep(0.3)
        b = srv.snapshot()
        dr = b["requests"] - a["requests"]
        dc = b["cpu_ns"] - a["cpu_ns"]
        check("--burn-us: responses", ok and dr == 10, str(dr))
        check("--burn-us 2000: cpu_ns per request >= 2 ms",
              dr > 0 and dc / dr >= 2e6, "%d ns / %d" % (dc, dr))
    except Exception as e:  # noqa: BLE001
        check("--burn-us", False, repr(e))
    own_stop(srv, "--burn-us")


def t_stall(build, backend):
    """--stall-ms 200 --stall-after 5: the 6th request waits 200 ms."""
    srv = own_server(build, backend, ["--stall-ms", "200", "--stall-after",
                                      "5"], "--stall-ms")
    if not srv:
        return
    try:
        s = srv.connect()
        r = Reader(s)
        times, ok = [], True
        for i in range(10):
            t0 = time.monotonic()
            s.sendall(get("/bytes/%d" % (100 + i)))
            st, _, got = r.response()
            times.append(time.monotonic() - t0)
            ok = ok and st == 200 and got == expected(100 + i)
        s.close()
        check("--stall-ms: every response complete", ok)
        check("--stall-ms 200 --stall-after 5: 6th request >= 200 ms",
              times[5] >= 0.2, " ".join("%.3f" % t for t in times))
    except Exception as e:  # noqa: BLE001
        check("--stall-ms", False, repr(e))
    own_stop(srv, "--stall-ms")


def t_option_values(build, backend):
    exe = os.path.join(build, "httpsbench-" + backend)
    bad = [["--burn-us", "-1"], ["--burn-us", "1000001"],
           ["--burn-us", "2ms"], ["--stall-ms", "-1"],
           ["--stall-ms", "3600001"], ["--stall-ms", "1.5"],
           ["--stall-after", "-1"], ["--stall-after", "many"],
           ["--cipher", "rc4"], ["--cipher", "AES-128-GCM"],
           ["--cipher", ""], ["--cipher"], ["--burn-us"]]
    for args in bad:
        name = "bad value %s" % " ".join(args)
        try:
            p = subprocess.run([exe, "server", "--listen", "127.0.0.1:0"] +
                               args, capture_output=True, timeout=30)
            err = p.stderr.decode("utf-8", "replace")
            check(name + ": exit 2, one line", p.returncode == 2 and
                  err.count("\n") == 1 and err.endswith("\n") and
                  not p.stdout, "exit %d: %r" % (p.returncode, err))
        except subprocess.TimeoutExpired:
            check(name, False, "no exit within 30 s")
    p = subprocess.run([exe, "server", "--help"], capture_output=True,
                       timeout=30)
    out = p.stdout.decode()
    check("--help names the new options", p.returncode == 0 and
          all(o in out for o in ("--burn-us", "--stall-ms", "--stall-after",
                                 "--cipher", "SIGUSR1")))
    # a valid --cipher: the server starts, or says the library cannot
    srv = Server(build, backend, ["--cipher", "aes-128-gcm"])
    first = srv.first_line
    if srv.port is None:
        code = srv.proc.wait(timeout=30)
        check("--cipher aes-128-gcm: starts or unsupported",
              backend != "plain" and first.startswith("unsupported: "),
              "exit %s: %s" % (code, first))
        return
    code, _ = srv.stop()
    check("--cipher aes-128-gcm: starts", code == 0, first)
    if backend == "plain":
        check("--cipher on plain: TLS options ignored",
              "TLS options ignored" in srv.stderr_text(), srv.stderr_text())


def main():
    if len(sys.argv) < 2:
        print("usage: server_test.py BUILD_DIR [BACKEND [SERVER OPTION...]]")
        return 2
    build = sys.argv[1]
    backend = sys.argv[2] if len(sys.argv) > 2 else "plain"
    srv = Server(build, backend, sys.argv[3:])
    if srv.port is None:
        code = srv.proc.wait(timeout=30)
        srv.errt.join(5)
        text = srv.stderr_text()
        if "no TLS connection table" in text:
            print("server: skipped: %s" % text.strip())
            return 77
        print("server did not start (exit %s): %s %s"
              % (code, srv.first_line, text))
        print("server: 0 passed, 1 failed")
        return 1
    tests = [t_sizes, t_keepalive, t_close, t_pipelined, t_head, t_status,
             t_bytewise, t_many, t_slowloris, t_silent, t_reset,
             t_never_reads]
    if srv.tls:
        tests.append(t_tls_bad)
    tests.append(t_listening_line)
    for t in tests:
        try:
            t(srv)
        except Exception as e:  # noqa: BLE001 - report and go on
            check(t.__name__, False, repr(e))
    try:
        js = srv.snapshot()
        check("SIGUSR1 snapshot on the main server",
              all(k in js for k in SNAPSHOT_KEYS) and js["requests"] > 0)
    except Exception as e:  # noqa: BLE001
        check("SIGUSR1 snapshot on the main server", False, repr(e))
    code, out = srv.stop()
    check("SIGTERM: exit status 0", code == 0, "exit %s; stderr: %s"
          % (code, srv.stderr_text()[-3000:]))
    check_usage(out, "--usage JSON at exit")
    err = srv.stderr_text()
    check("one stderr line per error category",
          all(err.count(": %s: " % k) <= 1 for k in
              ("head_timeout", "bad_request", "reset", "write_timeout")),
          err)
    if hbtest.tally.failed or os.environ.get("HB_TEST_VERBOSE"):
        print("--- server stderr ---\n" + err, end="")
    if not sys.argv[3:]:
        # servers of their own, once per backend (not again with options)
        own = [t_snapshots, t_burn, t_stall, t_option_values]
        if srv.tls:
            own.append(t_user_cert)
        for t in own:
            try:
                t(build, backend)
            except Exception as e:  # noqa: BLE001
                check(t.__name__, False, repr(e))
    return hbtest.finish("server")


if __name__ == "__main__":
    sys.exit(main())
