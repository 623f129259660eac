/* fork/exec of engine processes; the front end links no TLS library. */
#include "engine_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/clock.h"
#include "hb/sig.h"
#include "link_fe.h"

int hb_engine_path(const char *backend, char *buf, size_t size)
{
  const char *dir = getenv("HTTPSBENCH_ENGINE_DIR");
  char self[4096];
  ssize_t n;
  struct stat st;

  if(dir && *dir)
    snprintf(buf, size, "%s/httpsbench-%s", dir, backend);
  else {
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if(n < 0)
      return -1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(buf, size, "%s/httpsbench-%s", self, backend);
  }
  return stat(buf, &st) == 0 && (st.st_mode & S_IXUSR) ? 0 : -1;
}

static int wait_child(pid_t pid)
{
  int status, forwarded = 0;

  for(;;) {
    pid_t r = waitpid(pid, &status, 0);
    if(r == pid)
      break;
    if(r < 0 && errno != EINTR)
      return -1;
    /* Ctrl-C reaches the whole process group, but `kill -INT` of the
     * front end alone must stop the engine too */
    if(hb_interrupted() && !forwarded) {
      kill(pid, SIGINT);
      forwarded = 1;
    }
  }
  if(WIFEXITED(status))
    return WEXITSTATUS(status);
  if(WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

static int spawn(char *const argv[], int cpu, int *in_fd, int *out_fd,
                 int quiet, const char *errlog)
{
  int fds[2] = { -1, -1 }, ins[2] = { -1, -1 };
  pid_t pid;

  if(out_fd && pipe2(fds, O_CLOEXEC))
    return -1;
  if(in_fd && pipe2(ins, O_CLOEXEC)) {
    if(out_fd) {
      close(fds[0]);
      close(fds[1]);
    }
    return -1;
  }
  pid = fork();
  if(pid < 0) {
    if(out_fd) {
      close(fds[0]);
      close(fds[1]);
    }
    if(in_fd) {
      close(ins[0]);
      close(ins[1]);
    }
    return -1;
  }
  if(pid == 0) {
    if(cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof(set), &set);
    }
    hb_fe_link_child(); /* into the link's namespace when one is set */
    if(errlog) {
      int e = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
      if(e >= 0)
        dup2(e, 2);
    }
    if(in_fd)
      dup2(ins[0], 0);
    if(out_fd)
      dup2(fds[1], 1);
    else if(quiet) {
      int null = open("/dev/null", O_WRONLY);
      if(null >= 0)
        dup2(null, 1);
    }
    execv(argv[0], argv);
    fprintf(stderr, "httpsbench: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
  }
  if(out_fd) {
    close(fds[1]);
    *out_fd = fds[0];
  }
  if(in_fd) {
    close(ins[0]);
    *in_fd = ins[1];
  }
  return pid;
}

int hb_engine_spawn(char *const argv[], int cpu, int *out_fd)
{
  return spawn(argv, cpu, NULL, out_fd, 0, NULL);
}

int hb_engine_spawn_io(char *const argv[], int *in_fd, int *out_fd)
{
  return spawn(argv, -1, in_fd, out_fd, 0, NULL);
}

int hb_engine_spawn_log(char *const argv[], int cpu, int *out_fd,
                        const char *errlog)
{
  return spawn(argv, cpu, NULL, out_fd, 0, errlog);
}

int hb_engine_exec_quiet(char *const argv[], int cpu)
{
  int pid = spawn(argv, cpu, NULL, NULL, 1, NULL);

  return pid < 0 ? -1 : wait_child(pid);
}

int hb_engine_wait(int pid)
{
  return wait_child(pid);
}

int hb_engine_exec_pinned(char *const argv[], int cpu)
{
  int pid = hb_engine_spawn(argv, cpu, NULL);

  return pid < 0 ? -1 : wait_child(pid);
}

int hb_engine_exec(char *const argv[])
{
  return hb_engine_exec_pinned(argv, -1);
}

int hb_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
  size_t n = 0;
  uint64_t end = hb_now_ns() + (uint64_t)timeout_ms * 1000000u;

  while(n + 1 < size) {
    struct pollfd p = { fd, POLLIN, 0 };
    int64_t left = (int64_t)(end - hb_now_ns()) / 1000000;
    ssize_t r;
    if(left <= 0 || poll(&p, 1, (int)left) <= 0)
      return -1;
    r = read(fd, buf + n, 1);
    if(r <= 0)
      return -1;
    if(buf[n] == '\n') {
      buf[n] = '\0';
      return 0;
    }
    n++;
  }
  buf[n] = '\0';
  return 0;
}

int hb_proc_usage(int pid, double *user_s, double *sys_s, long *rss_bytes,
                  long *hwm_bytes)
{
  char path[64], buf[2048], *p;
  unsigned long ut = 0, st = 0;
  long tck = sysconf(_SC_CLK_TCK);
  FILE *f;
  size_t n;

  snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  f = fopen(path, "r");
  if(!f)
    return -1;
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  /* fields after the command name, which may hold spaces: skip to ')' */
  p = strrchr(buf, ')');
  if(!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu "
                  "%lu", &ut, &st) != 2)
    return -1;
  *user_s = (double)ut / (double)tck;
  *sys_s = (double)st / (double)tck;
  *rss_bytes = *hwm_bytes = -1;
  snprintf(path, sizeof(path), "/proc/%d/status", pid);
  f = fopen(path, "r");
  while(f && fgets(buf, sizeof(buf), f)) {
    long kb;
    if(sscanf(buf, "VmRSS: %ld kB", &kb) == 1)
      *rss_bytes = kb * 1024;
    else if(sscanf(buf, "VmHWM: %ld kB", &kb) == 1)
      *hwm_bytes = kb * 1024;
  }
  if(f)
    fclose(f);
  return 0;
}

int hb_engine_capture(char *const argv[], char *out, size_t size)
{
  int fds[2], rc;
  pid_t pid;
  FILE *f;

  out[0] = '\0';
  if(pipe(fds))
    return -1;
  pid = fork();
  if(pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if(pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  f = fdopen(fds[0], "r");
  if(f) {
    if(fgets(out, (int)size, f))
      out[strcspn(out, "\n")] = '\0';
    while(fgetc(f) != EOF)
      ;
    fclose(f);
  }
  else
    close(fds[0]);
  rc = wait_child(pid);
  return rc;
}
