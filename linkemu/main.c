/* httpsbench-link: a packet-level link emulator. Client and server run in
 * two network namespaces whose only route to each other is a TUN device
 * each; this process reads every packet from one device, applies the
 * link (queue, rate, loss, delay, jitter) and writes it to the other.
 * One thread, epoll, one timerfd for the next due packet. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"
#include "link_args.h"
#include "link_opts.h"
#include "netns.h"
#include "probe.h"

#define EXIT_USAGE 2
#define EXIT_CANNOT 3  /* no privilege or no TUN here */
#define KILL_GRACE_NS 2000000000ull
#define PROBE_MAX (1 << 20)

enum { C = 0, S = 1 };              /* sides: client, server */
enum { UP = 0, DOWN = 1 };          /* directions: c->s, s->c */
enum { EV_TUN_C, EV_TUN_S, EV_TIMER, EV_SIG, EV_SRV_OUT, EV_PROBE };

struct app {
  struct hb_link_cfg cfg;
  struct hb_link_dir dir[2];
  struct link_side side[2];
  struct emu_dir emu[2];
  int ep, tfd, sfd;
  char **srv_argv, **cli_argv;
  int hold, measure_n, quiet, no_ready;
  const char *stats_path, *ready;
  double ready_timeout_s;
  pid_t srv_pid, cli_pid, probe_pid;
  int srv_status, cli_status, srv_done, cli_done;
  int srv_out, probe_fd;
  char line[4096];
  size_t line_len;
  char *probe_buf, *measured;
  size_t probe_len;
  int ready_seen, probe_for_start;
  uint64_t t_start, ready_deadline, kill_deadline, armed, armed_for;
  uint64_t wake_ns;      /* timer wake-up latency, moving average */
  int realtime;          /* SCHED_FIFO obtained */
  int no_realtime;
  int stopping, stop_sig, exit_code;
  const char *stop_why;
};

static uint64_t now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench-link [link options] [--measure N] [--stats FILE]\n"
    "         [--server CMD [ARG...] --] --client CMD [ARG...]\n"
    "       httpsbench-link [link options] --hold\n"
    "\n"
    "Runs the server command in one network namespace and the client\n"
    "command in another; all their traffic crosses an emulated link in\n"
    "this process. The client reaches the server at " LINK_SERVER_ADDR
    " (the\n"
    "server sees it as " LINK_CLIENT_ADDR "); both get HB_LINK_SERVER and\n"
    "HB_LINK_CLIENT in their environment. The client starts once the\n"
    "server prints a line containing the --ready text. When the client\n"
    "exits the server gets SIGTERM (SIGKILL 2 s later), namespaces and\n"
    "devices are removed, the link's counters are written as JSON, and\n"
    "the client's exit status is ours.\n"
    "\n"
    "link options (each direction gets them all; --rtt is split in two):\n");
  hb_link_print_help(f);
  fprintf(f,
    "\n"
    "other options:\n"
    "  --measure N        before the server starts, N TCP connects and N\n"
    "                     ICMP echoes across the link (reported as\n"
    "                     \"measured\"); with --hold, SIGUSR1 measures again\n"
    "                     and prints one JSON line on stdout\n"
    "  --stats FILE       the JSON counters go to FILE ('-': stdout;\n"
    "                     default: stderr)\n"
    "  --ready TEXT       server output that means it is ready "
    "(\"listening on\")\n"
    "  --no-ready         start the client without waiting\n"
    "  --ready-timeout S  give up on the server after S seconds (60)\n"
    "  --hold             no children: print one line 'ready CLIENT_NS\n"
    "                     SERVER_NS CLIENT_ADDR SERVER_ADDR' and forward\n"
    "                     until SIGINT/SIGTERM or the parent exits\n"
    "  --quiet            no server output on stderr\n"
    "  --no-realtime      do not run the emulator as SCHED_FIFO (default:\n"
    "                     it does when allowed; children never do)\n"
    "\n"
    "exit: the client's status (128+N if killed by signal N); 1 when the\n"
    "link or the server fails; 2 bad usage; 3 when this machine cannot\n"
    "run it (not root / no CAP_NET_ADMIN, no /dev/net/tun); 128+N when\n"
    "stopped by signal N.\n");
}

static void die_usage(const char *fmt, const char *a)
{
  fprintf(stderr, "httpsbench-link: ");
  fprintf(stderr, fmt, a);
  fprintf(stderr, " (see httpsbench-link --help)\n");
  exit(EXIT_USAGE);
}

static void parse_args(struct app *a, int argc, char **argv)
{
  struct hb_link_args la;
  char why[320];

  hb_link_args_init(&la);
  switch(hb_link_args_parse(&la, argc, argv, why, sizeof(why))) {
  case 1:
    usage(stdout);
    exit(0);
  case -1:
    die_usage("%s", why);
  }
  a->cfg = la.cfg;
  a->srv_argv = la.srv_argv;
  a->cli_argv = la.cli_argv;
  a->hold = la.hold;
  a->measure_n = la.measure_n;
  a->quiet = la.quiet;
  a->no_ready = la.no_ready;
  a->no_realtime = la.no_realtime;
  a->stats_path = la.stats_path;
  a->ready = la.ready;
  a->ready_timeout_s = la.ready_timeout_s;
}

static void put_env(void)
{
  setenv("HB_LINK_SERVER", LINK_SERVER_ADDR, 1);
  setenv("HB_LINK_CLIENT", LINK_CLIENT_ADDR, 1);
}

/* A child in the side's namespace and a process group of its own (so
 * its helpers are stopped with it); it dies if we die. */
static pid_t spawn(struct app *a, int side, char **argv, int *out_fd)
{
  int fds[2] = { -1, -1 };
  pid_t parent = getpid(), pid;

  if(out_fd && pipe2(fds, O_CLOEXEC))
    return -1;
  pid = fork();
  if(pid < 0)
    return -1;
  if(pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if(getppid() != parent)
      _exit(127);
    if(link_side_enter(&a->side[side])) {
      fprintf(stderr, "httpsbench-link: setns: %s\n", strerror(errno));
      _exit(127);
    }
    if(out_fd) {
      dup2(fds[1], 1);
      close(fds[1]);
    }
    put_env();
    execvp(argv[0], argv);
    fprintf(stderr, "httpsbench-link: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  if(out_fd) {
    close(fds[1]);
    *out_fd = fds[0];
  }
  return pid;
}

static void ep_add(struct app *a, int fd, int tag)
{
  struct epoll_event ev;

  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.u32 = (uint32_t)tag;
  epoll_ctl(a->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void ep_del(struct app *a, int *fd)
{
  epoll_ctl(a->ep, EPOLL_CTL_DEL, *fd, NULL);
  close(*fd);
  *fd = -1;
}

static void deliver(struct app *a, int d)
{
  int out = a->side[d == UP ? S : C].tun_fd;
  struct emu_pkt *p;
  uint64_t now = now_ns();

  while((p = emu_dir_pop(&a->emu[d], now))) {
    uint64_t t = now_ns(); /* lateness up to the write, not through it */
    ssize_t n = write(out, p->data, p->len);
    emu_dir_delivered(&a->emu[d], p, t, n == (ssize_t)p->len);
    free(p);
  }
}

static void read_tun(struct app *a, int d)
{
  unsigned char buf[65536];
  int in = a->side[d == UP ? C : S].tun_fd, i;

  for(i = 0; i < 256; i++) {
    ssize_t n = read(in, buf, sizeof(buf));
    if(n <= 0)
      break;
    emu_dir_push(&a->emu[d], buf, (size_t)n, now_ns());
  }
}

static uint64_t next_due(const struct app *a)
{
  uint64_t t = emu_dir_next(&a->emu[UP]), t2 = emu_dir_next(&a->emu[DOWN]);

  return t2 < t ? t2 : t;
}

/* The timer is set early by twice the mean wake-up latency seen so far
 * (tens of microseconds in a VM); the rest is waited out on the clock in
 * timer_fired, never more than SPIN_MAX_NS. */
#define SPIN_MAX_NS 300000ull

static void arm_timer(struct app *a)
{
  uint64_t t = next_due(a);
  struct itimerspec its;

  if(t == a->armed_for)
    return;
  a->armed_for = t;
  memset(&its, 0, sizeof(its));
  if(t != UINT64_MAX) {
    uint64_t early = 2 * a->wake_ns; /* most wake-ups, not half */
    t = t > early ? t - early : 1;
    its.it_value.tv_sec = (time_t)(t / 1000000000ull);
    its.it_value.tv_nsec = (long)(t % 1000000000ull);
  }
  timerfd_settime(a->tfd, TFD_TIMER_ABSTIME, &its, NULL);
  a->armed = t;
}

static void timer_fired(struct app *a)
{
  uint64_t now = now_ns(), due = next_due(a);

  if(a->armed && a->armed != UINT64_MAX && now > a->armed) {
    uint64_t late = now - a->armed;
    if(late > SPIN_MAX_NS)
      late = SPIN_MAX_NS;
    a->wake_ns = (a->wake_ns * 7 + late) / 8;
  }
  a->armed = a->armed_for = 0;
  while(due > now && due - now <= SPIN_MAX_NS)
    now = now_ns();
}

static void start_client(struct app *a)
{
  a->cli_pid = spawn(a, C, a->cli_argv, NULL);
  if(a->cli_pid < 0) {
    a->cli_pid = 0;
    fprintf(stderr, "httpsbench-link: fork: %s\n", strerror(errno));
    a->stopping = 1;
    a->exit_code = 1;
  }
}

static void start_server(struct app *a)
{
  if(!a->srv_argv) {
    start_client(a);
    return;
  }
  a->srv_pid = spawn(a, S, a->srv_argv, &a->srv_out);
  if(a->srv_pid < 0) {
    a->srv_pid = 0;
    fprintf(stderr, "httpsbench-link: fork: %s\n", strerror(errno));
    a->stopping = 1;
    a->exit_code = 1;
    return;
  }
  ep_add(a, a->srv_out, EV_SRV_OUT);
  a->ready_deadline = now_ns() + (uint64_t)(a->ready_timeout_s * 1e9);
  if(a->no_ready) {
    a->ready_seen = 1;
    start_client(a);
  }
}

static void start_probe(struct app *a)
{
  if(a->probe_pid > 0)
    return;
  a->probe_len = 0;
  a->probe_pid = probe_start(&a->side[C], &a->side[S], a->measure_n,
                             &a->probe_fd);
  if(a->probe_pid > 0)
    ep_add(a, a->probe_fd, EV_PROBE);
}

static void probe_input(struct app *a)
{
  ssize_t n = PROBE_MAX - 1 > a->probe_len
              ? read(a->probe_fd, a->probe_buf + a->probe_len,
                     PROBE_MAX - 1 - a->probe_len) : 0;

  if(n > 0) {
    a->probe_len += (size_t)n;
    return;
  }
  ep_del(a, &a->probe_fd);
  a->probe_buf[a->probe_len] = '\0';
  free(a->measured);
  a->measured = strdup(a->probe_len ? a->probe_buf : "null");
  if(a->hold) {
    printf("%s\n", a->measured);
    fflush(stdout);
  }
  if(a->probe_for_start) {
    a->probe_for_start = 0;
    if(!a->stopping)
      start_server(a);
  }
}

/* Server output goes to stderr; the ready text starts the client. */
static void server_output(struct app *a)
{
  char buf[4096];
  ssize_t n = read(a->srv_out, buf, sizeof(buf)), i;

  if(n <= 0) {
    ep_del(a, &a->srv_out);
    return;
  }
  if(!a->quiet && write(2, buf, (size_t)n) < 0) {
    /* stderr gone: keep running */
  }
  for(i = 0; i < n && !a->ready_seen; i++) {
    if(buf[i] == '\n' || a->line_len == sizeof(a->line) - 1) {
      a->line[a->line_len] = '\0';
      a->line_len = 0;
      if(strstr(a->line, a->ready)) {
        a->ready_seen = 1;
        if(!a->stopping)
          start_client(a);
      }
    } else
      a->line[a->line_len++] = buf[i];
  }
}

static void kill_groups(struct app *a, int sig)
{
  if(a->srv_pid > 0)
    kill(-a->srv_pid, sig);
  if(a->cli_pid > 0)
    kill(-a->cli_pid, sig);
}

static void begin_stop(struct app *a, int sig, const char *why, int code)
{
  if(!a->stopping) {
    a->stopping = 1;
    a->stop_why = why;
    a->exit_code = code;
  }
  kill_groups(a, sig);
  if(!a->kill_deadline)
    a->kill_deadline = now_ns() + KILL_GRACE_NS;
}

static int status_code(int st)
{
  return WIFEXITED(st) ? WEXITSTATUS(st)
         : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

static void reap(struct app *a)
{
  int st;
  pid_t pid;

  while((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    if(pid == a->cli_pid) {
      a->cli_done = 1;
      a->cli_status = st;
      if(!a->stopping)
        begin_stop(a, SIGTERM, NULL, status_code(st));
      else if(a->cli_pid > 0)
        kill(-a->cli_pid, SIGTERM); /* its helpers */
    } else if(pid == a->srv_pid) {
      a->srv_done = 1;
      a->srv_status = st;
      if(!a->stopping) {
        fprintf(stderr, "httpsbench-link: the server exited (status %d) "
                "before the client finished\n", status_code(st));
        begin_stop(a, SIGTERM, "server exited", 1);
      }
    } else if(pid == a->probe_pid)
      a->probe_pid = 0;
  }
}

static void on_signal(struct app *a)
{
  struct signalfd_siginfo si;

  while(read(a->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
    if(si.ssi_signo == SIGCHLD)
      reap(a);
    else if(si.ssi_signo == SIGUSR1 && a->hold && a->measure_n)
      start_probe(a);
    else if(si.ssi_signo != SIGUSR1 && si.ssi_signo != SIGPIPE) {
      a->stop_sig = (int)si.ssi_signo;
      begin_stop(a, (int)si.ssi_signo, "signal",
                 128 + (int)si.ssi_signo);
    }
  }
}

static int all_done(const struct app *a)
{
  return (!a->srv_pid || a->srv_done) && (!a->cli_pid || a->cli_done) &&
         a->probe_pid <= 0;
}

static void loop(struct app *a)
{
  struct epoll_event ev[16];

  for(;;) {
    int timeout = -1, n, i;
    uint64_t now = now_ns();
    if(a->stopping && all_done(a))
      break;
    if(a->stopping && a->kill_deadline) {
      if(now >= a->kill_deadline) {
        kill_groups(a, SIGKILL);
        if(a->probe_pid > 0)
          kill(a->probe_pid, SIGKILL);
        a->kill_deadline = now + KILL_GRACE_NS;
      }
      timeout = (int)((a->kill_deadline - now) / 1000000) + 1;
    } else if(a->srv_pid > 0 && !a->ready_seen && !a->srv_done) {
      if(now >= a->ready_deadline) {
        fprintf(stderr, "httpsbench-link: the server did not print "
                "'%s' within %g s\n", a->ready, a->ready_timeout_s);
        begin_stop(a, SIGTERM, "server not ready", 1);
        continue;
      }
      timeout = (int)((a->ready_deadline - now) / 1000000) + 1;
    }
    n = epoll_wait(a->ep, ev, 16, timeout);
    for(i = 0; i < n; i++) {
      switch(ev[i].data.u32) {
      case EV_TUN_C: read_tun(a, UP); break;
      case EV_TUN_S: read_tun(a, DOWN); break;
      case EV_TIMER: {
        uint64_t x;
        if(read(a->tfd, &x, sizeof(x)) == (ssize_t)sizeof(x))
          timer_fired(a);
        break;
      }
      case EV_SIG: on_signal(a); break;
      case EV_SRV_OUT: if(a->srv_out >= 0) server_output(a); break;
      case EV_PROBE: if(a->probe_fd >= 0) probe_input(a); break;
      }
    }
    deliver(a, UP);
    deliver(a, DOWN);
    arm_timer(a);
  }
}

static void print_stats(struct app *a, FILE *f)
{
  fprintf(f, "{\"tool\":\"httpsbench-link\",\"configured\":");
  hb_link_print_json(f, &a->cfg);
  fprintf(f, ",\"namespaces\":{\"client\":\"%s\",\"server\":\"%s\"},"
          "\"addresses\":{\"client\":\"" LINK_CLIENT_ADDR "\",\"server\":\""
          LINK_SERVER_ADDR "\",\"client6\":\"" LINK_CLIENT_ADDR6 "\","
          "\"server6\":\"" LINK_SERVER_ADDR6 "\"},\"duration_s\":%.6f,\"realtime\":%s,"
          "\"timer_early_us\":%.3f,\"client_to_server\":",
          a->side[C].name, a->side[S].name,
          (double)(now_ns() - a->t_start) / 1e9,
          a->realtime ? "true" : "false", (double)a->wake_ns / 1e3);
  emu_dir_print(f, &a->emu[UP]);
  fprintf(f, ",\"server_to_client\":");
  emu_dir_print(f, &a->emu[DOWN]);
  fprintf(f, ",\"measured\":%s,\"client_exit\":",
          a->measured ? a->measured : "null");
  if(a->cli_done)
    fprintf(f, "%d", status_code(a->cli_status));
  else
    fprintf(f, "null");
  fprintf(f, ",\"server_exit\":");
  if(a->srv_done)
    fprintf(f, "%d", status_code(a->srv_status));
  else
    fprintf(f, "null");
  fprintf(f, ",\"stopped_by\":");
  if(a->stop_why)
    fprintf(f, "\"%s\"", a->stop_sig ? strsignal(a->stop_sig)
                                     : a->stop_why);
  else
    fprintf(f, "null");
  fprintf(f, "}\n");
}

static void write_stats(struct app *a)
{
  FILE *f = stderr;

  if(a->stats_path && !strcmp(a->stats_path, "-"))
    f = stdout;
  else if(a->stats_path) {
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", a->stats_path, (long)getpid());
    f = fopen(tmp, "w");
    if(!f) {
      fprintf(stderr, "httpsbench-link: cannot write %s: %s\n", tmp,
              strerror(errno));
      return;
    }
    print_stats(a, f);
    if(fclose(f) || rename(tmp, a->stats_path))
      fprintf(stderr, "httpsbench-link: cannot write %s: %s\n",
              a->stats_path, strerror(errno));
    return;
  }
  print_stats(a, f);
  fflush(f);
}

static int setup(struct app *a, char *why, size_t n)
{
  sigset_t set;
  int i;

  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &set, NULL);
  a->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  a->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  a->ep = epoll_create1(EPOLL_CLOEXEC);
  a->probe_buf = malloc(PROBE_MAX);
  if(a->sfd < 0 || a->tfd < 0 || a->ep < 0 || !a->probe_buf) {
    snprintf(why, n, "event setup: %s", strerror(errno));
    return -1;
  }
  if(link_side_create(&a->side[C], "client", LINK_CLIENT_ADDR,
                      LINK_SERVER_ADDR, why, n) ||
     link_side_create(&a->side[S], "server", LINK_SERVER_ADDR,
                      LINK_CLIENT_ADDR, why, n))
    return -1;
  hb_link_resolve(&a->cfg, a->dir);
  for(i = 0; i < 2; i++)
    if(emu_dir_init(&a->emu[i], &a->dir[i], a->cfg.seed + (uint64_t)i,
                    a->cfg.reorder)) {
      snprintf(why, n, "out of memory");
      return -1;
    }
  ep_add(a, a->side[C].tun_fd, EV_TUN_C);
  ep_add(a, a->side[S].tun_fd, EV_TUN_S);
  ep_add(a, a->tfd, EV_TIMER);
  ep_add(a, a->sfd, EV_SIG);
  return 0;
}

int main(int argc, char **argv)
{
  static struct app a;
  char why[512];
  const char *problem;
  int i;

  a.srv_out = a.probe_fd = -1;
  for(i = 0; i < 2; i++)
    a.side[i].ns_fd = a.side[i].tun_fd = -1;
  parse_args(&a, argc, argv);
  if(!(a.cfg.given & HB_LINK_GIVEN_SEED))
    a.cfg.seed = now_ns() ^ ((uint64_t)getpid() << 32);
  problem = link_env_problem();
  if(problem) {
    fprintf(stderr, "httpsbench-link: %s\n", problem);
    return EXIT_CANNOT;
  }
  /* timerfd wake-ups within a microsecond, not the default 50 us; and
   * the CPU as soon as a packet is due, as a kernel qdisc would have it
   * (children do not inherit it) */
  prctl(PR_SET_TIMERSLACK, 1UL);
  if(!a.no_realtime) {
    struct sched_param sp = { .sched_priority = 10 };
    a.realtime = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
                                    &sp) == 0;
  }
  if(a.hold)
    prctl(PR_SET_PDEATHSIG, SIGTERM);
  link_sweep_stale();
  a.t_start = now_ns();
  if(setup(&a, why, sizeof(why))) {
    fprintf(stderr, "httpsbench-link: %s\n", why);
    link_side_destroy(&a.side[C]);
    link_side_destroy(&a.side[S]);
    return 1;
  }
  if(a.hold) {
    printf("ready %s %s %s %s %s %s\n", a.side[C].name, a.side[S].name,
           LINK_CLIENT_ADDR, LINK_SERVER_ADDR, LINK_CLIENT_ADDR6,
           LINK_SERVER_ADDR6);
    fflush(stdout);
    if(a.measure_n)
      start_probe(&a);
  } else if(a.measure_n) {
    a.probe_for_start = 1;
    start_probe(&a);
  } else
    start_server(&a);
  loop(&a);
  kill_groups(&a, SIGKILL);
  link_side_destroy(&a.side[C]);
  link_side_destroy(&a.side[S]);
  write_stats(&a);
  for(i = 0; i < 2; i++)
    emu_dir_free(&a.emu[i]);
  free(a.measured);
  free(a.probe_buf);
  return a.exit_code;
}
