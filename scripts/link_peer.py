#!/usr/bin/python3
"""Peers for checking the link emulator (httpsbench-link): small servers
and clients run in its namespaces by tests/link_test.py and
scripts/link-validate. Each server prints 'listening on' when ready and
writes its result (JSON) to a file when the client is done or it gets
SIGTERM; each client writes its result to a file.

  link_peer.py sleeper INFO             (server or client) never ends
  link_peer.py listen PORT              (server) listen, never accept
  link_peer.py connects HOST PORT N OUT time N TCP connects to 'listen'
  link_peer.py tcp-sink PORT OUT        accept one connection, time bytes
  link_peer.py tcp-bulk HOST PORT BYTES send BYTES as fast as TCP allows
  link_peer.py udp-sink PORT OUT        count datagrams until SIGTERM
  link_peer.py udp-send HOST PORT N     send N datagrams, numbered
"""
import json
import os
import signal
import socket
import sys
import time


def ready():
    print("listening on", flush=True)


def write(out, obj):
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, out)


def sleeper(info):
    write(info + "." + str(os.getpid()) + ".json", {
        "pid": os.getpid(), "netns": os.readlink("/proc/self/ns/net")})
    ready()
    while True:
        time.sleep(60)


def connects(host, port, n, out):
    times = []
    for _ in range(n):
        s = socket.socket()
        t0 = time.monotonic_ns()
        s.connect((host, port))
        times.append((time.monotonic_ns() - t0) / 1e6)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        time.sleep(0.005)
    write(out, {"connect_ms": times})


def listen(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4096)
    # the kernel completes each handshake itself: no accept() needed,
    # so no server scheduling delay enters the connect time
    ready()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(60)


def tcp_sink(port, out):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(64)
    result = {"stamps": []}

    def done(*_):
        write(out, result)
        sys.exit(0)
    signal.signal(signal.SIGTERM, done)
    ready()
    c, _ = ls.accept()
    try:
        mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    except OSError:
        mss = 0
    total = 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        total += len(b)
        result["stamps"].append((time.monotonic_ns(), total))
    result["bytes"] = total
    result["mss"] = mss
    write(out, result)
    c.close()  # the client ends; we wait for SIGTERM like any server
    while True:
        time.sleep(60)


def tcp_bulk(host, port, nbytes):
    s = socket.create_connection((host, port))
    buf = b"x" * 65536
    left = nbytes
    while left > 0:
        left -= s.send(buf[:min(left, len(buf))])
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the sink closes when it has everything
    s.close()


def udp_sink(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    seen = set()

    def done(*_):
        write(out, {"received": len(seen)})
        sys.exit(0)
    signal.signal(signal.SIGTERM, done)
    ready()
    while True:
        b = s.recv(2048)
        seen.add(int(b[:8]))


def udp_send(host, port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        s.sendto(b"%08d" % i + b"." * 92, (host, port))
        if i % 64 == 63:
            time.sleep(0.0005)  # stay under every buffer on the way
    time.sleep(0.5)  # all delivered before the sink hears SIGTERM


def main(argv):
    role = argv[1] if len(argv) > 1 else ""
    if role == "sleeper":
        sleeper(argv[2])
    elif role == "listen":
        listen(int(argv[2]))
    elif role == "connects":
        connects(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif role == "tcp-sink":
        tcp_sink(int(argv[2]), argv[3])
    elif role == "tcp-bulk":
        tcp_bulk(argv[2], int(argv[3]), int(argv[4]))
    elif role == "udp-sink":
        udp_sink(int(argv[2]), argv[3])
    elif role == "udp-send":
        udp_send(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
