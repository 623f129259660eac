# What the shell tests share (sourced: . "$(dirname "$0")/lib.sh"): the
# TLS engines a build has, and the port of a server started in the
# background.

# hb_tls_engines BUILD: the names of BUILD's TLS engines (httpsbench-NAME),
# space-separated: not plain (no TLS), curl (libcurl's own client) nor
# link (the link emulator). A new httpsbench-* program that is no TLS
# engine is added to the exclusions here.
hb_tls_engines() {
  local e b
  for e in "$1"/httpsbench-*; do
    [ -x "$e" ] || continue
    b=${e##*/httpsbench-}
    case $b in plain|curl|link) ;; *) printf ' %s' "$b" ;; esac
  done
}

# hb_listen_port FILE PID [TENTHS]: waits up to TENTHS tenths of a second
# (300) for the "listening on HOST:PORT" line our server writes to FILE,
# while PID runs; prints PORT (nothing when there is no such line).
hb_listen_port() {
  local i
  for i in $(seq 1 "${3:-300}"); do
    grep -q '^listening on' "$1" 2>/dev/null && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  sed -n 's/^listening on [^ ]*:\([0-9]*\).*/\1/p' "$1"
}

# stop_server: ends the server whose pid is $srv_pid (SIGTERM), clears
# srv_pid and returns the server's exit status.
stop_server() {
  kill -TERM "$srv_pid" 2>/dev/null
  wait "$srv_pid"
  local rc=$?
  srv_pid=
  return $rc
}
