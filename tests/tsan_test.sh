#!/usr/bin/env bash
# ThreadSanitizer run: in a -DHB_TSAN=ON build, our server with 2 worker
# threads under our load generator with 2 threads, over loopback, for plain
# HTTP and every built TLS library: keep-alive, a connection per request
# (handshakes on both threads, resumed ones share the session cache), and
# SIGUSR1 snapshots while the load runs (the main thread sums the workers'
# counters). Bounded by request count. Any TSan report, or a run that
# fails or miscounts, fails the test.
# usage: tsan_test.sh TSAN_BUILD_DIR [ENGINE...]
set -u
build=$1; shift
tmp=$(mktemp -d /tmp/hbtsan.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
export HTTPSBENCH_CERT_DIR=$build/certs
# Each process writes its reports to $tmp/tsan.PID; exitcode 66 makes a
# report visible in the exit status too. second_deadlock_stack: both
# stacks of a lock-order report. Suppressions (each explained there):
# tests/tsan.supp.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export TSAN_OPTIONS="suppressions=$here/tsan.supp log_path=$tmp/tsan exitcode=66 halt_on_error=0 second_deadlock_stack=1 history_size=4"

start_server() { # engine
  rm -f "$tmp/srv.out"   # else the last server's line may be read first
  "$build/httpsbench-$1" server --listen 127.0.0.1:0 --threads 2 \
    --cert-type ecdsa-p256 >"$tmp/srv.out" 2>"$tmp/srv.err" &
  srv_pid=$!
  port=$(hb_listen_port "$tmp/srv.out" "$srv_pid" 600)
  [ -n "$port" ]
}

reports() { # what TSan wrote since the last call; moves the files aside
  local f found=1
  for f in "$tmp"/tsan.*; do
    [ -e "$f" ] || continue
    found=0
    grep -E '^(WARNING|ERROR): ThreadSanitizer|^SUMMARY' "$f" | sort | uniq -c
    mv "$f" "$tmp/seen.${f##*.}.$RANDOM"
  done
  return $found
}

if [ $# -gt 0 ]; then
  engines="$*"
else
  engines="plain$(hb_tls_engines "$build")"
fi

n=1500
for b in $engines; do
  if ! start_server "$b"; then
    bad "$b: server did not start: $(tail -3 "$tmp/srv.err") $(cat "$tmp"/tsan.* 2>/dev/null | head -30)"
    reports
    continue
  fi
  scheme=https extra="--cacert $build/certs/ecdsa-p256/root.pem"
  [ "$b" = plain ] && scheme=http extra=
  for mode in keepalive close; do
    flag=; [ $mode = close ] && flag=--close
    "$build/httpsbench-$b" load "$scheme://127.0.0.1:$port/bytes/4096" \
      -t 2 -c 8 -n $n --timeout 30 $flag $extra --json "$tmp/l.json" \
      >"$tmp/load.out" 2>"$tmp/load.err" &
    lpid=$!
    # snapshots while the workers run
    while kill -0 $lpid 2>/dev/null; do
      kill -USR1 "$srv_pid" 2>/dev/null
      sleep 0.3
    done
    wait $lpid
    rc=$?
    if [ $rc -ne 0 ]; then
      bad "$b $mode: load exited $rc: $(grep -v '^$' "$tmp/load.err" | tail -2)"
    elif why=$(python3 - "$tmp/l.json" $n <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
c, errs = r["counts"], sum(r["errors"].values())
if c["responses_2xx"] != int(sys.argv[2]) or errs:
    print("%d responses, errors %s" % (c["responses_2xx"], r["errors"]))
    sys.exit(1)
PY
         ); then
      ok
    else
      bad "$b $mode: $why"
    fi
  done
  stop_server || bad "$b: server exited $?: $(tail -2 "$tmp/srv.err")"
  if out=$(reports); then
    bad "$b: ThreadSanitizer reports:"
    echo "$out"
  else
    ok
  fi
done
for f in "$tmp"/seen.*; do   # reports in full, for the log
  [ -e "$f" ] && { echo "---- $f"; cat "$f"; }
done
echo "tsan: $pass passed, $fail failed (engines: $engines)"
[ $fail -eq 0 ]
