/* What the machine is: CPU, crypto-relevant flags, memory, kernel, OS;
 * and what it did during a run: time stolen by the hypervisor and the
 * CPUs' clock rates at the start and the end. */
#ifndef HB_ENVINFO_H
#define HB_ENVINFO_H

#include <stddef.h>

#include <jansson.h>

/* Idle CPUs poll instead of halting while this process (and the engines
 * it execs) runs: a PM QoS request of 0 us on /dev/cpu_dma_latency, as
 * tuned's latency-performance profile makes. In a VM a halted vCPU takes
 * tens to hundreds of microseconds to wake (measured here: 1 KiB
 * request/response over loopback, one connection, p50 297 us halting,
 * 16 us polling), which otherwise dominates every loopback figure.
 * HTTPSBENCH_CPU_IDLE=os leaves the system's idle policy alone. 0 when
 * held, -1 when not (no permission, no device, or asked not to); the
 * report's environment.cpu_idle says which and why. */
int hb_cpu_idle_poll(void);

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

/* The busy (user, nice, system, irq, softirq: not idle or iowait), total
 * (all eight) and steal times of one /proc/stat cpu line, p just after
 * its name, in ticks; the fields read (4 give busy and total, 8 steal
 * too). */
int hb_stat_times(const char *p, double *busy, double *total,
                  double *steal);

/* One line "procstat TICK cpu ... [cpuN ...]" (no newline): /proc/stat's
 * all-CPU line and the lines of the CPUs this process may run on (none
 * when it may run on every CPU, or on more than 32), TICK the clock
 * tick. What a driver over hosts reads at a window's edges: the load
 * engine prints it before each mark (--procstat); the server's ssh
 * wrapper (remote_run.c) writes the same from shell. 0, or -1 when
 * /proc/stat cannot be read or the line does not fit. */
int hb_procstat_line(char *buf, size_t size);

/* What such a line says, in seconds: the host's steal (all CPUs), and the
 * busy and total time of its cpuN lines summed (of the all-CPU line when
 * there is none); -1 for what it does not say. */
void hb_procstat_parse(const char *line, double *steal_s, double *busy_s,
                       double *total_s);

#endif
