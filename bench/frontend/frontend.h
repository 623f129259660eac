/* Front-end commands (httpsbench <command>); each returns an exit status. */
#ifndef HB_FRONTEND_H
#define HB_FRONTEND_H

#include <jansson.h>

#include "argvec.h"
#include "hb/err.h"

int hb_cmd_backends(int argc, char **argv);
int hb_cmd_crypto(int argc, char **argv);
int hb_cmd_throughput(int argc, char **argv);
int hb_cmd_handshake(int argc, char **argv);
int hb_cmd_probe(int argc, char **argv);
int hb_cmd_merge(int argc, char **argv);

/* merge_cmd.c: the load results of n reports (clients that ran
 * together) merged exactly into out; see hb_cmd_merge. */
#define HB_MERGE_MAX 256
int hb_merge_load(json_t *out, json_t **in, const char **names, int n,
                  int *nres);
void hb_merge_print(json_t *out);

/* remote.c: `load --client-hosts`: the load engine on each host over
 * ssh, started together, merged (args: the engine's load arguments). */
int hb_remote_load(const char *engine, const char *hosts, const char *ssh,
                   int argc, char **args, int uargc, char **uargv);

/* remote.c: `remote check HOSTS`: engines, CPUs and clocks of each host. */
int hb_cmd_remote(int argc, char **argv);

/* Splits "--backend" values ("all" or "a,b") into built backend names;
 * usage error (exit 2) for unknown or unbuilt ones. Returns the count. */
int hb_select_backends(const char *cmd, const char *spec, int want_crypto,
                       const char **out, int max);

/* A server engine started by a driver. ctl_fd > 0: a server on another
 * host behind ssh (remote_tp.c), pid being ssh's: a line written to
 * ctl_fd asks for a snapshot, closing it stops the server. */
typedef struct hb_server {
  int pid, out_fd, port;
  int ctl_fd;
} hb_server;

/* Starts backend's engine as `server --listen 127.0.0.1:0 ARGS...` (args
 * may be NULL) pinned to cpu, its stderr in the server
 * log, and waits for `listening on HOST:PORT`. A server that says
 * `unsupported: why` gives HB_UNSUPPORTED with that reason. */
int hb_server_start(const char *backend, const hb_argv *args, int cpu,
                    hb_server *s, hb_err *err);
void hb_server_stop(hb_server *s);

/* What a server engine counted so far (cumulative; bench/srvsnap.c).
 * Fields it did not report are -1. */
typedef struct hb_srv_snap {
  double t_ns;          /* its monotonic clock */
  double cpu_ns;        /* its process CPU time, ns */
  double connections, requests, handshakes, resumed, bytes_body;
  double handshake_ns;  /* the handshakes' time from accept to completion,
                           summed (their count: handshakes) */
  double live, rss;     /* open connections and resident bytes now */
  double h2_streams;    /* HTTP/2 streams (requests) served */
  char version[16], cipher[64], group[32]; /* its first handshake's */
  /* over ssh only (remote_run.c's wrapper): the server host's /proc/stat
   * when the snapshot was asked for, seconds: the machine's steal, and
   * the server CPU's busy and total time (hb_cpu_busy's); -1 unknown */
  double host_steal_s, host_cpu_busy_s, host_cpu_total_s;
} hb_srv_snap;

/* Asks the server (SIGUSR1, or a line on ctl_fd) for a snapshot and
 * reads its line. */
int hb_server_snapshot(const hb_server *s, hb_srv_snap *out, hb_err *err);

/* The server host's CPU busy share between two snapshots over ssh (their
 * host_cpu_* fields): the server CPU's busy time over its total, other
 * processes included; NaN when either lacks them or no time passed. */
double hb_srv_host_busy(const hb_srv_snap *s0, const hb_srv_snap *s1);

/* Reads a client's stdout (fd) until a line starts with want ("mark
 * start", "mark end"), within seconds; 0 when seen. want "" drains to EOF
 * (seconds < 0: 30 s per line) and returns -1. */
int hb_wait_mark(int fd, const char *want, double seconds);

/* CPU cpu's busy and total time so far (/proc/stat, clock ticks: good
 * for the share other processes took over a window of seconds, not for
 * a process's own CPU). 0 on success. */
int hb_cpu_busy(int cpu, double *busy_s, double *total_s);

/* The machine's steal time so far (/proc/stat), seconds; -1 unknown. */
double hb_steal_seconds(void);

/* --server-cpu / --client-cpu (an hb_opt check, dest an int *): a CPU
 * number. */
int hb_opt_cpu(const char *value, void *dest, char *why, size_t size);

/* Servers started by the drivers write their stderr here (in the run's
 * temporary directory), printed together after the tables. */
void hb_server_log_set(const char *tmpdir);
const char *hb_server_log(void);
void hb_server_log_flush(void);

#endif
