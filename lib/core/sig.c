/* SIGINT/SIGTERM handling shared by the front end and the engines. */
#include "hb/sig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
  got_signal = sig;
}

void hb_signals_install(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  /* no SA_RESTART: a blocking wait returns EINTR so we can react */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

int hb_interrupted(void)
{
  return got_signal;
}

double hb_realtime(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9; /* ~0.2 us steps */
}

static void *eof_watch(void *arg)
{
  char buf[256];
  ssize_t n;

  (void)arg;
  do
    n = read(0, buf, sizeof(buf));
  while(n > 0 || (n < 0 && errno == EINTR));
  kill(getpid(), SIGTERM);
  return NULL;
}

int hb_stop_on_eof(char *why, size_t size)
{
  pthread_t tid;

  if(pthread_create(&tid, NULL, eof_watch, NULL)) {
    snprintf(why, size, "--stop-on-eof: cannot start a thread");
    return -1;
  }
  pthread_detach(tid);
  return 0;
}

int hb_start_at(double at, double *started, char *why, size_t size)
{
  double now = hb_realtime();

  if(at > now + 600) {
    snprintf(why, size, "--start-at is %.1f s ahead of this host's clock "
             "(more than 600 s: clocks apart?)", at - now);
    return -1;
  }
  while(at > 0 && (now = hb_realtime()) < at && !hb_interrupted()) {
    double left = at - now;
    struct timespec ts;

    if(left > 0.05)
      left = 0.05;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)(left * 1e9);
    nanosleep(&ts, NULL);
  }
  *started = hb_realtime();
  return 0;
}
