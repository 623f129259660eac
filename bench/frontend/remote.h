/* What the drivers over hosts share: hosts reached over ssh, their
 * commands run together with bounded waits, their clocks (remote.c); the
 * host file, the server on its host, the clients' commands and reports
 * (remote_run.c); used by load --client-hosts (remote.c), throughput
 * (remote_tp.c) and handshake (remote_hs.c) over hosts. */
#ifndef HB_REMOTE_H
#define HB_REMOTE_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "argvec.h"
#include "frontend.h"

#define RM_MAX_HOSTS 64
#define RM_MAX_WORDS 64

typedef struct rm_host {
  char name[256];
  double offset, rtt;     /* s: host clock - ours; the round trip */
  double setup;           /* s: the longest its ssh session took to be
                             set up (rm_clocks): room a start must leave */
  char version[128];
  char why[400];          /* why it failed, or "" */
  pid_t pid;
  int in_fd, out_fd, err_fd;
  char *out;
  size_t len, cap;
  char err[2048];         /* the end of its standard error */
  size_t elen;
  char line[8192];        /* the standard error line being read */
  size_t llen;
  int mark_start, mark_end; /* "mark start"/"mark end" lines seen */
  /* the host's /proc/stat at its window's start [0] and end [1] (the
   * load engine's --procstat line before each mark), seconds: steal of
   * all its CPUs, busy and total time of the client's; -1 unknown */
  double ps_steal[2], ps_busy[2], ps_total[2], ps_next[3];
  int status;             /* exit status, -1 while running */
  json_t *report;
} rm_host;

/* Called about every 200 ms while rm_run waits (and after new output). */
typedef void (*rm_tick_fn)(rm_host *hs, int n, void *ctx);

double rm_now(void);
/* Appends a single-quoted copy of s and a blank (for the remote shell);
 * -1 when buf is too small. */
int rm_quote(char *buf, size_t size, size_t *len, const char *s);
/* argv of `SSH-WORDS HOST COMMAND` (the ssh command split on blanks). */
int rm_argv(char *words[], char *sshbuf, const char *host, const char *cmd);
/* Starts argv with pipes to its stdin and stdout; its stderr a pipe too
 * (err non-NULL) or errlog (appended; NULL: /dev/null). */
pid_t rm_spawn(char *const argv[], int *in, int *out, int *err,
               const char *errlog);
const char *rm_last_line(rm_host *h);
/* Runs every host's command cmds[i] over ssh to its end or the deadline
 * (then stopped, named); stdin kept open (keep_stdin) and closed on
 * Ctrl-C; tick may be NULL. */
void rm_run(rm_host *hs, int n, const char *ssh, char **cmds,
            double deadline, int keep_stdin, rm_tick_fn tick, void *ctx);
/* Each host's clock offset (three tries, the shortest round trip kept:
 * from our line on its established ssh session to its clock's answer)
 * and `ENGINE version`; a host that fails gets why. */
void rm_clocks(rm_host *hs, int n, const char *ssh, const char *engine);
/* Appends n bytes to what the host wrote on stderr (its end kept). */
void rm_keep_err(rm_host *h, const char *b, size_t n);
/* The host part of [user@]host (into buf). */
void rm_host_addr(const char *host, char *buf, size_t size);

/* A client host's steal (s) and its CPU's busy share over its window,
 * from its procstat lines; NAN when unknown. */
double rm_host_steal(const rm_host *h);
double rm_host_busy(const rm_host *h);

/* h named name, with no pipe open yet. */
void rm_host_init(rm_host *h, const char *name);

/* The hosts of "H1,H2,..." into hs (RM_MAX_HOSTS at most): their count.
 * Too many or none is a usage error of cmd, its message after what
 * (e.g. "--client-hosts: ", or ""). */
int rm_hosts_parse(const char *cmd, const char *what, const char *list,
                   rm_host *hs);

/* The roles of a run over hosts, from --hosts FILE or --server-host,
 * --client-hosts, --ssh. */
typedef struct rm_roles {
  const char *server_host, *server_addr; /* addr: what clients dial */
  const char *client_hosts;              /* comma-separated */
  const char *ssh;
} rm_roles;

/* The options of a driver over hosts (hb_opt rows; hosts a const char
 * **, roles an rm_roles *), checked by rm_opts_check. */
#define RM_OPTS(hosts, roles)                                              \
  { "hosts", 0, HB_OPT_STRING, (hosts), "FILE",                            \
    "run over hosts with ssh: lines 'server HOST\n[ADDRESS]' (one) and "   \
    "'client HOST' (one or\nmore); see README, \"Over several hosts\"",    \
    0, 0, NULL, NULL, NULL },                                              \
  { "server-host", 0, HB_OPT_STRING, &(roles)->server_host, "HOST",        \
    "the server engine on [user@]HOST over ssh\n(with --client-hosts); "   \
    "clients dial HOST", 0, 0, NULL, NULL, NULL },                         \
  { "client-hosts", 0, HB_OPT_STRING, &(roles)->client_hosts, "H1,H2,...", \
    "the client engine on each host over ssh, one\ncommon start, merged "  \
    "exactly (-c, -n per host)", 0, 0, NULL, NULL, NULL },                 \
  { "ssh", 0, HB_OPT_STRING, &(roles)->ssh, "CMD",                         \
    "the ssh command over hosts (default\n'ssh -o BatchMode=yes')", 0, 0,  \
    NULL, NULL, NULL }

/* Host file (--hosts): lines "server HOST [ADDRESS]" and "client HOST";
 * blank lines and # comments ignored. 0, or -1 with why. The strings
 * are static. */
int rm_hosts_file(const char *path, const char **server, const char **addr,
                  const char **clients, char *why, size_t size);
/* The options' rules (usage errors of cmd): --hosts FILE or
 * --server-host with --client-hosts; --ssh only with them, by default
 * 'ssh -o BatchMode=yes'. Fills r from the file. */
void rm_opts_check(const char *cmd, const char *file, rm_roles *r);
/* The address the clients dial and the server listens on. */
void rm_addr(const rm_roles *r, char *buf, size_t size);
/* Every host's clock and engine version (the client hosts parsed into
 * cl, *ncl of them, each with its offset), the largest round trip, and
 * report.remote; -1 when a host failed (named on stderr). */
int rm_prepare(const char *cmd, const rm_roles *r, const char *engine,
               int quiet, rm_host *cl, int *ncl, double *maxrtt,
               json_t *report);
/* backend's server engine on the server host, pinned to cpu, args after
 * `server --listen ADDR:0`, behind the wrapper (remote_run.c); its
 * snapshots carry the host's /proc/stat (hb_srv_snap.steal_s, ...). */
int rm_server_start(const rm_roles *r, const char *backend, int cpu,
                    const hb_argv *args, hb_server *s, hb_err *err);
/* The shell command that runs argv (a client engine's, without --json)
 * on a client host: pinned to cpu where taskset exists (cpu < 0: not),
 * with `--start-at START_AT --stop-on-eof`, its report back on stdout.
 * -1 when it does not fit. */
int rm_client_cmd(char *buf, size_t size, int cpu, char *const *argv,
                  double start_at);
/* Each client host's command (fn: into buf, its start in its own clock;
 * 0, or -1 when it does not fit, the host then failed with why) for a
 * start a second, two round trips and the longest session set-up ahead; the hosts' last why and
 * report cleared. Returns the start (our clock). */
typedef int (*rm_cmd_fn)(void *ctx, double start_at, char *buf,
                         size_t size);
double rm_client_cmds(rm_host *hs, int n, double maxrtt, char **cmds,
                      rm_cmd_fn fn, void *ctx);
/* After rm_run: each host's report (hs[i].report), or why it has none
 * (need_ok: also when its first result's status is not ok), named on
 * stderr; the earliest and latest start on our clock. Returns the
 * failed hosts' count. */
int rm_collect(rm_host *hs, int n, const char *cmd, int need_ok,
               double *lo, double *hi);
/* A host's entry: name, status, error, clock offset, how late it began
 * after start (our clock). */
json_t *rm_host_json(const rm_host *h, double start);

/* The measured window of clients that print marks (load --marks): the
 * server s's snapshots when every running client has begun its measured
 * window and when the first one ends it. rm_win_tick is rm_run's tick
 * (ctx: the rm_win, zeroed but for s); rm_win_end, after rm_run, closes
 * a window every client left inside. */
typedef struct rm_win {
  const hb_server *s;
  int state;               /* 0 before, 1 in the window, 2 after, 3 lost */
  hb_srv_snap s0, s1;
  hb_err err;
} rm_win;
void rm_win_tick(rm_host *hs, int n, void *ctx);
void rm_win_end(rm_win *w);

/* remote_pdsh.c: fan-out through pdsh's ssh module, for one command the
 * same on every host with no input (remote check, its --copy).
 * rm_pdsh_usable: 0 when pdsh and pdcp are installed here, the ssh
 * command's first word is ssh and the hosts' addresses differ; else -1
 * with why. rm_pdsh_run: cmd on every host without a why (and in only,
 * when not NULL) through one pdsh, to its end or the deadline: each
 * host's output, stderr and exit status as rm_run leaves them (why: pdsh
 * itself failed or ran out of time). rm_pdcp: path to dest on those
 * hosts through one pdcp (which needs pdcp on them too): its exit
 * status, each host's as pdcp says it; -1 when it did not finish. */
int rm_pdsh_usable(const char *ssh, const rm_host *hs, int n, char *why,
                   size_t size);
void rm_pdsh_run(rm_host *hs, int n, const char *ssh, const char *cmd,
                 const int *only, double deadline);
int rm_pdcp(rm_host *hs, int n, const int *only, const char *ssh,
            const char *path, const char *dest, double deadline);

/* remote_hs.c: handshake over hosts. hs_remote_prepare: every host's
 * clock and engine (rm_prepare), once per run. hs_remote_run: argv (the
 * handshake engine's, without --json; n its connections) on every client
 * host with one start, its phases merged exactly into report, one
 * result each with remote.hosts and remote.partial when a host measured
 * nothing (named in the result's warnings). With snap0 (the server s's
 * snapshot taken before the call) it asks s for one more just before
 * the common start and, when that one is known to precede every
 * client's first connection, puts it in snap0: the server's window is
 * then the clients' run, not our set-up of it. */
int hs_remote_prepare(const rm_roles *r, const char *engine, int quiet,
                      json_t *report);
int hs_remote_run(const rm_roles *r, char *const *argv, int cpu, long n,
                  const hb_server *s, hb_srv_snap *snap0, json_t *report,
                  hb_err *err);
/* Capacity mode, one run: argv (a load engine's with --marks, without
 * --json; seconds its warm-up and duration) on every client host with
 * one start. w: the server s's snapshots at the measured window's edges
 * (rm_win_tick). parts[i]: hh_cl[i]'s load result (a new reference, the
 * caller's), NULL when it failed (named on stderr and in its entry);
 * *run: {start_at_ns, start_skew_ms, partial, hosts (rm_host_json),
 * server: {window, run, counts}}, the server's own handshake count (tls;
 * else connections) over the window and over the whole run. Returns the
 * hosts that sent a result. */
int hs_remote_capacity(const rm_roles *r, char *const *argv, int cpu,
                       double seconds, const hb_server *s, int tls,
                       rm_win *w, json_t **parts, json_t **run);
/* Achieved strings (version, cipher, group, alpn, protocol) of ha
 * checked against ma's: those that differ listed in ma's differs, and
 * ma varied. */
void hs_agree(json_t *ma, json_t *ha);

#endif
