/* What remote.c's drivers share: hosts reached over ssh, their commands
 * run together with bounded waits, their clocks (remote.c); the
 * throughput driver over hosts uses them (remote_tp.c). */
#ifndef HB_REMOTE_H
#define HB_REMOTE_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#define RM_MAX_HOSTS 64
#define RM_MAX_WORDS 64

typedef struct rm_host {
  char name[256];
  double offset, rtt;     /* s: host clock - ours; the round trip */
  char version[128];
  char why[400];          /* why it failed, or "" */
  pid_t pid;
  int in_fd, out_fd, err_fd;
  char *out;
  size_t len, cap;
  char err[2048];         /* the end of its standard error */
  size_t elen;
  char line[256];         /* the standard error line being read */
  size_t llen;
  int mark_start, mark_end; /* "mark start"/"mark end" lines seen */
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
/* Each host's clock offset (three tries, the shortest round trip kept)
 * and `ENGINE version`; a host that fails gets why. */
void rm_clocks(rm_host *hs, int n, const char *ssh, const char *engine);
/* The host part of [user@]host (into buf). */
void rm_host_addr(const char *host, char *buf, size_t size);

/* h named name, with no pipe open yet. */
void rm_host_init(rm_host *h, const char *name);

/* The hosts of "H1,H2,..." into hs (RM_MAX_HOSTS at most): their count.
 * Too many or none is a usage error of cmd, its message after what
 * (e.g. "--client-hosts: ", or ""). */
int rm_hosts_parse(const char *cmd, const char *what, const char *list,
                   rm_host *hs);

#endif
