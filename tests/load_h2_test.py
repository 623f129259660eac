#!/usr/bin/env python3
"""The load generator's --http2 against HTTP/2 servers that are not ours.

usage: load_h2_test.py BUILD_DIR
Peers, all on 127.0.0.1 and stopped at the end: nghttpd (Debian
nghttp2-server) over h2c (prior knowledge) and over TLS with a
certificate from scripts/gen-certs; nginx with `http2` on a cleartext
port (h2c), on a TLS port, on a TLS port without HTTP/2 (ALPN gives
http/1.1), with keepalive_requests 20 and http2_max_concurrent_streams 4
(graceful GOAWAYs, a limit under -m), and a location answered `return
444` (nginx resets the stream); two Python TCP servers that never answer
or close at once. Checks, from each report: every request answered with
the right body bytes for -m 1 and -m 100, over h2c and over TLS with every
TLS engine built; the protocol as negotiated (h2c, or h2 by ALPN);
streams per connection as the server allowed; GOAWAYs counted and the
run going on over new connections; stream resets by error code; a
server without h2 stopping the run with a protocol error (no fallback);
our own server (plain h2c, OpenSSL h2) answering every request too;
per-stream timeouts; bad option values (one line, exit 2); --help. Every
run is bounded by -n and a timeout. No timing asserts. Stdlib only;
Debian's /usr/bin/python3 for the schema check.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import hbtest
from hbtest import Engine, Server, check, free_port, result, stop, wait_port


def run(engine, args, tmp, timeout=60):
    """`ENGINE load ARGS --json FILE`, its output as text."""
    return hbtest.run_load(engine, args, tmp, timeout, text=True)


def silent(conn, srv):
    """Reads until the client leaves, never answers."""
    while conn.recv(65536):
        pass


def close_at_once(conn, srv):
    """Reads once and closes."""
    conn.recv(65536)


SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TLS_ENGINES = ("openssl", "boringssl", "gnutls", "wolfssl", "mbedtls")


def all_answered(name, p, rep, out, n, body, proto, streams):
    """Every one of n requests a 2xx with body bytes, no error, the
    protocol and streams per connection as said, a valid report."""
    r = result(rep)
    c = r.get("counts", {})
    errs = r.get("errors", {"x": 1})
    check(p.returncode == 0, "%s: exit %d: %s" % (name, p.returncode,
                                                  p.stderr.strip()))
    # sent may be more: streams a GOAWAY refused count nowhere and go
    # again on a new connection
    check(c.get("requests") == n and c.get("responses_2xx") == n and
          c.get("sent", 0) >= n, "%s: counts %s" % (name, c))
    check(c.get("bytes_body") == n * body, "%s: body bytes %s, want %d" %
          (name, c.get("bytes_body"), n * body))
    check(sum(errs.values()) == 0, "%s: errors %s %s" %
          (name, errs, r.get("error_messages")))
    check(r.get("protocol") == proto, "%s: protocol %r, want %r" %
          (name, r.get("protocol"), proto))
    h2 = r.get("http2") or {}
    check(h2.get("streams_per_connection") == streams,
          "%s: http2 %s, want %d streams" % (name, h2, streams))
    check(r.get("latency", {}).get("count") == n,
          "%s: latency samples %s" % (name, r.get("latency", {}).get("count")))
    check(hbtest.validate(out)[0] == 0, "%s: report not valid" % name)
    return r


class Nghttpd:
    def __init__(self, root, tls=None):
        self.port = free_port()
        cmd = ["nghttpd", "--address=127.0.0.1", "-d", root, str(self.port)]
        if tls:
            cmd += [tls[0], tls[1]]
        else:
            cmd.insert(1, "--no-tls")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.up = wait_port(self.port)


class Nginx:
    """One nginx, no master, with the listeners the cases need."""

    def __init__(self, d, root, chain, key):
        self.dir = d
        self.ports = {k: free_port() for k in ("h2c", "h2", "h1", "limit")}
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        conf = os.path.join(d, "nginx.conf")
        temps = "".join("  %s_temp_path %s/tmp;\n" % (t, d) for t in
                        ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        with open(conf, "w") as f:
            f.write("""worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
%(temps)s  server {
    listen 127.0.0.1:%(h2c)d http2;
    listen 127.0.0.1:%(h2)d ssl http2;
    listen 127.0.0.1:%(h1)d ssl;
    ssl_certificate %(chain)s;
    ssl_certificate_key %(key)s;
    root %(root)s;
    location /rst { return 444; }
  }
  server {
    listen 127.0.0.1:%(limit)d http2;
    keepalive_requests 20;
    http2_max_concurrent_streams 4;
    root %(root)s;
  }
}
""" % dict(self.ports, d=d, temps=temps, chain=chain, key=key, root=root))
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen(
            [exe, "-c", conf, "-g", "daemon off; master_process off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.up = all(wait_port(p) for p in self.ports.values())


def case_nghttpd(build, tmp, root, certs):
    plain = os.path.join(build, "httpsbench-plain")
    srv = Nghttpd(root)
    if check(srv.up, "nghttpd h2c did not start"):
        url = "http://127.0.0.1:%d/1k" % srv.port
        for m, n in ((1, 200), (100, 2000)):
            p, rep, out = run(plain, [url, "--http2", "-m", str(m), "-c",
                                      "2", "-n", str(n), "--timeout", "10"],
                              tmp)
            all_answered("nghttpd h2c -m %d" % m, p, rep, out, n, 1024,
                         "h2c", m)
        # a bigger body over several DATA frames, two threads
        p, rep, out = run(plain, ["http://127.0.0.1:%d/100k" % srv.port,
                                  "--http2", "-m", "10", "-c", "4", "-t",
                                  "2", "-n", "400"], tmp)
        all_answered("nghttpd h2c 100k", p, rep, out, 400, 100000, "h2c",
                     10)
        # -d: bounded by time; the same counters agree
        p, rep, out = run(plain, [url, "--http2", "-m", "8", "-c", "2",
                                  "-d", "0.5"], tmp)
        r = result(rep)
        c = r.get("counts", {})
        check(p.returncode == 0 and c.get("responses_2xx", 0) > 0 and
              c.get("bytes_body") == 1024 * c.get("responses_2xx", -1) and
              sum(r.get("errors", {"x": 1}).values()) == 0,
              "nghttpd h2c -d: exit %d counts %s" % (p.returncode, c))
        # open loop: latency from the schedule, the rate reached
        p, rep, out = run(plain, [url, "--http2", "-m", "4", "-c", "2",
                                  "-R", "400", "-d", "1"], tmp)
        r = result(rep)
        c = r.get("counts", {})
        check(p.returncode == 0 and 300 <= c.get("responses_2xx", 0) <= 402
              and r.get("params", {}).get("model") == "open",
              "nghttpd h2c -R 400: exit %d counts %s" % (p.returncode, c))
        # 404 is a status error, never a latency sample
        p, rep, out = run(plain, ["http://127.0.0.1:%d/none" % srv.port,
                                  "--http2", "-m", "4", "-c", "1", "-n",
                                  "20"], tmp)
        r = result(rep)
        check(p.returncode == 1 and r.get("errors", {}).get("status") == 20
              and r.get("latency", {}).get("count", 0) == 0,
              "nghttpd 404: exit %d errors %s" % (p.returncode,
                                                  r.get("errors")))
    stop(srv.proc)
    chain = os.path.join(certs, "chain.pem")
    key = os.path.join(certs, "key.pem")
    ca = os.path.join(certs, "root.pem")
    srv = Nghttpd(root, (key, chain))
    if check(srv.up, "nghttpd TLS did not start"):
        url = "https://localhost:%d/1k" % srv.port
        for b in TLS_ENGINES:
            exe = os.path.join(build, "httpsbench-" + b)
            if not os.path.exists(exe):
                continue
            for m, n in ((1, 100), (100, 1000)):
                p, rep, out = run(exe, [url, "--cacert", ca, "--http2", "-m",
                                        str(m), "-c", "2", "-n", str(n)],
                                  tmp)
                r = all_answered("nghttpd TLS %s -m %d" % (b, m), p, rep,
                                 out, n, 1024, "h2", m)
                check((r.get("tls") or {}).get("version") in
                      ("TLSv1.2", "TLSv1.3"), "nghttpd TLS %s: tls %s" %
                      (b, r.get("tls")))
    stop(srv.proc)


def case_nginx(build, tmp, root, certs):
    plain = os.path.join(build, "httpsbench-plain")
    ossl = os.path.join(build, "httpsbench-openssl")
    ca = os.path.join(certs, "root.pem")
    ngx = Nginx(os.path.join(tmp, "nginx"), root,
                os.path.join(certs, "chain.pem"),
                os.path.join(certs, "key.pem"))
    if not check(ngx.up, "nginx did not start"):
        stop(ngx.proc)
        return
    P = ngx.ports
    for m, n in ((1, 200), (100, 3000)):
        p, rep, out = run(plain, ["http://127.0.0.1:%d/1k" % P["h2c"],
                                  "--http2", "-m", str(m), "-c", "2", "-n",
                                  str(n)], tmp)
        all_answered("nginx h2c -m %d" % m, p, rep, out, n, 1024, "h2c", m)
    if os.path.exists(ossl):
        for m, n in ((1, 200), (100, 2000)):
            p, rep, out = run(ossl, ["https://localhost:%d/1k" % P["h2"],
                                     "--cacert", ca, "--http2", "-m",
                                     str(m), "-c", "2", "-n", str(n)], tmp)
            all_answered("nginx TLS -m %d" % m, p, rep, out, n, 1024, "h2",
                         m)
        # no h2 on that port: ALPN says http/1.1, the run stops at once
        p, rep, out = run(ossl, ["https://localhost:%d/1k" % P["h1"],
                                 "--cacert", ca, "--http2", "-c", "2",
                                 "-d", "30"], tmp, timeout=25)
        r = result(rep)
        check(p.returncode == 1 and r.get("errors", {}).get("protocol", 0)
              >= 1 and "http/1.1" in
              r.get("error_messages", {}).get("protocol", "") and
              r.get("counts", {}).get("responses", 1) == 0 and
              r.get("protocol") is None and "ALPN" in p.stderr and
              r.get("elapsed_s", 99) < 20,
              "nginx without h2: exit %d errors %s %s" %
              (p.returncode, r.get("error_messages"), p.stderr.strip()))
    # keepalive_requests 20: GOAWAY (NO_ERROR) every 20 streams, the run
    # goes on over new connections; at most 4 streams at once
    p, rep, out = run(plain, ["http://127.0.0.1:%d/1k" % P["limit"],
                              "--http2", "-m", "100", "-c", "2", "-n",
                              "300"], tmp)
    r = all_answered("nginx GOAWAY/limit", p, rep, out, 300, 1024, "h2c", 4)
    check(r.get("goaways", 0) >= 10 and
          r.get("counts", {}).get("connections", 0) >= 12 and
          (r.get("http2") or {}).get("server_max_streams") == 4,
          "nginx GOAWAY/limit: goaways %s counts %s http2 %s" %
          (r.get("goaways"), r.get("counts"), r.get("http2")))
    # return 444: nginx resets the stream; counted by code, no latency
    p, rep, out = run(plain, ["http://127.0.0.1:%d/rst" % P["h2c"],
                              "--http2", "-m", "2", "-c", "1", "-n", "10"],
                      tmp)
    r = result(rep)
    codes = r.get("stream_resets", {})
    check(p.returncode == 1 and
          r.get("errors", {}).get("stream_reset") == 10 and
          sum(codes.values()) == 10 and r.get("counts", {}).get("requests")
          == 10 and r.get("latency", {}).get("count", 0) == 0 and
          hbtest.validate(out)[0] == 0,
          "nginx 444: exit %d errors %s resets %s" %
          (p.returncode, r.get("errors"), codes))
    stop(ngx.proc)


def case_broken(build, tmp):
    plain = os.path.join(build, "httpsbench-plain")
    # never answers: each stream times out, is reset, is one timeout
    srv = Server(silent)
    p, rep, out = run(plain, ["http://127.0.0.1:%d/" % srv.port, "--http2",
                              "-m", "2", "-c", "1", "-n", "4", "--timeout",
                              "0.3"], tmp, timeout=30)
    r = result(rep)
    check(p.returncode == 1 and r.get("errors", {}).get("timeout") == 4 and
          r.get("counts", {}).get("requests") == 4 and r.get("protocol")
          is None, "silent: exit %d errors %s counts %s" %
          (p.returncode, r.get("errors"), r.get("counts")))
    srv.close()
    # closes after the preface: a read error, no protocol negotiated
    srv = Server(close_at_once)
    p, rep, out = run(plain, ["http://127.0.0.1:%d/" % srv.port, "--http2",
                              "-c", "1", "-n", "3"], tmp, timeout=30)
    r = result(rep)
    e = r.get("errors", {})
    check(p.returncode == 1 and e.get("read", 0) + e.get("reset", 0) == 3
          and r.get("counts", {}).get("responses") == 0,
          "closing: exit %d errors %s" % (p.returncode, e))
    srv.close()


def case_ours(build, tmp):
    """Our load generator against our own server, h2c and h2."""
    for b, scheme, proto in (("plain", "http", "h2c"),
                             ("openssl", "https", "h2")):
        exe = os.path.join(build, "httpsbench-" + b)
        if not os.path.exists(exe):
            continue
        srv = Engine(build, b)
        if check(srv.port and (srv.ca or scheme == "http"),
                 "our %s server did not start" % b):
            url = "%s://127.0.0.1:%d/bytes/1024" % (scheme, srv.port)
            extra = ["--cacert", srv.ca] if srv.ca else []
            for m, n in ((1, 200), (100, 2000)):
                p, rep, out = run(exe, [url, "--http2", "-m", str(m), "-c",
                                        "2", "-n", str(n)] + extra, tmp)
                all_answered("our %s server -m %d" % (b, m), p, rep, out, n,
                             1024, proto, m)
        srv.stop()


def case_usage(build, tmp):
    plain = os.path.join(build, "httpsbench-plain")
    out = os.path.join(tmp, "never.json")
    for args, want in (
            (["--http2", "-m", "0"], "-m"),
            (["--http2", "-m", "1001"], "-m"),
            (["--http2", "-m", "x"], "-m"),
            (["--http2", "--streams"], "needs a value"),
            (["-m", "4"], "--http2"),
            (["--http2", "--close"], "--http2"),
            (["--http2", "--pipeline", "2"], "--http2"),
            (["--http2", "--hold", "1"], "--http2")):
        p = subprocess.run([plain, "load", "http://127.0.0.1:9/", "--json",
                            out] + args, capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 2 and p.stderr.count("\n") == 1 and
              want in p.stderr and not p.stdout and
              not os.path.exists(out), "usage %s: exit %d, stderr %r" %
              (args, p.returncode, p.stderr))
    p = subprocess.run([plain, "load", "--help"], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 0 and "--http2" in p.stdout and
          "--streams" in p.stdout and "stream_reset" in p.stdout,
          "load --help documents --http2 and -m")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n")[2])
        return 2
    build = sys.argv[1]
    for tool in ("nghttpd", "nginx"):
        if not (shutil.which(tool) or os.path.exists("/usr/sbin/" + tool)):
            check(False, "%s missing (scripts/lib/deps.sh installs it)" %
                  tool)
            return hbtest.finish("load_h2")
    tmp = tempfile.mkdtemp(prefix="hb-load-h2.")
    try:
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        with open(os.path.join(root, "1k"), "wb") as f:
            f.write(os.urandom(1024))
        with open(os.path.join(root, "100k"), "wb") as f:
            f.write(os.urandom(100000))
        certs = os.path.join(tmp, "certs")
        g = subprocess.run(["bash", os.path.join(SRC, "scripts", "gen-certs"),
                            certs, "ecdsa-p256"], capture_output=True,
                           text=True, timeout=120)
        if check(g.returncode == 0, "gen-certs: %s" % g.stderr[-300:]):
            certs = os.path.join(certs, "ecdsa-p256")
            for case in (case_usage, case_broken):
                case(build, tmp)
            case_nghttpd(build, tmp, root, certs)
            case_ours(build, tmp)
            case_nginx(build, tmp, root, certs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return hbtest.finish("load_h2")


if __name__ == "__main__":
    sys.exit(main())
