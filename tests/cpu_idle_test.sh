#!/usr/bin/env bash
# Idle CPUs poll while httpsbench measures (a PM QoS request of 0 us on
# /dev/cpu_dma_latency, held by the front end and the engines: see
# include/hb/envinfo.h), the report says so, and HTTPSBENCH_CPU_IDLE=os
# turns it off. Reads the kernel's aggregate request back from the device.
# usage: cpu_idle_test.sh BUILD_BIN_DIR
set -u
bin=$1
hb=$bin/httpsbench
tmp=$(mktemp -d /tmp/hbidle.XXXXXX)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
py=/usr/bin/python3
limit() { $py -c 'import struct; print(struct.unpack("i", open("/dev/cpu_dma_latency", "rb").read(4))[0])'; }
field() { $py -c 'import json, sys
d = json.load(open(sys.argv[1]))["environment"]["cpu_idle"]
print(json.dumps(d.get(sys.argv[2])))' "$@"; }

run() { # report-file [env...]: a short crypto run (one case)
  local out=$1; shift
  env "$@" "$hb" crypto --backend openssl --filter '^aes-128-gcm/rekey$' \
    --sizes 16 --seconds 0.02 --repetitions 3 --quiet --json "$out" \
    >/dev/null 2>"$tmp/err" || { bad "crypto run failed: $(cat "$tmp/err")"; return 1; }
}

if [ -w /dev/cpu_dma_latency ]; then
  # an engine holds the request for as long as it runs
  "$bin/httpsbench-plain" server --listen 127.0.0.1:0 >"$tmp/srv.out" 2>&1 &
  srv=$!
  for _ in $(seq 50); do grep -q listening "$tmp/srv.out" && break; sleep 0.1; done
  v=$(limit)
  if [ "$v" = 0 ]; then ok; else bad "server running: PM QoS limit $v, want 0"; fi
  kill "$srv"; wait "$srv" 2>/dev/null; srv=
  if run "$tmp/a.json"; then
    [ "$(field "$tmp/a.json" held)" = true ] && ok || bad "report: held is not true"
    # the limit acts through a cpuidle driver: without one idle CPUs
    # halt, and the report must not say they polled
    drv=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)
    want=true; [ "$drv" = none ] && want=false
    [ "$(field "$tmp/a.json" polling)" = $want ] && ok ||
      bad "report: polling is not $want (cpuidle driver $drv)"
    [ "$(field "$tmp/a.json" latency_limit_us)" = 0 ] && ok || bad "report: limit is not 0"
    [ "$(field "$tmp/a.json" why_not)" = null ] && ok || bad "report: why_not set while held"
  fi
else
  echo "note: /dev/cpu_dma_latency is not writable here (not root?):" \
       "checking that the report says why"
  if run "$tmp/a.json"; then
    [ "$(field "$tmp/a.json" held)" = false ] && ok || bad "report: held is not false"
    case $(field "$tmp/a.json" why_not) in
      *cpu_dma_latency*) ok ;; *) bad "report: why_not does not name the device" ;;
    esac
  fi
fi
# asked not to: not held, and the report says why (whether the CPUs
# polled anyway depends on other processes: not checked)
if run "$tmp/b.json" HTTPSBENCH_CPU_IDLE=os; then
  [ "$(field "$tmp/b.json" held)" = false ] && ok || bad "HTTPSBENCH_CPU_IDLE=os: held"
  [ "$(field "$tmp/b.json" why_not)" = '"HTTPSBENCH_CPU_IDLE=os"' ] && ok || \
    bad "HTTPSBENCH_CPU_IDLE=os: why_not is $(field "$tmp/b.json" why_not)"
fi
echo "cpu_idle: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
