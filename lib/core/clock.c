/* Monotonic clock, TSC calibration, UTC timestamps and CPU times. */
#include "hb/clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

uint64_t hb_now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>

/* The TSC counts at a fixed rate only when the CPU says so. */
static int tsc_invariant(void)
{
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[4096];
  int constant = 0, nonstop = 0;

  if(!f)
    return 0;
  while(fgets(line, sizeof(line), f)) {
    if(strncmp(line, "flags", 5))
      continue;
    constant = strstr(line, " constant_tsc") != NULL;
    nonstop = strstr(line, " nonstop_tsc") != NULL;
    break;
  }
  fclose(f);
  return constant && nonstop;
}

double hb_tsc_ghz(void)
{
  static double ghz = -1;
  uint64_t t0, t1;
  unsigned long long c0, c1;

  if(ghz >= 0)
    return ghz;
  ghz = 0;
  if(!tsc_invariant())
    return ghz;
  t0 = hb_now_ns();
  c0 = __rdtsc();
  do
    t1 = hb_now_ns();
  while(t1 - t0 < 20000000u);
  c1 = __rdtsc();
  ghz = (double)(c1 - c0) / (double)(t1 - t0);
  return ghz;
}
#else
double hb_tsc_ghz(void)
{
  return 0;
}
#endif

void hb_utc_iso8601(char *buf, unsigned long size)
{
  time_t now = time(NULL);
  struct tm tm;

  gmtime_r(&now, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void hb_cpu_times(int children, double *user, double *sys)
{
  struct rusage ru;

  getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &ru);
  *user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  *sys = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}
