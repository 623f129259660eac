#!/usr/bin/env bash
# Fault injection over whole processes (root only: it mounts a tmpfs):
# - a full disk while an engine writes its report: the write fails with a
#   one-line error and a non-zero exit, the previous report at that path
#   is left byte for byte, and no temporary file stays behind;
# - too few file descriptors (RLIMIT_NOFILE 40) at the server and at the
#   load generator, with more connections than that: both survive and
#   count it (the server's emfile, the load generator's errors), and the
#   server still answers afterwards.
# Allocation failure is tests/test_fault.c and fault_server_test.py.
# usage: fault_test.sh BUILD_DIR
set -u
build=$1
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: needs root (mount)"; exit 77
fi
tmp=$(mktemp -d /tmp/hbfault.XXXXXX)
srv_pid=
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  mountpoint -q "$tmp/disk" && umount "$tmp/disk"
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
eng=$build/httpsbench-openssl
[ -x "$eng" ] ||
  eng=$build/httpsbench-$(hb_tls_engines "$build" | awk '{print $1}')
crypto() { # json_path
  "$eng" crypto --filter '^sha256/' --sizes 16 --seconds 0.01 \
    --repetitions 2 --max-repetitions 2 --json "$1"
}

# ---- a full disk while writing a report ----
mkdir "$tmp/disk"
if ! mount -t tmpfs -o size=64k tmpfs "$tmp/disk"; then
  bad "cannot mount a tmpfs"
else
  if ! crypto "$tmp/disk/r.json" >/dev/null 2>"$tmp/err"; then
    bad "first report: $(tail -1 "$tmp/err")"
  else
    cp "$tmp/disk/r.json" "$tmp/before.json"
    dd if=/dev/zero of="$tmp/disk/fill" bs=1k 2>/dev/null  # until full
    crypto "$tmp/disk/r.json" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 0 ]; then
      bad "full disk: exit 0"
    elif ! grep -qi "space" "$tmp/err"; then
      bad "full disk: error does not say why: $(tail -2 "$tmp/err")"
    else
      ok
    fi
    cmp -s "$tmp/disk/r.json" "$tmp/before.json" && ok ||
      bad "full disk: the previous report changed"
    left=$(ls "$tmp/disk" | grep -v -x -e r.json -e fill)
    [ -z "$left" ] && ok || bad "full disk: left behind: $left"
  fi
  umount "$tmp/disk"
fi

# ---- too few file descriptors ----
export HTTPSBENCH_CERT_DIR=$build/certs
rm -f "$tmp/srv.out"
(ulimit -n 40; exec "$build/httpsbench-plain" server --listen 127.0.0.1:0 \
   >"$tmp/srv.out" 2>"$tmp/srv.err") &
srv_pid=$!
port=$(hb_listen_port "$tmp/srv.out" "$srv_pid")
if [ -z "$port" ]; then
  bad "server did not start: $(tail -2 "$tmp/srv.err")"
else
  # 100 connections held open against a server that can hold ~30
  timeout 60 "$build/httpsbench-plain" load "http://127.0.0.1:$port/bytes/16" \
    -c 100 --hold 1 --timeout 3 >"$tmp/hold.out" 2>"$tmp/hold.err"
  kill -0 "$srv_pid" 2>/dev/null && ok ||
    bad "server died with too few descriptors: $(tail -2 "$tmp/srv.err")"
  # and it still answers
  timeout 60 "$build/httpsbench-plain" load "http://127.0.0.1:$port/bytes/16" \
    -c 2 -n 50 --json "$tmp/after.json" >/dev/null 2>"$tmp/after.err" &&
    ok || bad "server does not answer after exhaustion: $(tail -2 "$tmp/after.err")"
  # the load generator with too few descriptors of its own
  (ulimit -n 40; exec timeout 60 "$build/httpsbench-plain" load \
     "http://127.0.0.1:$port/bytes/16" -c 100 -n 500 --timeout 3 \
     --json "$tmp/lim.json") >"$tmp/lim.out" 2>"$tmp/lim.err"
  rc=$?
  if [ $rc -gt 1 ] || [ ! -s "$tmp/lim.json" ]; then
    bad "load with too few descriptors: exit $rc, $(tail -2 "$tmp/lim.err")"
  elif ! python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; e=r["errors"]; sys.exit(0 if sum(e.values()) > 0 else 1)' "$tmp/lim.json"; then
    bad "load with too few descriptors counted no error"
  else
    ok
  fi
  kill -TERM "$srv_pid"; wait "$srv_pid"; srv_pid=
  # and counted the descriptors it could not have (its exit summary)
  grep -Eq 'errors:.* emfile [1-9]' "$tmp/srv.err" && ok ||
    bad "server did not count running out of descriptors: $(grep errors: "$tmp/srv.err")"
fi
echo "fault: $pass passed, $fail failed"
[ $fail -eq 0 ]
