#!/usr/bin/python3
"""HTTP/2 in `httpsbench-<backend> server`: peers and hostile input.

usage: h2_test.py BUILD_DIR BACKEND

Starts BUILD_DIR/httpsbench-BACKEND server on 127.0.0.1 port 0. Over TLS
HTTP/2 is chosen by ALPN, over plain TCP by prior knowledge (h2c).
- h2load (nghttp2-client), -m 1 and -m 100, bounded by -n: every request
  answered, body bytes exactly n x size, the server's counters agree;
- nghttp fetching /bytes/N: the body byte for byte; HEAD, 404, 405 and a
  header list over --h2-max-header-list (431) through nghttp -v;
- ALPN with Python's ssl module (TLS engines): h2, http/1.1, an unknown
  protocol (HTTP/1.1 without ALPN, or a refusal with --alpn-strict and
  with mbedTLS, which always refuses);
- hostile input over raw sockets, frames built here (the test's own
  encoder; the server's framing is nghttp2's): a bad preface, HEADERS and
  DATA on stream 0, a CONTINUATION flood, a SETTINGS flood, a PING flood,
  a RST_STREAM flood (rapid reset): each answered by GOAWAY with the
  RFC 9113 error code and counted; after each one the next client is
  served, and the server's RSS stays bounded.
Prints `h2: N passed, M failed`; exit 77 (skip) without h2load/nghttp.
No timing asserts; every wait is bounded.
"""
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import time

import hbtest
from hbtest import check
from server_test import Server, expected

IO_TIMEOUT = 20.0
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST, SETTINGS, PING, GOAWAY, CONT = 0, 1, 3, 4, 6, 7, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
PROTOCOL_ERROR, ENHANCE_YOUR_CALM, CANCEL = 0x1, 0xb, 0x8


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + \
        struct.pack(">BBI", ftype, flags, stream) + payload


def hpack_int(v, prefix, first=0):
    """RFC 7541 5.1 integer with an n-bit prefix."""
    top = (1 << prefix) - 1
    if v < top:
        return bytes([first | v])
    out = [first | top]
    v -= top
    while v >= 128:
        out.append(v % 128 + 128)
        v //= 128
    out.append(v)
    return bytes(out)


def lit(name_index, value):
    """Literal header field without indexing, indexed name, raw value."""
    v = value.encode()
    return hpack_int(name_index, 4) + hpack_int(len(v), 7) + v


def lit_new(name, value):
    n, v = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v


def request_block(path, tls):
    # :method GET (2), :scheme https (7) / http (6), :path, :authority
    return b"\x82" + (b"\x87" if tls else b"\x86") + lit(4, path) + \
        lit(1, "localhost")


class H2Raw:
    """One raw HTTP/2 connection: ALPN h2 over TLS, or h2c."""

    def __init__(self, srv, preface=True):
        s = socket.create_connection(("127.0.0.1", srv.port), IO_TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = srv.tls
        self.alpn = None
        if srv.tls:
            ctx = ssl.create_default_context(cafile=srv.root_pem)
            ctx.set_alpn_protocols(["h2"])
            s = ctx.wrap_socket(s, server_hostname="localhost")
            self.alpn = s.selected_alpn_protocol()
        self.s = s
        self.buf = b""
        if preface:
            self.send(PREFACE + frame(SETTINGS, 0, 0))

    def send(self, data):
        try:
            self.s.sendall(data)
            return True
        except OSError:
            return False     # the server may have closed on us

    def read_frame(self, limit=IO_TIMEOUT):
        """(type, flags, stream, payload), or None at EOF / timeout."""
        end = time.monotonic() + limit
        while True:
            if len(self.buf) >= 9:
                n = struct.unpack(">I", b"\0" + self.buf[:3])[0]
                if len(self.buf) >= 9 + n:
                    t, f, sid = struct.unpack(">BBI", self.buf[3:9])
                    p = self.buf[9:9 + n]
                    self.buf = self.buf[9 + n:]
                    return t, f, sid & 0x7fffffff, p
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                b = self.s.recv(65536)
            except (socket.timeout, ssl.SSLError, OSError):
                return None
            if not b:
                return None
            self.buf += b

    def goaway(self, limit=IO_TIMEOUT):
        """The error code of the GOAWAY the server sends, None if none
        comes before EOF; answers nothing meanwhile."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            f = self.read_frame(end - time.monotonic())
            if f is None:
                return None
            if f[0] == GOAWAY:
                return struct.unpack(">I", f[3][4:8])[0]
        return None

    def get(self, path, stream=1):
        """GET path on stream; (status-block seen, body bytes) once the
        stream ends, or None."""
        self.send(frame(HEADERS, END_STREAM | END_HEADERS, stream,
                        request_block(path, self.tls)))
        body, headers = b"", False
        while True:
            f = self.read_frame()
            if f is None:
                return None
            t, fl, sid, p = f
            if t == SETTINGS and not fl & ACK:
                self.send(frame(SETTINGS, ACK, 0))
            if sid != stream:
                continue
            if t == HEADERS:
                headers = True
            elif t == DATA:
                body += p
            elif t == RST:
                return None
            if t in (HEADERS, DATA) and fl & END_STREAM:
                return headers, body

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def served(srv, what):
    """The next client gets /bytes/1000 over HTTP/2."""
    try:
        c = H2Raw(srv)
        r = c.get("/bytes/1000")
        c.close()
    except OSError as e:
        r = None
        what += " (%s)" % e
    check(r is not None and r[0] and r[1] == expected(1000),
          "after %s: the next HTTP/2 client is served" % what)


def h2load(srv, url, n, c, m):
    rc, out, err = hbtest.run(["h2load", "-n", str(n), "-c", str(c), "-m",
                               str(m), url], timeout=120)
    req = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, "
                    r"(\d+) succeeded, (\d+) failed", out)
    data = re.search(r"traffic: .* \((\d+)\) data", out)
    return rc, req, data, out + err


def test_h2load(srv, base):
    for n, c, m, size in ((200, 2, 1, 1024), (2000, 4, 100, 1024),
                          (100, 2, 100, 100000)):
        before = srv.snapshot()
        rc, req, data, out = h2load(srv, "%s/bytes/%d" % (base, size), n, c,
                                    m)
        what = "h2load -n %d -c %d -m %d /bytes/%d" % (n, c, m, size)
        check(rc == 0 and req is not None, "%s ran: %s" % (what, out[-400:]))
        if req is None:
            continue
        check(int(req.group(3)) == n and int(req.group(4)) == 0,
              "%s: all %d succeeded (%s)" % (what, n, req.group(0)))
        check(data is not None and int(data.group(1)) == n * size,
              "%s: %d data bytes (%s)" % (what, n * size,
                                          data.group(0) if data else out))
        after = srv.snapshot()
        check(after["requests"] - before["requests"] == n and
              after["h2_streams"] - before["h2_streams"] == n and
              after["h2_connections"] - before["h2_connections"] == c and
              after["bytes_body"] - before["bytes_body"] == n * size,
              "%s: the server counted %d streams, %d connections, %d "
              "bytes: %r" % (what, n, c, n * size,
                             {k: after[k] - before[k] for k in
                              ("requests", "h2_streams", "h2_connections",
                               "bytes_body")}))


def nghttp(args, timeout=60):
    p = subprocess.run(["nghttp"] + args, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def status_of(verbose):
    m = re.search(rb":status: (\d+)", verbose)
    return int(m.group(1)) if m else None


def test_nghttp(srv, base):
    for n in (0, 1, 16384, 100000, 1048577):
        rc, out, err = nghttp([base + "/bytes/%d" % n])
        check(rc == 0 and out == expected(n),
              "nghttp /bytes/%d: %d bytes, %d wanted, pattern %s (%s)"
              % (n, len(out), n, out == expected(n), err[-200:]))
    rc, out, _ = nghttp(["-v", "-n", base + "/nothing-here"])
    check(status_of(out) == 404, "nghttp /nothing-here: 404")
    rc, out, _ = nghttp(["-v", "-n", base + "/bytes/x"])
    check(status_of(out) == 400, "nghttp /bytes/x: 400")
    rc, out, _ = nghttp(["-v", "-n", "-H", ":method: HEAD",
                         base + "/bytes/5000"])
    check(status_of(out) == 200 and b"content-length: 5000" in out and
          b"recv DATA" not in out,
          "nghttp HEAD /bytes/5000: 200, length, no body")
    rc, out, _ = nghttp(["-v", "-n", "-H", ":method: DELETE",
                         base + "/bytes/1"])
    check(status_of(out) == 405 and b"allow: GET, HEAD" in out,
          "nghttp DELETE: 405 with Allow")
    before = srv.snapshot()["errors"]["h2_headers_too_large"]
    rc, out, _ = nghttp(["-v", "-n", "-H", "x-big: " + "a" * 20000,
                         base + "/bytes/10"])
    check(status_of(out) == 431, "nghttp with a 20000-byte header: 431 "
          "(got %r)" % status_of(out))
    check(srv.snapshot()["errors"]["h2_headers_too_large"] == before + 1,
          "431 counted as h2_headers_too_large")


def alpn_handshake(srv, protos):
    """(selected protocol, None) or (None, error text)."""
    ctx = ssl.create_default_context(cafile=srv.root_pem)
    ctx.set_alpn_protocols(protos)
    s = socket.create_connection(("127.0.0.1", srv.port), IO_TIMEOUT)
    try:
        t = ctx.wrap_socket(s, server_hostname="localhost")
        sel = t.selected_alpn_protocol()
        if sel in (None, "http/1.1"):
            t.sendall(b"GET /bytes/7 HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            got = hbtest.read_all(t)
            sel = (sel, got.startswith(b"HTTP/1.1 200") and
                   got.endswith(expected(7)))
        t.close()
        return sel, None
    except (ssl.SSLError, OSError) as e:
        s.close()
        return None, str(e)


def test_alpn(build, backend, srv):
    sel, _ = alpn_handshake(srv, ["h2", "http/1.1"])
    check(sel == "h2", "ALPN h2,http/1.1: h2 (got %r)" % (sel,))
    sel, _ = alpn_handshake(srv, ["http/1.1", "h2"])
    check(sel == "h2", "ALPN http/1.1,h2: the server's choice, h2 (got %r)"
          % (sel,))
    sel, _ = alpn_handshake(srv, ["http/1.1"])
    check(sel == ("http/1.1", True), "ALPN http/1.1: HTTP/1.1 served "
          "(got %r)" % (sel,))
    sel, _ = alpn_handshake(srv, [])
    check(sel == (None, True), "no ALPN: HTTP/1.1 served (got %r)" % (sel,))
    sel, err = alpn_handshake(srv, ["spdy/3", "foo"])
    if backend.startswith("mbedtls"):  # mbedtls-3.6 too: no fallback
        check(sel is None and err, "ALPN foo: mbedTLS refuses (%r)" % err)
    else:
        check(sel == (None, True), "ALPN foo: HTTP/1.1 without ALPN "
              "(got %r, %r)" % (sel, err))
    strict = Server(build, backend, ["--alpn-strict"])
    try:
        sel, err = alpn_handshake(strict, ["spdy/3", "foo"])
        check(sel is None and err and "NO_APPLICATION_PROTOCOL" in
              err.upper().replace(" ", "_"),
              "--alpn-strict, ALPN foo: refused with no_application_protocol "
              "(%r, %r)" % (sel, err))
        sel, _ = alpn_handshake(strict, ["h2"])
        check(sel == "h2", "--alpn-strict, ALPN h2: h2")
    finally:
        strict.stop()
    noh2 = Server(build, backend, ["--no-h2"])
    try:
        sel, _ = alpn_handshake(noh2, ["h2", "http/1.1"])
        check(sel == ("http/1.1", True), "--no-h2: http/1.1 chosen")
    finally:
        noh2.stop()


def count(srv, name):
    return srv.snapshot()["errors"][name]


def hostile(srv, what, payload, want_code, counter, read_first=False):
    before = count(srv, counter)
    c = H2Raw(srv)
    if read_first:
        c.read_frame(2.0)
    c.send(payload)
    code = c.goaway()
    c.close()
    check(code == want_code, "%s: GOAWAY 0x%x (got %r)" % (what, want_code,
                                                           code))
    after = count(srv, counter)
    check(after == before + 1, "%s: counted in %s (%d -> %d)" %
          (what, counter, before, after))
    served(srv, what)


def test_hostile(srv):
    rss0 = srv.snapshot()["rss_bytes"]
    if srv.tls:
        before = count(srv, "h2_bad_preface")
        c = H2Raw(srv, preface=False)
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"x" * 64)
        code = c.goaway()
        c.close()
        check(code == PROTOCOL_ERROR, "bad preface after ALPN h2: GOAWAY "
              "PROTOCOL_ERROR (got %r)" % (code,))
        check(count(srv, "h2_bad_preface") == before + 1,
              "bad preface counted")
        served(srv, "a bad preface")
    else:
        # h2c: not the preface is HTTP/1.1, answered as such
        s = socket.create_connection(("127.0.0.1", srv.port), IO_TIMEOUT)
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        got = s.recv(4096)
        s.close()
        check(got.startswith(b"HTTP/1.1 4") or got.startswith(b"HTTP/1.1 5"),
              "h2c: a wrong preface is refused as HTTP/1.1 (%r)" % got[:40])
        served(srv, "a wrong preface")
    tls = srv.tls
    hostile(srv, "HEADERS on stream 0",
            frame(HEADERS, END_STREAM | END_HEADERS, 0,
                  request_block("/bytes/1", tls)),
            PROTOCOL_ERROR, "h2_protocol")
    hostile(srv, "DATA on stream 0", frame(DATA, 0, 0, b"abc"),
            PROTOCOL_ERROR, "h2_protocol")
    # 20 CONTINUATION frames after a HEADERS (nghttp2 allows 8)
    cont = frame(HEADERS, 0, 1, request_block("/bytes/1", tls))
    for i in range(20):
        cont += frame(CONT, 0, 1, lit_new("x-c%d" % i, "v"))
    cont += frame(CONT, END_HEADERS, 1, lit_new("x-end", "v"))
    hostile(srv, "CONTINUATION flood", cont, ENHANCE_YOUR_CALM,
            "h2_continuation_flood")
    hostile(srv, "SETTINGS flood", frame(SETTINGS, 0, 0) * 5000,
            ENHANCE_YOUR_CALM, "h2_settings_ping_flood")
    hostile(srv, "PING flood", frame(PING, 0, 0, b"12345678") * 5000,
            ENHANCE_YOUR_CALM, "h2_settings_ping_flood")
    # rapid reset: open and cancel 1500 streams (the limit: 1000, 33/s)
    rr = b""
    for i in range(1500):
        sid = 1 + 2 * i
        rr += frame(HEADERS, END_STREAM | END_HEADERS, sid,
                    request_block("/bytes/100000", tls))
        rr += frame(RST, 0, sid, struct.pack(">I", CANCEL))
    hostile(srv, "RST_STREAM flood (rapid reset)", rr, ENHANCE_YOUR_CALM,
            "h2_rapid_reset")
    snap = srv.snapshot()
    check(snap["rss_bytes"] < rss0 + (64 << 20),
          "RSS bounded after the hostile clients: %d -> %d bytes" %
          (rss0, snap["rss_bytes"]))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    build, backend = sys.argv[1], sys.argv[2]
    if not shutil.which("h2load") or not shutil.which("nghttp"):
        print("h2: h2load/nghttp missing (nghttp2-client): skipped")
        return 77
    srv = Server(build, backend, ["--idle-timeout", "30"])
    if srv.port is None:
        print("h2: server did not start: %s" % srv.first_line)
        srv.stop()
        return 1
    base = "%s://127.0.0.1:%d" % ("https" if srv.tls else "http", srv.port)
    try:
        test_h2load(srv, base)
        test_nghttp(srv, base)
        if srv.tls:
            test_alpn(build, backend, srv)
        test_hostile(srv)
    finally:
        rc, _ = srv.stop()
        check(rc == 0, "server exit status 0 after SIGTERM (got %r): %s" %
              (rc, srv.stderr_text()[-600:]))
    return hbtest.finish("h2")


if __name__ == "__main__":
    sys.exit(main())
