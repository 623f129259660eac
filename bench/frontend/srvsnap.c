/* Snapshots of a running server engine: SIGUSR1 makes it print one JSON
 * line of cumulative counters and its process CPU time in ns (see
 * servers/server.c); the difference of two snapshots is what the server
 * did between them, measured by the server itself. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "frontend.h"
#include "engine_run.h"
#include "hb/envinfo.h"

static double snum(json_t *o, const char *k)
{
  json_t *v = json_object_get(o, k);

  return json_is_number(v) ? json_number_value(v) : -1;
}

/* "procstat TICK cpu ... cpuN ..." (the remote wrapper's line, before
 * each snapshot) into the snapshot's host_* fields. */
static void host_procstat(const char *line, hb_srv_snap *out)
{
  hb_procstat_parse(line, &out->host_steal_s, &out->host_cpu_busy_s,
                    &out->host_cpu_total_s);
}

int hb_server_snapshot(const hb_server *s, hb_srv_snap *out, hb_err *err)
{
  char line[4096];
  int tries;

  memset(out, 0, sizeof(*out));
  out->host_steal_s = out->host_cpu_busy_s = out->host_cpu_total_s = -1;
  if(s->pid <= 0)
    return hb_err_set(err, HB_ERROR, "no server to ask");
  if(s->ctl_fd > 0) { /* over ssh: the wrapper sends the signal */
    if(write(s->ctl_fd, "s\n", 2) != 2)
      return hb_err_set(err, HB_ERROR, "the server's connection is gone");
  }
  else if(kill(s->pid, SIGUSR1))
    return hb_err_set(err, HB_ERROR, "the server is gone");
  /* the reply is the next snapshot line; anything else is skipped */
  for(tries = 0; tries < 16; tries++) {
    json_t *o, *tls;
    json_error_t je;

    if(hb_read_line(s->out_fd, line, sizeof(line), 5000))
      return hb_err_set(err, HB_ERROR, "the server did not answer a "
                        "snapshot request within 5 s");
    if(!strncmp(line, "procstat ", 9)) {
      host_procstat(line, out);
      continue;
    }
    o = json_loads(line, 0, &je);
    if(!o || !json_object_get(o, "snapshot")) {
      json_decref(o);
      continue;
    }
    out->t_ns = snum(o, "t_ns");
    out->cpu_ns = snum(o, "cpu_ns");
    out->connections = snum(o, "connections");
    out->requests = snum(o, "requests");
    out->handshakes = snum(o, "handshakes");
    out->handshake_ns = snum(o, "handshake_ns");
    out->resumed = snum(o, "resumed");
    out->bytes_body = snum(o, "bytes_body");
    out->live = snum(o, "live");
    out->h2_streams = snum(o, "h2_streams");
    out->rss = snum(o, "rss_bytes");
    tls = json_object_get(o, "tls");
    if(json_is_object(tls)) {
      snprintf(out->version, sizeof(out->version), "%s",
               json_string_value(json_object_get(tls, "version"))
               ? json_string_value(json_object_get(tls, "version")) : "");
      snprintf(out->cipher, sizeof(out->cipher), "%s",
               json_string_value(json_object_get(tls, "cipher"))
               ? json_string_value(json_object_get(tls, "cipher")) : "");
      snprintf(out->group, sizeof(out->group), "%s",
               json_string_value(json_object_get(tls, "group"))
               ? json_string_value(json_object_get(tls, "group")) : "");
    }
    json_decref(o);
    if(out->cpu_ns < 0 || out->t_ns < 0 || out->requests < 0)
      return hb_err_set(err, HB_ERROR, "the server's snapshot lacks "
                        "cpu_ns, t_ns or requests");
    return HB_OK;
  }
  return hb_err_set(err, HB_ERROR, "no snapshot line from the server");
}

double hb_srv_host_busy(const hb_srv_snap *s0, const hb_srv_snap *s1)
{
  if(s0->host_cpu_total_s < 0 || s1->host_cpu_busy_s < 0 ||
     !(s1->host_cpu_total_s > s0->host_cpu_total_s))
    return NAN;
  return (s1->host_cpu_busy_s - s0->host_cpu_busy_s) /
         (s1->host_cpu_total_s - s0->host_cpu_total_s);
}

double hb_steal_seconds(void)
{
  char buf[512];
  double busy, total, steal;
  FILE *f = fopen("/proc/stat", "r");
  int n = 0;

  if(!f)
    return -1;
  if(fgets(buf, sizeof(buf), f) && !strncmp(buf, "cpu ", 4))
    n = hb_stat_times(buf + 4, &busy, &total, &steal);
  fclose(f);
  return n == 8 ? steal / (double)sysconf(_SC_CLK_TCK) : -1;
}

int hb_wait_mark(int fd, const char *want, double seconds)
{
  char line[512];
  int ms = seconds < 0 ? 30000 : (int)(seconds * 1000);

  for(;;) {
    if(hb_read_line(fd, line, sizeof(line), ms))
      return -1;
    if(*want && !strncmp(line, want, strlen(want)))
      return 0;
  }
}

int hb_cpu_busy(int cpu, double *busy_s, double *total_s)
{
  char buf[512], want[32];
  double busy, total, steal, tck = (double)sysconf(_SC_CLK_TCK);
  FILE *f = fopen("/proc/stat", "r");
  int rc = -1;

  snprintf(want, sizeof(want), "cpu%d ", cpu);
  while(f && fgets(buf, sizeof(buf), f)) {
    if(strncmp(buf, want, strlen(want)))
      continue;
    if(hb_stat_times(buf + strlen(want), &busy, &total, &steal) >= 4) {
      *busy_s = busy / tck;
      *total_s = total / tck;
      rc = 0;
    }
    break;
  }
  if(f)
    fclose(f);
  return rc;
}
