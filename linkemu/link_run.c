/* Driving httpsbench-link --hold from another program (the front end):
 * the emulator owns namespaces and devices and removes them when it
 * stops or when its parent dies; engines join the namespaces by name. */
#include "link_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One line from fd, byte by byte (nothing read past it). */
static int read_line(int fd, char *buf, size_t size, int timeout_ms)
{
  size_t n = 0;
  long end = now_ms() + timeout_ms;

  while(n + 1 < size) {
    struct pollfd p = { fd, POLLIN, 0 };
    long left = end - now_ms();
    char c;
    if(left <= 0 || poll(&p, 1, (int)left) != 1 || read(fd, &c, 1) != 1)
      return -1;
    if(c == '\n')
      break;
    buf[n++] = c;
  }
  buf[n] = '\0';
  return 0;
}

int hb_link_start(struct hb_link_run *r, const char *emulator,
                  const struct hb_link_cfg *cfg, int measure_n,
                  const char *stats_path, char *why, size_t whylen)
{
  char *argv[32], abuf[1024], mbuf[32], line[512];
  int n = 0, k, fds[2], st;

  memset(r, 0, sizeof(*r));
  r->out_fd = -1;
  snprintf(r->stats_path, sizeof(r->stats_path), "%s", stats_path);
  argv[n++] = (char *)emulator;
  k = hb_link_to_args(cfg, argv + n, 20, abuf, sizeof(abuf));
  if(k < 0) {
    snprintf(why, whylen, "link options too long");
    return -1;
  }
  n += k;
  snprintf(mbuf, sizeof(mbuf), "--measure=%d", measure_n);
  argv[n++] = mbuf;
  argv[n++] = "--stats";
  argv[n++] = r->stats_path;
  argv[n++] = "--hold";
  argv[n] = NULL;
  if(pipe2(fds, O_CLOEXEC)) {
    snprintf(why, whylen, "pipe: %s", strerror(errno));
    return -1;
  }
  r->pid = fork();
  if(r->pid < 0) {
    snprintf(why, whylen, "fork: %s", strerror(errno));
    return -1;
  }
  if(r->pid == 0) {
    dup2(fds[1], 1);
    execv(emulator, argv);
    fprintf(stderr, "cannot run %s: %s\n", emulator, strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  r->out_fd = fds[0];
  if(read_line(r->out_fd, line, sizeof(line), 10000) ||
     sscanf(line, "ready %63s %63s %31s %31s %47s %47s", r->ns[0],
            r->ns[1], r->addr[0], r->addr[1], r->addr6[0],
            r->addr6[1]) < 4) {
    close(r->out_fd);
    r->out_fd = -1;
    kill(r->pid, SIGTERM);
    waitpid(r->pid, &st, 0);
    r->pid = 0;
    if(WIFEXITED(st) && WEXITSTATUS(st) == 3) {
      snprintf(why, whylen, "the link emulator cannot run here (root and "
               "/dev/net/tun needed)");
      return 3;
    }
    snprintf(why, whylen, "the link emulator did not start");
    return -1;
  }
  if(measure_n > 0 && /* the first measurement, taken on start */
     read_line(r->out_fd, r->first, sizeof(r->first), 60000))
    r->first[0] = '\0';
  return 0;
}

int hb_link_enter(const struct hb_link_run *r, int side)
{
  char path[256];
  int fd, rc;

  snprintf(path, sizeof(path), "/run/netns/%s", r->ns[side]);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if(fd < 0)
    return -1;
  rc = setns(fd, CLONE_NEWNET);
  close(fd);
  return rc;
}

int hb_link_measure(struct hb_link_run *r, char *buf, size_t size,
                    int timeout_ms)
{
  if(r->pid <= 0 || kill(r->pid, SIGUSR1))
    return -1;
  return read_line(r->out_fd, buf, size, timeout_ms);
}

int hb_link_stop(struct hb_link_run *r)
{
  int st = 0;

  if(r->pid <= 0)
    return -1;
  kill(r->pid, SIGTERM);
  while(waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
    ;
  r->pid = 0;
  if(r->out_fd >= 0)
    close(r->out_fd);
  r->out_fd = -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
