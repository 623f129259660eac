/* fork/exec of engine processes; the front end links no TLS library. */
#include "hb/engine_run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/sig.h"

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

int hb_engine_exec(char *const argv[])
{
  pid_t pid = fork();

  if(pid < 0)
    return -1;
  if(pid == 0) {
    execv(argv[0], argv);
    fprintf(stderr, "httpsbench: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
  }
  return wait_child(pid);
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
