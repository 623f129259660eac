#!/usr/bin/env bash
# httpsbench load --client-hosts and throughput --hosts (issue #16):
# hosts stood in for by network namespaces on a private bridge, each with
# its own OpenSSH server (Debian's sshd, a key made for the test, port
# 2222 on the namespace's own address): a server namespace s and three
# client namespaces c1..c3.
#
# usage: remote_test.sh BUILD_DIR     (root; exit 77 = skipped, says why)
#        remote_test.sh BUILD_DIR demo    (the demonstration of D1, not a
#                                          test; scripts/demo-hosts)
#
# Checks: three clients over ssh, merged: requests add up, and equal what
# the server counted; every host's clock offset and start are reported;
# throughput from a host file (server in s, clients in c1..c3): every
# run's merged count is the sum of the hosts' and the server's own count,
# the merged percentiles those of the union of the hosts' histograms,
# server_util and bound recorded, the server host's steal and CPU busy
# share over each window, each client host's over its own window (and
# load --client-hosts' hosts'), the remote server gone after the run;
# a client host held to 30% of a CPU (cgroup v1 cpu controller, its sshd
# moved in): the cgroup's quota, the load engine started over ssh in it,
# the run complete and merged exactly (the demo mode, D1, compares one
# such client host with three);
# handshake from the host file: every phase's merged connections the sum
# of the hosts', its samples their union, its median and percentiles the
# union's, the server's connection count the clients', resumed counts
# summed; a client namespace killed mid-handshake: partial, named, the
# other host's connections kept, nothing left running; its coordinator
# killed: its remote server and client stop;
# killing one client namespace mid-run gives a partial report naming that
# host, the others kept, nothing left running in their namespaces (load
# and throughput); a coordinator killed with SIGKILL leaves no engine or
# server running (each stops at EOF on its ssh input); an unreachable
# server host is named (exit 1); remote check: engines, CPUs, pinning and
# clocks of two hosts, a host without the engines (a tmpfs over the build
# directory in its own mount namespace) named, then sent with --copy;
# the same through pdsh (--fanout pdsh, --copy by pdcp; skipped, saying
# so, without pdsh), auto choosing it, and ssh to each host when the ssh
# command is not ssh;
# a host whose clock is 2.5 s ahead (a date wrapper: time namespaces
# cannot shift the real-time clock; the test says whether they exist)
# shows that offset within its stated uncertainty;
# handshake over hosts verifying the server (a set naming the server
# namespace's address), capacity mode, --mtls, a wrong CA, --insecure
# recorded (H4-H7);
# bad usage is one line and exit 2. No
# timing is asserted. Everything made is removed on exit.
set -u
B=$(cd "${1:?usage: remote_test.sh BUILD_DIR}" && pwd)
FE=$B/httpsbench
pass=0 fail=0
check() { # check CONDITION-EXIT-STATUS WHAT
  if [ "$1" = 0 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $2"; fi
}
skip() { echo "remote: skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "no ip (iproute2)"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (Debian: openssh-server)"
command -v ssh-keygen >/dev/null || skip "no ssh-keygen"

P=hbr$$                       # names: namespaces, bridge, veths
NET=10.$((200 + $$ % 50)).$(($$ % 250)).
T=$(mktemp -d /tmp/hb-remote.XXXXXX)
cleanup() {
  local ns
  exec 2>/dev/null # the shell's "Killed" notes of the background jobs
  for ns in s c1 c2 c3; do
    ip netns pids $P$ns 2>/dev/null | xargs -r kill -9 2>/dev/null
  done
  sleep 0.2
  for ns in s c1 c2 c3; do ip netns del $P$ns 2>/dev/null; done
  ip link del ${P}b 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip link add ${P}b type bridge || skip "cannot make a bridge"
ip addr add ${NET}1/24 dev ${P}b && ip link set ${P}b up
n=10
for ns in s c1 c2 c3; do
  ip netns add $P$ns || skip "cannot make network namespaces"
  ip link add $P${ns}a type veth peer name $P${ns}z
  ip link set $P${ns}z netns $P$ns
  ip link set $P${ns}a master ${P}b up
  ip netns exec $P$ns ip link set lo up
  ip netns exec $P$ns ip addr add $NET$n/24 dev $P${ns}z
  ip netns exec $P$ns ip link set $P${ns}z up
  n=$((n + 1))
done
# s: ${NET}10, c1..c3: ${NET}11..13

ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" -C hb-test-host
ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C hb-test-client
cp "$T/id.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
mkdir -p /run/sshd
for i in 0 1 2 3; do
  cat >"$T/sshd$i.conf" <<EOF
Port 2222
ListenAddress ${NET}1$i
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd$i.pid
LogLevel ERROR
EOF
  ns=c$i
  [ $i = 0 ] && ns=s
  ip netns exec $P$ns /usr/sbin/sshd -f "$T/sshd$i.conf" -D -e \
    2>"$T/sshd$i.log" &
done
SSH="ssh -F /dev/null -i $T/id -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
HOSTS=root@${NET}11,root@${NET}12,root@${NET}13
for i in 0 1 2 3; do
  for _ in $(seq 50); do
    $SSH root@${NET}1$i true </dev/null 2>/dev/null && break
    sleep 0.1
  done
  $SSH root@${NET}1$i true </dev/null 2>"$T/ssh$i.err"
  check $? "ssh into namespace $i: $(cat "$T/ssh$i.err" "$T/sshd$i.log")"
done

ip netns exec ${P}s "$B/httpsbench-plain" server --listen ${NET}10:0 \
  >"$T/srv.out" 2>"$T/srv.err" &
SRV=$!
for _ in $(seq 50); do
  grep -q 'listening on' "$T/srv.out" 2>/dev/null && break
  sleep 0.1
done
PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$T/srv.out")
[ -n "$PORT" ]
check $? "server listening in its namespace"
URL=http://${NET}10:$PORT/bytes/1024

server_requests() { # the server's cumulative request count (SIGUSR1)
  local before
  before=$(grep -c '"snapshot"' "$T/srv.out")
  kill -USR1 $SRV
  for _ in $(seq 50); do
    [ "$(grep -c '"snapshot"' "$T/srv.out")" -gt "$before" ] && break
    sleep 0.1
  done
  grep '"snapshot"' "$T/srv.out" | tail -1 |
    sed 's/.*"requests":\([0-9]*\).*/\1/'
}

engines_in() { # engine processes left in a namespace: NS [ERE]
  local p c=0
  for p in $(ip netns pids "$1" 2>/dev/null); do
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null |
      grep -Eq "${2:-httpsbench-plain load}" &&
      c=$((c + 1))
  done
  echo $c
}
SRVPAT='httpsbench-[a-z0-9.-]+ server'   # the test's own server is one

# D1. CPU budgets for client hosts (cgroup v1's cpu controller): a
# cgroup per name under /sys/fs/cgroup/cpu with cpu.cfs_period_us 100000
# and cpu.cfs_quota_us QUOTA; a namespace's listening sshd moved into it,
# so every session and engine started over ssh there inherits the budget.
# Removed on exit. Used by Q1 (the check) and by the demonstration:
# `remote_test.sh BUILD demo` (scripts/demo-hosts) runs, for one library
# and one set of settings, throughput over one client host and over
# three, each client host held to HB_DEMO_QUOTA% (default 30) of a CPU,
# prints both runs' server_util, client utils, bound and merged p50/p99,
# checks that every run's merged percentiles are those recomputed from
# the hosts' histograms, and stops there.
CGROOT=/sys/fs/cgroup/cpu
CGS=
cg_ok() { [ -w "$CGROOT" ] && [ -f "$CGROOT/cpu.cfs_quota_us" ]; }
cg_make() { # cg_make NAME QUOTA_US: the cgroup with that budget
  mkdir "$CGROOT/$1" && CGS="$CGS $1" &&
    echo 100000 >"$CGROOT/$1/cpu.cfs_period_us" &&
    echo "$2" >"$CGROOT/$1/cpu.cfs_quota_us"
}
sshd_pid() { # the listening sshd of config N (sshdN.conf)
  local p
  p=$(cat "$T/sshd$1.pid" 2>/dev/null)
  if [ -z "$p" ]; then
    p=$(pgrep -f "sshd -f $T/sshd$1.conf" | head -1)
  fi
  echo "$p"
}
cg_cleanup() {
  local g p k
  for g in $CGS; do
    for k in $(seq 20); do
      for p in $(cat "$CGROOT/$g/cgroup.procs" 2>/dev/null); do
        echo "$p" >"$CGROOT/cgroup.procs" 2>/dev/null
      done
      rmdir "$CGROOT/$g" 2>/dev/null && break
      sleep 0.1
    done
  done
}
trap 'cleanup; cg_cleanup' EXIT

if [ "${2:-}" = demo ]; then
  quota=${HB_DEMO_QUOTA:-30}
  secs=${HB_DEMO_SECONDS:-5}
  reps=${HB_DEMO_REPS:-3}
  conns=${HB_DEMO_CONNS:-16}
  lib=${HB_DEMO_BACKEND:-}
  if [ -z "$lib" ]; then
    lib=plain
    [ -x "$B/httpsbench-openssl" ] && lib=openssl
  fi
  cg_ok || { echo "demo: no writable cgroup v1 cpu controller at $CGROOT"; exit 1; }
  for i in 1 2 3; do
    cg_make ${P}c$i $((quota * 1000)) &&
      echo "$(sshd_pid $i)" >"$CGROOT/${P}c$i/cgroup.procs" ||
      { echo "demo: cannot give client host c$i its CPU budget"; exit 1; }
  done
  # the clients verify the server: a set naming its address, as V1
  export HTTPSBENCH_CERT_DIR=$T/certs
  bash "$(dirname "$0")/../scripts/gen-certs" --san "IP:${NET}10" \
    "$HTTPSBENCH_CERT_DIR" ecdsa-p256 >/dev/null 2>"$T/gc.err" ||
    { echo "demo: no certificate set: $(cat "$T/gc.err")"; exit 1; }
  printf 'server root@%s10\nclient root@%s11\n' "$NET" "$NET" >"$T/hosts1"
  printf 'server root@%s10\n' "$NET" >"$T/hosts3"
  printf 'client root@%s1%d\n' "$NET" 1 "$NET" 2 "$NET" 3 >>"$T/hosts3"
  args="--backend $lib --modes keepalive --sizes 1k -c $conns --pipeline 1 -d $secs --warmup 1 --repetitions $reps"
  [ -n "${HB_DEMO_CLIENT:-}" ] && args="$args --client-backend $HB_DEMO_CLIENT"
  echo "demo: server namespace pinned to CPU 0; client namespaces pinned to CPU 1, each held to $quota% of a CPU (cgroup v1 cpu.cfs_quota_us $((quota * 1000)) per 100000)"
  echo "demo: throughput $args"
  rc=0
  for k in 1 3; do
    echo "demo: $k client host(s)..."
    # shellcheck disable=SC2086
    timeout 900 "$FE" throughput $args --hosts "$T/hosts$k" --ssh "$SSH" \
      --json "$T/d$k.json" >"$T/d$k.out" 2>"$T/d$k.err" ||
      { rc=1; echo "demo: the run over $k client host(s) failed:"; tail -20 "$T/d$k.err"; }
  done
  [ -n "${HB_KEEP:-}" ] && cp "$T"/d?.json "$T"/d?.out "$T"/d?.err "$HB_KEEP"/
  /usr/bin/python3 - "$T/d1.json" "$T/d3.json" "$(dirname "$0")" "$quota" <<'EOF' || rc=1
import json, statistics, sys
sys.path.insert(0, sys.argv[3])
from merge_test import union, percentile_us, close  # noqa: E402
quota, bad = sys.argv[4], []
def med(s):
    v = [x for x in (s or {}).get("samples", []) if isinstance(x, (int, float))]
    return statistics.median(v) if v else float("nan")
for path in sys.argv[1:3]:
    try:
        rep = json.load(open(path))
    except (OSError, ValueError) as e:
        bad.append("%s: %s" % (path, e))
        continue
    for r in [r for r in rep["results"] if r["suite"] == "throughput"]:
        runs = r.get("remote", {}).get("runs", [])
        nh = len(runs[0]["hosts"]) if runs else 0
        print("\n%s %s, %d client host(s) at %s%% of a CPU each: %s" % (
            r["backend"], r["name"], nh, quota, r["status"]))
        if r["status"] != "ok":
            bad.append("%s %s: %s" % (r["backend"], r["name"], r.get("error")))
            continue
        print("  requests/s %.0f  server_util %.2f (runs %s)  client_util %.2f "
              "(the busiest)  bound %s: %s" % (
                  r["stats"]["median"], med(r["server_util"]),
                  " ".join("%.2f" % x for x in r["server_util"]["samples"]),
                  med(r["client_util"]), r["bound"], r["bound_reason"]))
        for k, run in enumerate(runs):
            hs = run["hosts"]
            u = union([h["latency_histogram"] for h in hs])
            exact = all(close(run["latency"][p], percentile_us(u, q))
                        for p, q in (("p50", 50), ("p90", 90), ("p99", 99)))
            exact = exact and run["latency"]["histogram"]["total"] == u[1] \
                and run["requests"] == sum(h["requests"] for h in hs)
            if not exact:
                bad.append("%s %s run %d: merged percentiles or counts are not "
                           "the hosts' union's" % (r["backend"], r["name"], k + 1))
            print("  run %d: server_util %.2f  client utils %s  merged p50 %.1f us "
                  "p99 %.1f us (from the hosts' histograms: p50 %.1f p99 %.1f: %s)" % (
                      k + 1, run["server"]["util"],
                      " ".join("%s %.2f" % (h["host"].split("@")[-1], h["cpu_util"])
                               for h in hs),
                      run["latency"]["p50"], run["latency"]["p99"],
                      percentile_us(u, 50), percentile_us(u, 99),
                      "exact" if exact else "DIFFERENT"))
print("\n".join("demo: FAIL: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
  echo "demo: $([ $rc = 0 ] && echo 'done' || echo FAILED); the reports (d1.json: one client host, d3.json: three) $([ -n "${HB_KEEP:-}" ] && echo "are in $HB_KEEP" || echo "are removed on exit (scripts/demo-hosts --keep DIR keeps them)")"
  exit $rc
fi

# 1. three clients, merged
r0=$(server_requests)
timeout 120 "$FE" load --backend plain "$URL" --client-hosts "$HOSTS" \
  --ssh "$SSH" -c 2 -n 2000 --json "$T/r.json" >"$T/r.out" 2>"$T/r.err"
check $? "three client hosts: exit 0: $(cat "$T/r.err")"
r1=$(server_requests)
/usr/bin/python3 - "$T/r.json" "$((r1 - r0))" "$NET" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
served, net = int(sys.argv[2]), sys.argv[3]
bad = []
r = rep["results"][0]
hosts = r["remote"]["hosts"]
if r["status"] != "ok": bad.append("status %s" % r["status"])
if r["counts"]["requests"] != 6000: bad.append("requests %d" % r["counts"]["requests"])
if sum(h["requests"] for h in r["hosts"]) != r["counts"]["requests"]:
    bad.append("hosts' requests do not add up")
if served != r["counts"]["requests"]:
    bad.append("server counted %d, clients %d" % (served, r["counts"]["requests"]))
if [h["host"] for h in hosts] != ["root@%s1%d" % (net, i) for i in (1, 2, 3)]:
    bad.append("hosts %s" % [h["host"] for h in hosts])
for h in hosts:
    if h["status"] != "ok" or not isinstance(h["clock_offset_ms"], float) \
       or not isinstance(h["started_late_ms"], float):
        bad.append("host entry %s" % h)
if r["remote"]["partial"] or not isinstance(r["remote"]["start_skew_ms"], float):
    bad.append("remote %s" % r["remote"])
print("\n".join("FAIL: merged report: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "merged report"
/usr/bin/python3 "$(dirname "$0")/../scripts/validate_report.py" "$T/r.json" >"$T/v.out" 2>&1
check $? "schema: $(cat "$T/v.out")"

# V1. the clients over hosts verify the server (issue #16): a
# certificate set whose leaves also name the server namespace's address,
# at the same path for every namespace (they share the filesystem); the
# front end gives the server its files and the clients the root by path
export HTTPSBENCH_CERT_DIR=$T/certs
bash "$(dirname "$0")/../scripts/gen-certs" --san "IP:${NET}10" \
  "$HTTPSBENCH_CERT_DIR" ecdsa-p256 2>"$T/gc.err"
check $? "a certificate set naming ${NET}10: $(cat "$T/gc.err")"

# T1. throughput over hosts: a server namespace and three client
# namespaces from a host file; every run's merged count equals the sum of
# the hosts' counts and what the server counted; the merged percentiles
# are those of the union of the hosts' histograms
cat >"$T/hosts" <<EOF
# a comment, then the hosts
server root@${NET}10
client root@${NET}11
client root@${NET}12

client root@${NET}13
EOF
TPB=plain
[ -x "$B/httpsbench-openssl" ] && TPB=openssl
timeout 240 "$FE" throughput --backend $TPB --hosts "$T/hosts" --ssh "$SSH" \
  --modes keepalive --sizes 1k -c 2 --pipeline 1 --requests 1500 \
  --warmup 0 --repetitions 2 --json "$T/t.json" >"$T/t.out" 2>"$T/t.err"
check $? "throughput over four hosts: exit 0: $(tail -5 "$T/t.err")"
/usr/bin/python3 - "$T/t.json" "$NET" "$TPB" "$(dirname "$0")" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[4])
from merge_test import union, percentile_us, close  # noqa: E402
rep = json.load(open(sys.argv[1]))
net, tpb = sys.argv[2], sys.argv[3]
bad = []
rh = rep.get("remote", {}).get("hosts", [])
want_hosts = [("root@%s1%d" % (net, i), "client") for i in (1, 2, 3)]
want_hosts.append(("root@%s10" % net, "server"))
if [(h["host"], h["role"]) for h in rh] != want_hosts:
    bad.append("report.remote.hosts %s" % rh)
for h in rh:
    if h["status"] != "ok" or not isinstance(h.get("clock_offset_ms"), float):
        bad.append("host %s" % h)
cells = [r for r in rep["results"] if r["suite"] == "throughput"]
want = {"plain", tpb}
if {r["backend"] for r in cells} != want:
    bad.append("backends %s, wanted %s" % ([r["backend"] for r in cells], want))
for r in cells:
    tag = "%s %s" % (r["backend"], r["name"])
    if r["status"] != "ok":
        bad.append("%s: status %s %s" % (tag, r["status"], r.get("error")))
        continue
    if r["bound"] not in ("server", "client", "neither", "unknown", "noise"):
        bad.append("%s: bound %s" % (tag, r["bound"]))
    su = r["server_util"]["samples"]
    if len(su) != 2 or not all(isinstance(x, float) and x > 0 for x in su):
        bad.append("%s: server_util %s" % (tag, su))
    runs = r["remote"]["runs"]
    if len(runs) != 2 or r["remote"]["partial"]:
        bad.append("%s: runs %d partial %s" % (tag, len(runs), r["remote"]["partial"]))
    for k, run in enumerate(runs):
        hs = run["hosts"]
        per = [h.get("requests") for h in hs]
        if per != [1500] * 3:
            bad.append("%s run %d: hosts' requests %s" % (tag, k, per))
        if run["requests"] != sum(p or 0 for p in per):
            bad.append("%s run %d: merged %s != sum %s" % (tag, k, run["requests"], per))
        if run["server"]["requests_run"] != run["requests"]:
            bad.append("%s run %d: server counted %s, clients %s" % (
                tag, k, run["server"]["requests_run"], run["requests"]))
        u = union([h["latency_histogram"] for h in hs])
        for p, q in (("p50", 50), ("p90", 90), ("p99", 99), ("p99_9", 99.9), ("p99_99", 99.99)):
            if p in run["latency"] and not close(run["latency"][p],
                                                 percentile_us(u, q)):
                bad.append("%s run %d: merged %s %s != union's %s" % (
                    tag, k, p, run["latency"][p], percentile_us(u, q)))
        if run["latency"]["histogram"]["total"] != u[1]:
            bad.append("%s run %d: merged total" % (tag, k))
        if not isinstance(run["server"]["util"], float):
            bad.append("%s run %d: server util %s" % (tag, k, run["server"]))
        # the server host's /proc/stat over the window (issue #16)
        st, busy = run["server"].get("host_steal_s"), run["server"].get("host_cpu_busy")
        if not (isinstance(st, (int, float)) and st >= 0 and
                isinstance(busy, (int, float)) and 0 <= busy <= 1.01):
            bad.append("%s run %d: server host noise %s" % (tag, k, run["server"]))
    sb = r["server_cpu_busy"]["samples"]
    if len(sb) != 2 or not all(isinstance(x, float) for x in sb) or \
       not isinstance(r["steal_s"], (int, float)):
        bad.append("%s: server_cpu_busy %s steal_s %s" % (tag, sb, r["steal_s"]))
print("\n".join("FAIL: throughput over hosts: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "throughput over hosts: merged counts, server count, percentiles"
/usr/bin/python3 "$(dirname "$0")/../scripts/validate_report.py" "$T/t.json" >"$T/v.out" 2>&1
check $? "throughput schema: $(cat "$T/v.out")"
[ -n "${HB_KEEP:-}" ] && cp "$T/t.json" "$T/t.out" "$T/t.err" "$HB_KEEP"/ # to look at
left=$(engines_in ${P}s "$SRVPAT")
[ "$left" = 1 ]
check $? "throughput's server stopped with its run ($left servers in s)"

# P1. the client hosts' /proc/stat over their own windows (each load
# engine's procstat lines at its marks): in every throughput run each
# client host's steal_s and cpu_busy; the cell's client_cpu_busy that of
# the busiest client's host; the cell's steal_s the server host's and
# every client host's added up; load --client-hosts: each host's too
/usr/bin/python3 - "$T/t.json" "$T/r.json" <<'EOF'
import json, math, sys
bad = []
def num(x, lo, hi):
    return isinstance(x, (int, float)) and lo <= x <= hi
rep = json.load(open(sys.argv[1]))
for r in [r for r in rep["results"] if r["suite"] == "throughput"]:
    tag = "%s %s" % (r["backend"], r["name"])
    steal = 0.0
    for k, run in enumerate(r["remote"]["runs"]):
        hs = run["hosts"]
        for h in hs:
            if not (num(h.get("steal_s"), 0, 1e6) and num(h.get("cpu_busy"), 0, 1.01)):
                bad.append("%s run %d: %s steal_s %s cpu_busy %s" % (
                    tag, k, h["host"], h.get("steal_s"), h.get("cpu_busy")))
        steal += run["server"]["host_steal_s"] + sum(h.get("steal_s") or 0 for h in hs)
        busiest = max(hs, key=lambda h: h["cpu_util"])
        cb = r["client_cpu_busy"]["samples"][k]
        if not (isinstance(cb, float) and math.isclose(cb, busiest["cpu_busy"], abs_tol=1e-9)):
            bad.append("%s run %d: client_cpu_busy %s, busiest client's host %s" % (
                tag, k, cb, busiest.get("cpu_busy")))
    if not math.isclose(r["steal_s"], steal, abs_tol=1e-6):
        bad.append("%s: steal_s %s != the hosts' %s" % (tag, r["steal_s"], steal))
for h in json.load(open(sys.argv[2]))["results"][0]["remote"]["hosts"]:
    if not (num(h.get("steal_s"), 0, 1e6) and num(h.get("cpu_busy"), 0, 1.01)):
        bad.append("load --client-hosts: %s steal_s %s cpu_busy %s" % (
            h["host"], h.get("steal_s"), h.get("cpu_busy")))
print("\n".join("FAIL: client hosts' /proc/stat: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "client hosts' steal and CPU busy share over their windows"
"$B/httpsbench-plain" load "$URL" --procstat >"$T/u.out" 2>"$T/u.err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
check $? "load --procstat without --marks: exit 2 and one line ($rc: $(cat "$T/u.err"))"

# Q1. a client host with a CPU budget (D1's cgroup, 30% of a CPU): the
# cgroup's files say so, the namespace's sshd and the load engine it
# starts over ssh are in it, and a throughput run over that host and an
# unconstrained one completes and merges exactly (counts, percentiles
# from the union of the hosts' histograms). No timing is asserted.
if cg_ok; then
  cg_make ${P}q 30000
  check $? "a cgroup with a CPU budget"
  [ "$(cat "$CGROOT/${P}q/cpu.cfs_quota_us")" = 30000 ] &&
    [ "$(cat "$CGROOT/${P}q/cpu.cfs_period_us")" = 100000 ]
  check $? "its quota 30000 per period 100000"
  qpid=$(sshd_pid 3)
  echo "$qpid" >"$CGROOT/${P}q/cgroup.procs" &&
    grep -qx "$qpid" "$CGROOT/${P}q/cgroup.procs"
  check $? "c3's sshd ($qpid) in the cgroup"
  timeout 120 "$FE" throughput --backend plain --server-host root@${NET}10 \
    --client-hosts root@${NET}11,root@${NET}13 --ssh "$SSH" \
    --modes keepalive --sizes 1k -c 2 --pipeline 1 -d 2 --warmup 0 \
    --repetitions 1 --json "$T/q.json" >"$T/q.out" 2>"$T/q.err" &
  TP=$!
  seen=no
  for _ in $(seq 200); do
    for p in $(ip netns pids ${P}c3 2>/dev/null); do
      { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null |
        grep -Eq 'httpsbench-plain load' &&
        grep -q ":/${P}q\$" "/proc/$p/cgroup" 2>/dev/null && seen=yes
    done
    [ $seen = yes ] && break
    sleep 0.05
  done
  wait $TP
  check $? "throughput over a host with a CPU budget: exit 0: $(tail -3 "$T/q.err")"
  [ $seen = yes ]
  check $? "the load engine started over ssh is in the host's cgroup"
  /usr/bin/python3 - "$T/q.json" "$(dirname "$0")" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[2])
from merge_test import union, percentile_us, close  # noqa: E402
bad = []
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["suite"] == "throughput"][0]
if r["status"] != "ok":
    bad.append("status %s %s" % (r["status"], r.get("error")))
else:
    for run in r["remote"]["runs"]:
        hs = run["hosts"]
        u = union([h["latency_histogram"] for h in hs])
        if len(hs) != 2 or run["requests"] != sum(h["requests"] for h in hs) or \
           run["latency"]["histogram"]["total"] != u[1]:
            bad.append("counts %s" % [h.get("requests") for h in hs])
        for p, q in (("p50", 50), ("p90", 90), ("p99", 99)):
            if not close(run["latency"][p], percentile_us(u, q)):
                bad.append("%s %s != union's %s" % (p, run["latency"][p], percentile_us(u, q)))
print("\n".join("FAIL: run over a host with a CPU budget: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
  check $? "the run over a host with a CPU budget merges exactly"
  echo "$qpid" >"$CGROOT/cgroup.procs" &&
    ! grep -qx "$qpid" "$CGROOT/${P}q/cgroup.procs"
  check $? "c3's sshd back out of the cgroup"
else
  echo "remote: no writable cgroup v1 cpu controller ($CGROOT): CPU budgets not tested"
fi

# H1. handshake over hosts: the server engine in s, the handshake engine
# in c1..c3 at once; every phase merged from the union of the hosts'
# samples: the merged connections are the sum of the hosts', the merged
# samples their union, its median and histogram percentiles those of the
# union; the server counted every connection the clients made; the
# achieved version and counts summed; the server host's CPU per handshake
# (by its own handshake count, which takes in every host's warm-up,
# measured and traced connections: exactly the connections the clients
# made, more than the merged measured ones) and its CPU's busy share;
# the remote server gone after
HSARGS="--tls tcp"
[ "$TPB" = openssl ] && HSARGS="--backend openssl --tls 1.3 --resume ticket"
# shellcheck disable=SC2086
timeout 240 "$FE" handshake $HSARGS --hosts "$T/hosts" --ssh "$SSH" -n 40 \
  --json "$T/h.json" >"$T/h.out" 2>"$T/h.err"
check $? "handshake over four hosts: exit 0: $(tail -5 "$T/h.err")"
/usr/bin/python3 - "$T/h.json" "$NET" "$TPB" <<'EOF'
import json, math, statistics, sys
rep = json.load(open(sys.argv[1]))
net, tpb = sys.argv[2], sys.argv[3]
bad = []
want = ["root@%s1%d" % (net, i) for i in (1, 2, 3)]
rh = rep.get("remote", {}).get("hosts", [])
if [h["host"] for h in rh] != want + ["root@%s10" % net]:
    bad.append("report.remote.hosts %s" % rh)
res = [r for r in rep["results"] if r["suite"] == "handshake"]
if len(res) != 6:
    bad.append("%d results, wanted the 6 phases" % len(res))
main = []  # the result the server's figures go with
def pct(v, q):  # the histogram's percentile within its 0.1% + 1 us
    s = sorted(v)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]
for r in res:
    tag = r["name"]
    if r["status"] != "ok":
        bad.append("%s: status %s %s" % (tag, r["status"], r.get("error")))
        continue
    rm = r["remote"]
    hs = rm["hosts"]
    if [h["host"] for h in hs] != want or rm["partial"]:
        bad.append("%s: hosts %s partial %s" % (tag, [h["host"] for h in hs], rm["partial"]))
        continue
    per = [h["connections_ok"] for h in hs]
    if per != [40] * 3 or r["achieved"]["connections_ok"] != sum(per):
        bad.append("%s: connections %s merged %s" % (tag, per, r["achieved"]["connections_ok"]))
    u = [x for h in hs for x in h["samples"]]
    if sorted(r["samples"]) != sorted(u):
        bad.append("%s: merged samples are not the union" % tag)
    if not math.isclose(r["stats"]["median"], statistics.median(u), rel_tol=1e-9):
        bad.append("%s: median %s != union's %s" % (tag, r["stats"]["median"], statistics.median(u)))
    if r["histogram"]["count"] != len(u):
        bad.append("%s: histogram count %s != %d" % (tag, r["histogram"]["count"], len(u)))
    for p, q in (("p50", 50), ("p90", 90), ("p99", 99)):
        want_v = pct(u, q)
        if abs(r["histogram"][p] - want_v) > want_v * 0.002 + 1.5:
            bad.append("%s: %s %s != union's %s" % (tag, p, r["histogram"][p], want_v))
    if r["name"].endswith("/total") or r["name"].endswith("/tls_handshake"):
        if r.get("server_connections") != r.get("client_connections"):
            bad.append("%s: server counted %s connections, clients made %s" % (
                tag, r.get("server_connections"), r.get("client_connections")))
    if r["name"].endswith("/tls_handshake" if tpb == "openssl" else "/total"):
        main.append(tag)
        # the server host's figures (issue #16): its handshakes (TCP: its
        # connections) are every connection the hosts made, warm-up and
        # traced ones included; the merged count is the measured ones
        srv = r.get("server_handshakes" if tpb == "openssl" else "server_connections")
        if not (isinstance(srv, (int, float)) and
                srv == r.get("client_connections") and
                srv >= r["achieved"]["connections_ok"]):
            bad.append("%s: server's handshakes %s, clients' connections %s, merged %s" % (
                tag, srv, r.get("client_connections"), r["achieved"]["connections_ok"]))
        cpu = r.get("server_cpu_us_per_handshake")
        if not (isinstance(cpu, float) and math.isfinite(cpu) and cpu > 0):
            bad.append("%s: server_cpu_us_per_handshake %s" % (tag, cpu))
        busy = r.get("server_cpu_busy")
        if not (isinstance(busy, (int, float)) and 0 <= busy <= 1.01):
            bad.append("%s: server_cpu_busy %s" % (tag, busy))
    a = r["achieved"]
    if tpb == "openssl":
        if a["version"] != "TLSv1.3" and a["version"] != "1.3":
            bad.append("%s: achieved version %s" % (tag, a["version"]))
        if a["offered"] != 120 or a["resumed"] > a["offered"] or a["resumed"] < 1:
            bad.append("%s: resumed %s of %s offered" % (tag, a["resumed"], a["offered"]))
if len(main) != 1:
    bad.append("results with the server's figures: %s" % main)
print("\n".join("FAIL: handshake over hosts: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "handshake over hosts: merged counts, union's samples and percentiles"
/usr/bin/python3 "$(dirname "$0")/../scripts/validate_report.py" "$T/h.json" >"$T/v.out" 2>&1
check $? "handshake schema: $(cat "$T/v.out")"
[ -n "${HB_KEEP:-}" ] && cp "$T/h.json" "$T/h.out" "$T/h.err" "$HB_KEEP"/ # to look at
left=$(engines_in ${P}s "$SRVPAT")
[ "$left" = 1 ]
check $? "handshake's server stopped with its case ($left servers in s)"

# H2. a client namespace dies mid-run: every phase is partial and names
# the host, the other hosts' connections are merged, exit 1, nothing left
# running in the other namespaces
# shellcheck disable=SC2086
timeout 240 "$FE" handshake $HSARGS --server-host root@${NET}10 \
  --client-hosts root@${NET}11,root@${NET}12 --ssh "$SSH" -n 1500 \
  --json "$T/hp.json" >"$T/hp.out" 2>"$T/hp.err" &
HS=$!
for _ in $(seq 150); do
  [ "$(engines_in ${P}c2 'httpsbench-[a-z]+ handshake')" -gt 0 ] && break
  sleep 0.1
done
sleep 1
# the host dies: every process in c2 but its listening sshd (later
# checks log in there again)
keep=$(cat "$T/sshd2.pid" 2>/dev/null)
ip netns pids ${P}c2 | grep -vx "${keep:-none}" | xargs -r kill -9
wait $HS
rc=$?
[ $rc = 1 ]
check $? "handshake, a host lost mid-run: exit 1 ($rc): $(tail -3 "$T/hp.err")"
/usr/bin/python3 - "$T/hp.json" "root@${NET}12" "root@${NET}11" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
lost, kept = sys.argv[2], sys.argv[3]
bad = []
res = [r for r in rep["results"] if r["suite"] == "handshake"]
if not res:
    bad.append("no results")
for r in res:
    st = {h["host"]: h for h in r["remote"]["hosts"]}
    if not (r["status"] == "ok" and r["remote"]["partial"] and
            st[lost]["status"] == "error" and st[lost].get("error") and
            st[kept]["status"] == "ok" and
            r["achieved"]["connections_ok"] == st[kept]["connections_ok"] > 0
            and any(lost in w for w in r.get("warnings", []))):
        bad.append("%s: %s" % (r["name"], json.dumps(r["remote"])[:1500]))
print("\n".join("FAIL: partial handshake report: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "the partial handshake results name the lost host and keep the other"
grep -q "partial: .*root@${NET}12" "$T/hp.out"
check $? "the partial handshake run says so ($(tail -2 "$T/hp.out"))"
left="$(engines_in ${P}c1 'httpsbench-[a-z]+ handshake') client, $(engines_in ${P}s "$SRVPAT") servers"
[ "$left" = "0 client, 1 servers" ]
check $? "nothing left running after the partial handshake run ($left)"

# H3. handshake's coordinator killed: the remote server and the client
# engine stop (each at EOF on its ssh input)
# shellcheck disable=SC2086
"$FE" handshake $HSARGS --server-host root@${NET}10 \
  --client-hosts root@${NET}11 --ssh "$SSH" -n 100000 --quiet \
  >/dev/null 2>&1 &
HS=$!
for _ in $(seq 150); do
  [ "$(engines_in ${P}c1 'httpsbench-[a-z]+ handshake')" = 1 ] && break
  sleep 0.1
done
[ "$(engines_in ${P}c1 'httpsbench-[a-z]+ handshake')" = 1 ] &&
  [ "$(engines_in ${P}s "$SRVPAT")" = 2 ]
check $? "handshake's remote server and client running"
kill -9 $HS
wait $HS 2>/dev/null
for _ in $(seq 100); do
  [ "$(engines_in ${P}c1 'httpsbench-[a-z]+ handshake')" = 0 ] &&
    [ "$(engines_in ${P}s "$SRVPAT")" = 1 ] && break
  sleep 0.1
done
left="$(engines_in ${P}c1 'httpsbench-[a-z]+ handshake') client, $(engines_in ${P}s "$SRVPAT") servers"
[ "$left" = "0 client, 1 servers" ]
check $? "handshake's coordinator killed: its server and client stop ($left)"

# H4. handshake capacity mode over hosts (-c/-d): the load engine in
# c1..c3 at once, one start per run; in every run the merged count is
# the sum of the hosts', the rate the sum of the hosts' rates, and the
# server's own count over the whole run at least the merged one (the
# load engine counts its measured window only, not its warm-up: no
# equality to check); the result's count the sum of its runs', its
# samples their rates; TLS verified (params.verify chain)
# shellcheck disable=SC2086
timeout 240 "$FE" handshake $HSARGS --hosts "$T/hosts" --ssh "$SSH" -n 10 \
  -c 2 -d 1 --repetitions 2 --json "$T/hc.json" >"$T/hc.out" 2>"$T/hc.err"
check $? "handshake capacity over hosts: exit 0: $(tail -5 "$T/hc.err")"
/usr/bin/python3 - "$T/hc.json" "$NET" "$TPB" <<'EOF'
import json, math, sys
rep = json.load(open(sys.argv[1]))
net, tpb = sys.argv[2], sys.argv[3]
bad = []
want = ["root@%s1%d" % (net, i) for i in (1, 2, 3)]
cnt = "handshakes" if tpb == "openssl" else "connections"
cap = [r for r in rep["results"] if r["name"].endswith("/capacity")]
if len(cap) != 1:
    bad.append("%d capacity results" % len(cap))
for r in cap:
    if r["status"] != "ok":
        bad.append("status %s %s" % (r["status"], r.get("error")))
        continue
    rm, p = r["remote"], r["params"]
    if rm["partial"] or len(rm["runs"]) != 2 or p["client_hosts"] != 3:
        bad.append("remote partial %s, %d runs, params %s" % (rm["partial"], len(rm["runs"]), p))
    if p["verify"] != ("chain" if tpb == "openssl" else "none") or p["mutual_tls"]:
        bad.append("verify %s mutual_tls %s" % (p["verify"], p["mutual_tls"]))
    for k, run in enumerate(rm["runs"]):
        hs = run["hosts"]
        if [h["host"] for h in hs] != want or any(h["status"] != "ok" for h in hs):
            bad.append("run %d hosts %s" % (k, hs))
            continue
        per = [h[cnt] for h in hs]
        if min(per) < 1 or run[cnt] != sum(per):
            bad.append("run %d: merged %s, hosts %s" % (k, run[cnt], per))
        rates = [h["handshakes_per_s"] for h in hs]
        if not math.isclose(run["handshakes_per_s"], sum(rates), rel_tol=1e-9):
            bad.append("run %d: rate %s, hosts' %s" % (k, run["handshakes_per_s"], rates))
        if not math.isclose(r["samples"][k], run["handshakes_per_s"], rel_tol=1e-9):
            bad.append("run %d: sample %s" % (k, r["samples"][k]))
        srv = run["server"]
        if not (isinstance(srv["run"], (int, float)) and srv["run"] >= run[cnt]):
            bad.append("run %d: the server counted %s in the run, clients %s" % (k, srv["run"], run[cnt]))
        if not isinstance(srv["window"], (int, float)) or srv["counts"] != cnt:
            bad.append("run %d: server %s" % (k, srv))
        cpu = run["server_cpu_us_per_handshake"]
        if not (isinstance(cpu, float) and cpu > 0):
            bad.append("run %d: server CPU per handshake %s" % (k, cpu))
    if r["handshakes"] != sum(run[cnt] for run in rm["runs"]):
        bad.append("handshakes %s, runs' %s" % (r["handshakes"], [run[cnt] for run in rm["runs"]]))
    if tpb == "openssl" and (r["achieved"].get("version") in (None, "") or r["achieved"].get("varied")):
        bad.append("achieved %s" % r["achieved"])
print("\n".join("FAIL: handshake capacity over hosts: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
check $? "handshake capacity over hosts: counts and rates summed exactly"
/usr/bin/python3 "$(dirname "$0")/../scripts/validate_report.py" "$T/hc.json" >"$T/v.out" 2>&1
check $? "handshake capacity schema: $(cat "$T/v.out")"
left=$(engines_in ${P}s "$SRVPAT")
[ "$left" = 1 ]
check $? "handshake capacity's server stopped ($left servers in s)"

if [ "$TPB" = openssl ]; then
  # H5. --mtls over hosts, verification on: latency and capacity mode
  # complete, the server requiring the client certificate
  timeout 240 "$FE" handshake --backend openssl --tls 1.3 --hosts "$T/hosts" \
    --ssh "$SSH" --mtls -n 10 -c 1 -d 0.5 --repetitions 1 \
    --json "$T/hm.json" >"$T/hm.out" 2>"$T/hm.err"
  check $? "handshake --mtls over hosts: exit 0: $(tail -5 "$T/hm.err")"
  /usr/bin/python3 - "$T/hm.json" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
bad = []
for r in rep["results"]:
    if r["suite"] != "handshake":
        continue
    p = r["params"]
    if r["status"] != "ok" or p.get("verify") != "chain" or p.get("mutual_tls") is not True:
        bad.append("%s: %s verify %s mutual_tls %s" % (r["name"], r["status"], p.get("verify"), p.get("mutual_tls")))
    if r["name"].endswith("/tls_handshake") and r["achieved"]["connections_ok"] != 30:
        bad.append("%s: %s connections" % (r["name"], r["achieved"]["connections_ok"]))
    if r["name"].endswith("/capacity") and not r["handshakes"] > 0:
        bad.append("capacity: %s handshakes" % r["handshakes"])
if not any(r["name"].endswith("/capacity") for r in rep["results"]):
    bad.append("no capacity result")
print("\n".join("FAIL: handshake --mtls over hosts: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
  check $? "handshake --mtls over hosts: verified, client certificate, every mode"

  # H6. a wrong trust anchor (another set's root): the clients refuse the
  # server; the run fails, exit non-zero, naming the hosts and the
  # verification
  bash "$(dirname "$0")/../scripts/gen-certs" "$T/other" ecdsa-p256 2>/dev/null
  timeout 240 "$FE" handshake --backend openssl --tls 1.3 --hosts "$T/hosts" \
    --ssh "$SSH" --mtls --cacert "$T/other/ecdsa-p256/root.pem" -n 5 -c 1 \
    -d 0.5 --repetitions 1 --json "$T/hw.json" >"$T/hw.out" 2>"$T/hw.err"
  rc=$?
  [ $rc != 0 ] && grep -qi 'verif' "$T/hw.out" "$T/hw.err" &&
    grep -q "root@${NET}11" "$T/hw.out" "$T/hw.err"
  check $? "handshake with a wrong CA over hosts fails and says so ($rc: $(tail -3 "$T/hw.err"))"
  /usr/bin/python3 - "$T/hw.json" "$NET" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
net = sys.argv[2]
bad = []
for r in rep["results"]:
    if r["suite"] != "handshake":
        continue
    if r["status"] == "ok":
        bad.append("%s: ok with a wrong CA" % r["name"])
    if r["name"].endswith("/capacity"):
        hs = r["remote"]["runs"][0]["hosts"]
        if not all(h["status"] == "error" and "verif" in h["error"].lower() for h in hs):
            bad.append("capacity hosts %s" % hs)
    elif ("root@%s11" % net) not in " ".join(r.get("warnings", [])) or \
            not all(h.get("result_status") == "error" for h in r["remote"]["hosts"]):
        bad.append("%s: hosts not named: %s %s" % (r["name"], r.get("warnings"), r["remote"]["hosts"]))
print("\n".join("FAIL: handshake with a wrong CA: " + b for b in bad))
sys.exit(1 if bad else 0)
EOF
  check $? "the wrong CA's results name the hosts and the failed verification"

  # H7. --insecure over hosts is recorded in every result
  timeout 120 "$FE" handshake --backend openssl --tls 1.3 --hosts "$T/hosts" \
    --ssh "$SSH" --insecure -n 5 --json "$T/hi.json" >"$T/hi.out" 2>"$T/hi.err"
  check $? "handshake --insecure over hosts: exit 0: $(tail -3 "$T/hi.err")"
  /usr/bin/python3 -c '
import json, sys
rs = [r for r in json.load(open(sys.argv[1]))["results"] if r["suite"] == "handshake"]
sys.exit(0 if rs and all(r["params"]["verify"] == "insecure" for r in rs) else 1)' "$T/hi.json"
  check $? "handshake --insecure over hosts: params.verify insecure"
  [ -n "${HB_KEEP:-}" ] && cp "$T"/h[cmwi].* "$HB_KEEP"/ # to look at
else
  echo "remote: H5-H7 skipped: no httpsbench-openssl"
fi

# T5. throughput over hosts verified the server in T1 (params.verify
# chain, TLS); with --insecure it does not, and every cell says so
if [ "$TPB" = openssl ]; then
  timeout 120 "$FE" throughput --backend openssl --hosts "$T/hosts" \
    --ssh "$SSH" --insecure --modes keepalive --sizes 1k -c 1 --pipeline 1 \
    --requests 200 --warmup 0 --repetitions 1 --json "$T/ti.json" \
    >"$T/ti.out" 2>"$T/ti.err"
  check $? "throughput --insecure over hosts: exit 0: $(tail -3 "$T/ti.err")"
  /usr/bin/python3 -c '
import json, sys
def verify(f):
    rs = [r for r in json.load(open(f))["results"] if r["suite"] == "throughput"
          and r["backend"] == "openssl"]
    return set(r["params"].get("verify") for r in rs) if rs else None
t, ti = verify(sys.argv[1]), verify(sys.argv[2])
print("" if (t, ti) == ({"chain"}, {"insecure"}) else
      "FAIL: throughput params.verify: T1 %s, --insecure %s" % (t, ti))
sys.exit(0 if (t, ti) == ({"chain"}, {"insecure"}) else 1)' "$T/t.json" "$T/ti.json"
  check $? "throughput over hosts: verification recorded (chain, insecure)"
fi

# R1. remote check: engines at the same path with the same version,
# CPUs, pinning and clock offsets of a server and a client host
"$FE" remote check root@${NET}10,root@${NET}11 --ssh "$SSH" \
  --backend plain --json "$T/rc.json" >"$T/rc.out" 2>"$T/rc.err"
check $? "remote check: exit 0: $(cat "$T/rc.out" "$T/rc.err")"
/usr/bin/python3 - "$T/rc.json" <<'EOF'
import json, sys
hs = json.load(open(sys.argv[1]))["remote_check"]
ok = len(hs) == 2 and all(
    h["status"] == "ok" and h["engines"]["plain"]["status"] == "same" and
    h["cpus"] >= 1 and isinstance(h["clock_offset_ms"], float) and
    h["taskset"] for h in hs)
if not ok:
    print("FAIL: remote check report: %s" % hs)
sys.exit(0 if ok else 1)
EOF
check $? "remote check report"
# R2. a host whose engine directory is empty (its own mount namespace,
# a tmpfs over the build directory): missing, then --copy sends it
sed -e 's/^Port 2222/Port 2223/' -e "s|^PidFile .*|PidFile $T/sshd9.pid|" \
  "$T/sshd1.conf" >"$T/sshd9.conf"
ip netns exec ${P}c1 unshare -m --propagation private sh -c \
  "mount -t tmpfs hbtest '$B' && exec /usr/sbin/sshd -f '$T/sshd9.conf' -D -e" \
  2>"$T/sshd9.log" &
SSH9=${SSH/-p 2222/-p 2223}
for _ in $(seq 50); do
  $SSH9 root@${NET}11 true </dev/null 2>/dev/null && break
  sleep 0.1
done
$SSH9 root@${NET}11 test ! -e "$B/httpsbench-plain" </dev/null
check $? "a host without the engines (a private mount namespace)"
"$FE" remote check root@${NET}11 --ssh "$SSH9" --backend plain \
  >"$T/rc.out" 2>"$T/rc.err"
rc=$?
[ $rc = 1 ] && grep -q "httpsbench-plain missing" "$T/rc.err"
check $? "remote check: a missing engine is named, exit 1 ($rc: $(cat "$T/rc.err"))"
"$FE" remote check root@${NET}11 --ssh "$SSH9" --backend plain --copy \
  >"$T/rc.out" 2>"$T/rc.err"
rc=$?
[ $rc = 0 ] && $SSH9 root@${NET}11 "'$B/httpsbench-plain' version" \
  </dev/null | grep -q 'kernel TCP'
check $? "remote check --copy: sent and the same now ($rc: $(cat "$T/rc.out" "$T/rc.err"))"

# F1. remote check through pdsh (--fanout pdsh: one pdsh, its ssh module,
# for the clock, the engines and the rest; --copy by pdcp): the same
# result as over ssh, the report says pdsh was used; a host whose engine
# is gone (the tmpfs host of R2) gets it by pdcp. Skipped, saying so,
# where pdsh is not installed (scripts/lib/deps.sh installs it)
if command -v pdsh >/dev/null && command -v pdcp >/dev/null; then
  "$FE" remote check root@${NET}10,root@${NET}11 --ssh "$SSH" \
    --backend plain --fanout pdsh --json "$T/rf.json" >"$T/rf.out" 2>"$T/rf.err"
  check $? "remote check --fanout pdsh: exit 0: $(cat "$T/rf.out" "$T/rf.err")"
  /usr/bin/python3 - "$T/rf.json" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
hs, fan = rep["remote_check"], rep.get("remote_fanout", {})
ok = fan.get("used") == "pdsh" and len(hs) == 2 and all(
    h["status"] == "ok" and h["engines"]["plain"]["status"] == "same" and
    h["cpus"] >= 1 and isinstance(h["clock_offset_ms"], float) and
    h["taskset"] and h["pdcp"] for h in hs)
if not ok:
    print("FAIL: remote check through pdsh: %s %s" % (fan, hs))
sys.exit(0 if ok else 1)
EOF
  check $? "remote check through pdsh: report"
  grep -q '^fan-out: pdsh' "$T/rf.out"
  check $? "remote check says it used pdsh ($(head -1 "$T/rf.out"))"
  $SSH9 root@${NET}11 rm -f "$B/httpsbench-plain" </dev/null
  "$FE" remote check root@${NET}11 --ssh "$SSH9" --backend plain \
    --fanout pdsh --copy --json "$T/rf.json" >"$T/rf.out" 2>"$T/rf.err"
  rc=$?
  [ $rc = 0 ] && grep -q "copying .*(pdcp)" "$T/rf.err" &&
    $SSH9 root@${NET}11 "'$B/httpsbench-plain' version" </dev/null |
    grep -q 'kernel TCP' &&
    grep -q '"copied_by": *"pdcp"' "$T/rf.json"
  check $? "remote check --fanout pdsh --copy: sent by pdcp ($rc: $(cat "$T/rf.out" "$T/rf.err"))"
  # auto takes pdsh when it is here; an ssh command that is not ssh
  # cannot go through pdsh's ssh module: ssh to each, and it says why
  "$FE" remote check root@${NET}10 --ssh "$SSH" --backend plain \
    >"$T/rf.out" 2>"$T/rf.err"
  check $? "remote check, auto fan-out: exit 0 ($(cat "$T/rf.out" "$T/rf.err"))"
  grep -q '^fan-out: pdsh' "$T/rf.out"
  check $? "auto fan-out is pdsh where installed ($(head -1 "$T/rf.out"))"
  printf '#!/bin/sh\nexec ssh "$@"\n' >"$T/myssh"
  chmod 755 "$T/myssh"
  "$FE" remote check root@${NET}10 --ssh "$T/myssh ${SSH#ssh }" \
    --backend plain >"$T/rf.out" 2>"$T/rf.err"
  rc=$?
  [ $rc = 0 ] && grep -q '^fan-out: ssh to each host (.*not ssh' "$T/rf.out"
  check $? "an ssh command pdsh cannot run: ssh to each ($rc: $(cat "$T/rf.out" "$T/rf.err"))"
  "$FE" remote check root@${NET}10 --ssh "$T/myssh" --fanout pdsh \
    >"$T/u.out" 2>"$T/u.err"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
  check $? "--fanout pdsh that cannot be: exit 2 and one line ($rc: $(cat "$T/u.err"))"
else
  echo "remote: pdsh or pdcp not installed (Debian: pdsh): the pdsh fan-out is not tested"
fi
"$FE" remote check a --fanout x >"$T/u.out" 2>"$T/u.err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
check $? "usage 'remote check a --fanout x': exit 2 and one line ($rc: $(cat "$T/u.err"))"

# C1. a host whose clock is 2.5 s ahead shows that offset. Linux time
# namespaces (unshare --time) shift CLOCK_MONOTONIC and CLOCK_BOOTTIME
# only, never CLOCK_REALTIME, which the offsets are of; so the shifted
# clock is a `date` ahead by 2.5 s first on that sshd's PATH (SetEnv)
if unshare --time --monotonic 1000 true 2>/dev/null; then
  echo "remote: time namespaces work here but cannot shift the real-time" \
    "clock: the shifted clock is a date wrapper"
else
  echo "remote: no time namespaces here (unshare --time failed); the" \
    "shifted clock is a date wrapper"
fi
mkdir -p "$T/fakebin"
cat >"$T/fakebin/date" <<'EOF'
#!/bin/sh
/bin/date +%s.%N | awk '{ printf "%.9f\n", $1 + 2.5 }'
EOF
chmod 755 "$T/fakebin/date"
sed -e 's/^Port 2222/Port 2224/' -e "s|^PidFile .*|PidFile $T/sshd8.pid|" \
  "$T/sshd1.conf" >"$T/sshd8.conf"
echo "SetEnv PATH=$T/fakebin:/usr/sbin:/usr/bin:/sbin:/bin" >>"$T/sshd8.conf"
ip netns exec ${P}c1 /usr/sbin/sshd -f "$T/sshd8.conf" -D -e \
  2>"$T/sshd8.log" &
SSH8=${SSH/-p 2222/-p 2224}
for _ in $(seq 50); do
  $SSH8 root@${NET}11 true </dev/null 2>/dev/null && break
  sleep 0.1
done
timeout 120 "$FE" load --backend plain "$URL" --client-hosts root@${NET}11 \
  --ssh "$SSH8" -c 1 -n 100 --json "$T/ck.json" >"$T/ck.out" 2>"$T/ck.err"
check $? "a host with a shifted clock: exit 0: $(tail -n 3 "$T/ck.err" "$T/sshd8.log")"
/usr/bin/python3 - "$T/ck.json" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))["results"][0]["remote"]["hosts"][0]
# the shift is 2500 ms; the offset is known to within its stated
# uncertainty (half the ssh round trip), plus the wrapper's own run
ok = abs(h["clock_offset_ms"] - 2500) <= h["offset_uncertainty_ms"] + 100
print("remote: shifted host's clock offset %.3f ms (+-%.3f)" % (
    h["clock_offset_ms"], h["offset_uncertainty_ms"]))
if not ok:
    print("FAIL: clock offset %s" % h)
sys.exit(0 if ok else 1)
EOF
check $? "the shifted clock's offset is in the report"


# 2. one client namespace dies mid-run: partial, named, others kept
timeout 120 "$FE" load --backend plain "$URL" --client-hosts "$HOSTS" \
  --ssh "$SSH" -c 2 -d 4 --json "$T/p.json" >"$T/p.out" 2>"$T/p.err" &
LD=$!
for _ in $(seq 100); do
  [ "$(engines_in ${P}c2)" -gt 0 ] && break
  sleep 0.1
done
sleep 1
ip netns pids ${P}c2 | xargs -r kill -9
wait $LD
rc=$?
[ $rc = 1 ]
check $? "a host lost mid-run: exit 1 ($rc): $(tail -3 "$T/p.err")"
/usr/bin/python3 - "$T/p.json" "root@${NET}12" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
lost = sys.argv[2]
st = {h["host"]: h for h in r["remote"]["hosts"]}
ok = (r["remote"]["partial"] and st[lost]["status"] == "error"
      and st[lost].get("error") and
      all(h["status"] == "ok" for k, h in st.items() if k != lost) and
      [h["label"] for h in r["hosts"]] == [k for k in st if k != lost] and
      r["counts"]["requests"] > 0 and
      any("partial" in w for w in r["warnings"]))
if not ok:
    print("FAIL: partial report: %s" % json.dumps(r["remote"]))
sys.exit(0 if ok else 1)
EOF
check $? "the partial report names the lost host and keeps the others"
left=$(( $(engines_in ${P}c1) + $(engines_in ${P}c3) ))
[ $left = 0 ]
check $? "nothing left running in the other namespaces ($left)"

# 3. the coordinator killed: every engine stops (EOF on its ssh input)
"$FE" load --backend plain "$URL" --client-hosts root@${NET}11,root@${NET}13 \
  --ssh "$SSH" -c 1 -d 30 >/dev/null 2>&1 &
LD=$!
for _ in $(seq 100); do
  [ "$(( $(engines_in ${P}c1) + $(engines_in ${P}c3) ))" = 2 ] && break
  sleep 0.1
done
[ "$(( $(engines_in ${P}c1) + $(engines_in ${P}c3) ))" = 2 ]
check $? "two remote engines running"
kill -9 $LD
wait $LD 2>/dev/null
for _ in $(seq 100); do
  [ "$(( $(engines_in ${P}c1) + $(engines_in ${P}c3) ))" = 0 ] && break
  sleep 0.1
done
left=$(( $(engines_in ${P}c1) + $(engines_in ${P}c3) ))
[ $left = 0 ]
check $? "coordinator killed: no engine left after 10 s ($left)"

# T2. throughput's coordinator killed: the remote server and client stop
# (each wrapper or engine ends at EOF on its ssh input)
"$FE" throughput --backend plain --server-host root@${NET}10 \
  --client-hosts root@${NET}11 --ssh "$SSH" --modes keepalive --sizes 0 \
  -c 1 -d 30 --warmup 0 --repetitions 1 --quiet >/dev/null 2>&1 &
TP=$!
for _ in $(seq 150); do
  [ "$(engines_in ${P}c1)" = 1 ] && break
  sleep 0.1
done
[ "$(engines_in ${P}c1)" = 1 ] && [ "$(engines_in ${P}s "$SRVPAT")" = 2 ]
check $? "throughput's remote server and client running"
kill -9 $TP
wait $TP 2>/dev/null
for _ in $(seq 100); do
  [ "$(engines_in ${P}c1)" = 0 ] && [ "$(engines_in ${P}s "$SRVPAT")" = 1 ] &&
    break
  sleep 0.1
done
left="$(engines_in ${P}c1) client, $(engines_in ${P}s "$SRVPAT") servers"
[ "$left" = "0 client, 1 servers" ]
check $? "throughput's coordinator killed: its server and client stop ($left)"

# T3. a client namespace dies mid-run: the cell is partial, the report
# names the host, the other host's run is kept, nothing is left running
timeout 120 "$FE" throughput --backend plain --server-host root@${NET}10 \
  --client-hosts root@${NET}11,root@${NET}13 --ssh "$SSH" \
  --modes keepalive --sizes 0 -c 1 -d 4 --warmup 0 --repetitions 1 \
  --json "$T/tp.json" >"$T/tp.out" 2>"$T/tp.err" &
TP=$!
for _ in $(seq 150); do
  [ "$(engines_in ${P}c3)" -gt 0 ] && break
  sleep 0.1
done
sleep 1
ip netns pids ${P}c3 | xargs -r kill -9
wait $TP
rc=$?
[ $rc = 1 ]
check $? "throughput, a host lost mid-run: exit 1 ($rc): $(tail -3 "$T/tp.err")"
/usr/bin/python3 - "$T/tp.json" "root@${NET}13" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
lost = sys.argv[2]
r = [x for x in rep["results"] if x["suite"] == "throughput"][0]
run = r["remote"]["runs"][0]
st = {h["host"]: h for h in run["hosts"]}
ok = (r["status"] == "ok" and r["remote"]["partial"] and run["partial"] and
      st[lost]["status"] == "error" and st[lost].get("error") and
      all(h["status"] == "ok" and h["requests"] > 0
          for k, h in st.items() if k != lost) and
      run["requests"] == sum(h["requests"] for k, h in st.items() if k != lost)
      and any("partial" in w for w in r.get("warnings", [])))
if not ok:
    print("FAIL: partial throughput report: %s" % json.dumps(r)[:3000])
sys.exit(0 if ok else 1)
EOF
check $? "the partial throughput cell names the lost host and keeps the other"
left="$(engines_in ${P}c1) client, $(engines_in ${P}s "$SRVPAT") servers"
[ "$left" = "0 client, 1 servers" ]
check $? "nothing left running after the partial run ($left)"

# T4. a server host that cannot be reached: named, exit 1, no hang
timeout 120 "$FE" throughput --backend plain --server-host root@${NET}99 \
  --client-hosts root@${NET}11 --ssh "$SSH" --modes keepalive --sizes 0 \
  -c 1 -d 1 --repetitions 1 >"$T/tu.out" 2>"$T/tu.err"
rc=$?
[ $rc = 1 ] && grep -q "root@${NET}99" "$T/tu.err"
check $? "unreachable server host: exit 1 and named ($rc: $(tail -2 "$T/tu.err"))"

# 4. usage: one line, exit 2
for args in "--ssh x" "--client-hosts ," "--client-hosts a --start-at 5" \
            "--client curl --client-hosts a"; do
  # shellcheck disable=SC2086
  "$FE" load "$URL" $args >"$T/u.out" 2>"$T/u.err"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
  check $? "usage '$args': exit 2 and one line ($rc: $(cat "$T/u.err"))"
done
for args in "remote" "remote check" "remote frob a" "remote check a b" \
            "remote check a --cpus x" "remote check , --ssh x"; do
  # shellcheck disable=SC2086
  "$FE" $args >"$T/u.out" 2>"$T/u.err"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
  check $? "usage '$args': exit 2 and one line ($rc: $(cat "$T/u.err"))"
done
for args in "--server-host a" "--client-hosts a" "--ssh x" "--requests 5" \
            "--hosts /nonexistent" "--hosts $T/hosts --server-host a" \
            "--hosts $T/sshd1.conf" "--hosts $T/hosts --curl on" \
            "--hosts $T/hosts --rtt 10"; do
  # shellcheck disable=SC2086
  "$FE" throughput $args >"$T/u.out" 2>"$T/u.err"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
  check $? "throughput usage '$args': exit 2 and one line ($rc: $(cat "$T/u.err"))"
done

for args in "--server-host a" "--client-hosts a" "--ssh x" \
            "--hosts /nonexistent" "--hosts $T/hosts --server-host a" \
            "--hosts $T/hosts --connect a:1" "--hosts $T/hosts --rtt 10"; do
  # shellcheck disable=SC2086
  "$FE" handshake $args >"$T/u.out" 2>"$T/u.err"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ]
  check $? "handshake usage '$args': exit 2 and one line ($rc: $(cat "$T/u.err"))"
done

kill $SRV 2>/dev/null
echo "remote: $pass passed, $fail failed"
[ $fail = 0 ]
