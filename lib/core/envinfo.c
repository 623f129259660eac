/* Environment facts for the report, read from /proc, /sys and uname. */
#include "hb/envinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hb/clock.h"
#include "hb/report.h"

/* Flags that decide how fast symmetric and public-key crypto run. */
static const char *const crypto_flags[] = {
  "aes", "pclmulqdq", "avx", "avx2", "avx512f", "avx512bw", "avx512vl",
  "avx512ifma", "vaes", "vpclmulqdq", "sha_ni", "adx", "bmi2", "rdrand",
  "constant_tsc", "nonstop_tsc", NULL
};

static int has_word(const char *line, const char *word)
{
  size_t n = strlen(word);
  const char *p = line;

  while((p = strstr(p, word)) != NULL) {
    if((p == line || p[-1] == ' ' || p[-1] == '\t') &&
       (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
      return 1;
    p += n;
  }
  return 0;
}

static void strip(char *s)
{
  size_t n = strlen(s);
  while(n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '"'))
    s[--n] = '\0';
}

static void cpu_info(json_t *env)
{
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[8192], model[256] = "unknown";
  double mhz = 0;
  json_t *flags = json_array();
  int seen_flags = 0, i;

  while(f && fgets(line, sizeof(line), f)) {
    char *colon = strchr(line, ':');
    if(!colon)
      continue;
    if(!strncmp(line, "model name", 10) && !strcmp(model, "unknown")) {
      snprintf(model, sizeof(model), "%s", colon + 2);
      strip(model);
    }
    else if(!strncmp(line, "cpu MHz", 7) && mhz == 0)
      mhz = atof(colon + 1);
    else if(!strncmp(line, "flags", 5) && !seen_flags) {
      seen_flags = 1;
      for(i = 0; crypto_flags[i]; i++)
        if(has_word(colon + 1, crypto_flags[i]))
          json_array_append_new(flags, json_string(crypto_flags[i]));
    }
  }
  if(f)
    fclose(f);
  json_object_set_new(env, "cpu_model", json_string(model));
  json_object_set_new(env, "cpu_flags", flags);
  json_object_set_new(env, "cpu_mhz", mhz > 0 ? json_real(mhz) : json_null());
  json_object_set_new(env, "tsc_ghz", hb_json_num(hb_tsc_ghz()));
}

static json_t *first_line(const char *path)
{
  FILE *f = fopen(path, "r");
  char buf[256];

  if(!f)
    return json_null();
  if(!fgets(buf, sizeof(buf), f)) {
    fclose(f);
    return json_null();
  }
  fclose(f);
  strip(buf);
  return json_string(buf);
}

static json_t *os_name(void)
{
  FILE *f = fopen("/etc/os-release", "r");
  char line[512];

  while(f && fgets(line, sizeof(line), f)) {
    if(!strncmp(line, "PRETTY_NAME=", 12)) {
      char *v = line + 12 + (line[12] == '"');
      fclose(f);
      strip(v);
      return json_string(v);
    }
  }
  if(f)
    fclose(f);
  return json_null();
}

static json_t *mem_total(void)
{
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long long kb = -1;

  while(f && fgets(line, sizeof(line), f))
    if(sscanf(line, "MemTotal: %lld kB", &kb) == 1)
      break;
  if(f)
    fclose(f);
  return kb > 0 ? json_integer(kb * 1024) : json_null();
}

/* The PM QoS request that keeps idle CPUs polling: open while we run;
 * the kernel drops it when the last descriptor to it closes (engines
 * started by the front end inherit it across exec). */
static int idle_fd = -1;
static char idle_why[160];

int hb_cpu_idle_poll(void)
{
  const char *mode = getenv("HTTPSBENCH_CPU_IDLE");
  int32_t zero = 0;
  int fd;

  if(idle_fd >= 0)
    return 0;
  if(mode && !strcmp(mode, "os")) {
    snprintf(idle_why, sizeof(idle_why), "HTTPSBENCH_CPU_IDLE=os");
    return -1;
  }
  /* no O_CLOEXEC on purpose: an engine exec'd by the front end keeps
   * the request for as long as it runs */
  fd = open("/dev/cpu_dma_latency", O_WRONLY); /* NOLINT(android-cloexec-open) */
  if(fd < 0) {
    snprintf(idle_why, sizeof(idle_why), "/dev/cpu_dma_latency: %s",
             strerror(errno));
    return -1;
  }
  if(write(fd, &zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
    snprintf(idle_why, sizeof(idle_why), "/dev/cpu_dma_latency: %s",
             strerror(errno));
    close(fd);
    return -1;
  }
  idle_fd = fd;
  idle_why[0] = '\0';
  return 0;
}

/* What idle CPUs did during the run, as the kernel says: the cpuidle
 * driver and the PM QoS latency limit in force (read back from the
 * device: 0 = idle CPUs poll, never halt; 2000000000 = no limit). The
 * limit acts through the cpuidle driver: without one ("none", or no
 * cpuidle directory, as in many VMs) idle CPUs halt whatever it says. */
static json_t *cpu_idle_json(void)
{
  json_t *o = json_object();
  json_t *driver = first_line("/sys/devices/system/cpu/cpuidle/"
                              "current_driver");
  int32_t limit = -1;
  int fd = open("/dev/cpu_dma_latency", O_RDONLY | O_CLOEXEC);
  int has_driver = json_is_string(driver) &&
                   strcmp(json_string_value(driver), "none");

  if(fd >= 0) {
    if(read(fd, &limit, sizeof(limit)) != (ssize_t)sizeof(limit))
      limit = -1;
    close(fd);
  }
  json_object_set_new(o, "driver", driver);
  json_object_set_new(o, "latency_limit_us",
                      limit >= 0 ? json_integer(limit) : json_null());
  json_object_set_new(o, "polling", json_boolean(limit == 0 && has_driver));
  json_object_set_new(o, "held", json_boolean(idle_fd >= 0));
  json_object_set_new(o, "why_not", idle_fd >= 0 || !idle_why[0]
                                      ? json_null()
                                      : json_string(idle_why));
  return o;
}

json_t *hb_env_json(void)
{
  json_t *env = json_object(), *load = json_array();
  struct utsname u;
  double la[3];
  char host[256] = "";
  int i;

  cpu_info(env);
  json_object_set_new(env, "logical_cpus",
                      json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
  json_object_set_new(env, "memory_bytes", mem_total());
  if(uname(&u) == 0) {
    char k[600];
    snprintf(k, sizeof(k), "%s %s %s", u.sysname, u.release, u.machine);
    json_object_set_new(env, "kernel", json_string(k));
  }
  else
    json_object_set_new(env, "kernel", json_null());
  json_object_set_new(env, "os", os_name());
  json_object_set_new(env, "governor", first_line(
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
  if(getloadavg(la, 3) == 3)
    for(i = 0; i < 3; i++)
      json_array_append_new(load, json_real(la[i]));
  json_object_set_new(env, "load_average", load);
  json_object_set_new(env, "cpu_idle", cpu_idle_json());
  gethostname(host, sizeof(host) - 1);
  json_object_set_new(env, "hostname", json_string(host));
  return env;
}

/* The "cpu" line: user nice system idle iowait irq softirq steal ...;
 * guest time is already inside user. */
static void proc_stat(hb_env_mark *m)
{
  FILE *f = fopen("/proc/stat", "r");
  long long v[8] = { 0 };
  int n = 0, i;

  m->steal = 0;
  m->total = -1;
  if(!f)
    return;
  n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
             &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if(n < 4)
    return;
  m->total = 0;
  for(i = 0; i < n; i++)
    m->total += v[i];
  m->steal = n == 8 ? v[7] : -1;
}

static void cpu_rates(hb_env_mark *m)
{
  char path[128], line[512];
  FILE *f;
  int c;

  m->nmhz = 0;
  m->mhz_source = NULL;
  for(c = 0; c < HB_ENV_MAX_CPUS; c++) {
    long long khz;
    snprintf(path, sizeof(path),
             "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", c);
    f = fopen(path, "r");
    if(!f)
      break;
    if(fscanf(f, "%lld", &khz) == 1 && khz > 0)
      m->mhz[m->nmhz++] = (double)khz / 1e3;
    fclose(f);
  }
  if(m->nmhz) {
    m->mhz_source = "scaling_cur_freq";
    return;
  }
  f = fopen("/proc/cpuinfo", "r");
  while(f && fgets(line, sizeof(line), f) && m->nmhz < HB_ENV_MAX_CPUS) {
    char *colon = strchr(line, ':');
    if(colon && !strncmp(line, "cpu MHz", 7) && atof(colon + 1) > 0)
      m->mhz[m->nmhz++] = atof(colon + 1);
  }
  if(f)
    fclose(f);
  if(m->nmhz)
    m->mhz_source = "cpuinfo";
}

void hb_env_mark_now(hb_env_mark *m)
{
  proc_stat(m);
  cpu_rates(m);
}

static json_t *rates_json(const hb_env_mark *m)
{
  json_t *a;
  int i;

  if(!m->nmhz)
    return json_null();
  a = json_array();
  for(i = 0; i < m->nmhz; i++)
    json_array_append_new(a, json_real(m->mhz[i]));
  return a;
}

void hb_env_run_json(json_t *run, const hb_env_mark *start,
                     const hb_env_mark *end)
{
  long long total = end->total - start->total;
  json_t *steal = json_null();

  if(start->total >= 0 && end->total >= 0 && start->steal >= 0 &&
     end->steal >= 0 && total > 0) {
    long long st = end->steal - start->steal;
    long hz = sysconf(_SC_CLK_TCK);
    steal = json_object();
    json_object_set_new(steal, "seconds", json_real((double)st /
                                                    (hz > 0 ? hz : 100)));
    json_object_set_new(steal, "share", json_real((double)st /
                                                  (double)total));
  }
  json_object_set_new(run, "steal", steal);
  json_object_set_new(run, "cpu_mhz_start", rates_json(start));
  json_object_set_new(run, "cpu_mhz_end", rates_json(end));
  json_object_set_new(run, "cpu_mhz_source", end->mhz_source ?
                      json_string(end->mhz_source) : json_null());
}

int hb_stat_times(const char *p, double *busy, double *total,
                  double *steal)
{
  unsigned long long v[8];
  int n;

  memset(v, 0, sizeof(v));
  n = sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
             &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]);
  *total = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]);
  *steal = (double)v[7];
  return n;
}

#define PS_MAX_CPUS 32 /* more: the all-CPU line alone */

int hb_procstat_line(char *buf, size_t size)
{
  char line[512], cpus[PS_MAX_CPUS][512];
  FILE *f = fopen("/proc/stat", "r");
  cpu_set_t set;
  int have_set, all = 0, nsel = 0, ncpu = 0, i;
  size_t len;

  if(!f)
    return -1;
  have_set = sched_getaffinity(0, sizeof(set), &set) == 0;
  len = (size_t)snprintf(buf, size, "procstat %ld", sysconf(_SC_CLK_TCK));
  while(fgets(line, sizeof(line), f)) {
    int cpu;

    line[strcspn(line, "\n")] = '\0';
    if(!strncmp(line, "cpu ", 4)) {
      all = 1;
      if(len < size)
        len += (size_t)snprintf(buf + len, size - len, " %s", line);
      continue;
    }
    if(sscanf(line, "cpu%d ", &cpu) != 1)
      continue;
    ncpu++;
    if(!have_set || cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set))
      continue;
    if(nsel < PS_MAX_CPUS)
      memcpy(cpus[nsel], line, sizeof(line));
    nsel++;
  }
  fclose(f);
  /* the CPUs it may run on, when they are not all of them */
  if(nsel < ncpu && nsel <= PS_MAX_CPUS)
    for(i = 0; i < nsel && len < size; i++)
      len += (size_t)snprintf(buf + len, size - len, " %s", cpus[i]);
  return all && len < size ? 0 : -1;
}

void hb_procstat_parse(const char *line, double *steal_s, double *busy_s,
                       double *total_s)
{
  const char *p = strstr(line, " cpu "), *q = line;
  double tck = strtod(line + 9, NULL), busy, total, steal, sb = 0, st = 0;
  int n = 0;

  *steal_s = *busy_s = *total_s = -1;
  if(strncmp(line, "procstat ", 9) || !(tck > 0))
    return;
  if(p && (n = hb_stat_times(p + 5, &busy, &total, &steal)) >= 4) {
    if(n == 8)
      *steal_s = steal / tck;
    *busy_s = busy / tck;
    *total_s = total / tck;
  }
  n = 0;
  while((q = strstr(q, " cpu")) != NULL) {
    q += 4;
    if(*q < '0' || *q > '9')
      continue;
    q += strspn(q, "0123456789");
    if(hb_stat_times(q, &busy, &total, &steal) >= 4) {
      sb += busy;
      st += total;
      n++;
    }
  }
  if(n) { /* the CPUs named, not the host's average */
    *busy_s = sb / tck;
    *total_s = st / tck;
  }
}
