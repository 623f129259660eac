/* What the machine is: CPU, crypto-relevant flags, memory, kernel, OS;
 * and what it did during a run: time stolen by the hypervisor and the
 * CPUs' clock rates at the start and the end. */
#ifndef HB_ENVINFO_H
#define HB_ENVINFO_H

#include <jansson.h>

/* The report's "environment" object (new reference). */
json_t *hb_env_json(void);

#define HB_ENV_MAX_CPUS 256

/* The machine at one moment: /proc/stat's all-CPU times and each CPU's
 * current clock rate where the system says it. */
typedef struct hb_env_mark {
  long long steal, total; /* USER_HZ ticks; total -1: unreadable */
  double mhz[HB_ENV_MAX_CPUS];
  int nmhz;               /* 0: no rate readable */
  const char *mhz_source; /* "scaling_cur_freq", "cpuinfo" or NULL */
} hb_env_mark;

void hb_env_mark_now(hb_env_mark *m);

/* Adds to run (a report's "run" object) what happened between start and
 * end: "steal" {seconds, share} (CPU time the hypervisor gave to others,
 * summed over CPUs, and its share of all CPU time; null when /proc/stat
 * has no steal), "cpu_mhz_start" and "cpu_mhz_end" (one rate per CPU, or
 * null) and "cpu_mhz_source". */
void hb_env_run_json(json_t *run, const hb_env_mark *start,
                     const hb_env_mark *end);

#endif
