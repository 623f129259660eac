"""What the Python test scripts share: the pass/fail tally, running a
command, validating a report against the schema, and the servers and
load runs the load tests use (a threaded TCP server with a handler, our
server engine, free ports, `load` with a report).

    import hbtest
    from hbtest import check
    check(rc == 0, "exit %d" % rc)   # counts, prints FAIL: ... when false
    ...
    return hbtest.finish("load")    # "load: N passed, M failed", 1 or 0

The scripts run as `python3 tests/NAME.py`, so this module, beside them,
is on the import path."""
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATE = os.path.join(SRC, "scripts", "validate_report.py")


class Tally:
    """Counts of checks passed and failed."""

    def __init__(self):
        self.passed = 0
        self.failed = 0


tally = Tally()


def check(cond, what):
    """Counts one check; prints "FAIL: what" when cond is false. Returns
    cond, so a later check can depend on it."""
    if cond:
        tally.passed += 1
    else:
        tally.failed += 1
        print("FAIL: %s" % what, flush=True)
    return cond


def run(argv, timeout=300, text=True, stdin=None):
    """(exit status, stdout, stderr) of argv."""
    p = subprocess.run(list(argv), capture_output=True, text=text,
                       timeout=timeout, stdin=stdin)
    return p.returncode, p.stdout, p.stderr


def validate(path):
    """(exit status, output) of scripts/validate_report.py on path."""
    rc, so, se = run([sys.executable, VALIDATE, path], timeout=120)
    return rc, so + se


def finish(name=None):
    """Prints the tally ("NAME: N passed, M failed") and returns the exit
    status: 1 when a check failed, else 0."""
    print("%s%d passed, %d failed" % (name + ": " if name else "",
                                      tally.passed, tally.failed))
    return 1 if tally.failed else 0


# ---- servers and load runs (load_test.py, load_h2_test.py) ----

# free ports, waiting for one and stopping a process: as the comparison
# scripts do (scripts/lib/refserver.py)
sys.path.insert(0, os.path.join(SRC, "scripts", "lib"))
from refserver import free_port, port_ready, stop  # noqa: E402,F401


def wait_port(port, timeout=20):
    """True once 127.0.0.1:port accepts, False after timeout seconds."""
    return port_ready(port, timeout)


def read_all(sock):
    """Everything sock receives until the peer closes."""
    data = b""
    while True:
        b = sock.recv(65536)
        if not b:
            return data
        data += b


class Server:
    """A TCP server on 127.0.0.1 (port 0), a thread per connection:
    handler(conn, server) does what it wants with conn, which is closed
    after it; server.requests is the handlers' to count."""

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


class Engine:
    """`httpsbench-BACKEND server` on 127.0.0.1 port 0; its first stdout
    line is `listening on HOST:PORT` and, over TLS, ` (CA certificate for
    clients: PATH)`: port and ca (None when not said)."""

    def __init__(self, build, backend, env=None):
        exe = os.path.join(build, "httpsbench-" + backend)
        self.proc = subprocess.Popen([exe, "server", "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.port = self.ca = None
        line = b""
        end = time.monotonic() + 120  # TLS: certificates made first
        fd = self.proc.stdout.fileno()
        while not line.endswith(b"\n") and time.monotonic() < end:
            if select.select([fd], [], [], 0.5)[0]:
                b = os.read(fd, 1)
                if not b:
                    break
                line += b
        words = line.decode("utf-8", "replace").split()
        if len(words) >= 3 and words[:2] == ["listening", "on"]:
            self.port = int(words[2].rsplit(":", 1)[1])
        if "clients:" in words[:-1]:
            self.ca = words[words.index("clients:") + 1].rstrip(")")

    def url(self, path="/", scheme="http", host="127.0.0.1"):
        return "%s://%s:%d%s" % (scheme, host, self.port, path)

    def requests(self):
        """The server's request count, this /__stats request left out."""
        s = socket.create_connection(("127.0.0.1", self.port), 10)
        s.sendall(b"GET /__stats HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        data = read_all(s)
        s.close()
        return json.loads(data.split(b"\r\n\r\n", 1)[1])["requests"] - 1

    def stop(self):
        stop(self.proc, 30)


def run_load(engine, args, tmp, timeout=60, text=False):
    """`ENGINE load ARGS --json TMP/r.json`: (CompletedProcess, the report
    or None, its path); text: stdout and stderr as str, else bytes."""
    out = os.path.join(tmp, "r.json")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([engine, "load"] + args + ["--json", out],
                       capture_output=True, text=text, timeout=timeout)
    rep = None
    if os.path.exists(out):
        with open(out) as f:
            rep = json.load(f)
    return p, rep, out


def result(rep):
    """A load report's first result, {} when there is none."""
    return rep["results"][0] if rep and rep.get("results") else {}
