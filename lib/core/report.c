/* Report construction and atomic writing (jansson). */
#include "hb/report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb/alloc.h"
#include "hb/clock.h"
#include "hb/envinfo.h"
#include "hb_buildinfo.h"

json_t *hb_json_num(double v)
{
  /* json_real() refuses NaN and Infinity: JSON has no such numbers */
  json_t *j = isfinite(v) ? json_real(v) : NULL;
  return j ? j : json_null();
}

static json_t *tool_json(void)
{
  json_t *t = json_object();

  json_object_set_new(t, "name", json_string("httpsbench"));
  json_object_set_new(t, "version", json_string(HB_VERSION));
  json_object_set_new(t, "git_commit", json_string(HB_GIT_COMMIT));
  json_object_set_new(t, "git_dirty", HB_GIT_DIRTY < 0 ? json_null()
                                      : json_boolean(HB_GIT_DIRTY));
  json_object_set_new(t, "compiler", json_string(HB_COMPILER));
  json_object_set_new(t, "flags", json_string(HB_CFLAGS));
  json_object_set_new(t, "build_type", json_string(HB_BUILD_TYPE));
  return t;
}

json_t *hb_report_new(int argc, char **argv)
{
  json_t *r = json_object(), *run = json_object(), *cmd = json_array();
  char now[32];
  int i;

  for(i = 0; i < argc; i++)
    json_array_append_new(cmd, json_string(argv[i]));
  hb_utc_iso8601(now, sizeof(now));
  json_object_set_new(run, "start", json_string(now));
  json_object_set_new(run, "end", json_null());
  json_object_set_new(run, "command_line", cmd);
  json_object_set_new(run, "interrupted", json_false());
  json_object_set_new(r, "schema_version", json_string(HB_SCHEMA_VERSION));
  json_object_set_new(r, "tool", tool_json());
  json_object_set_new(r, "run", run);
  json_object_set_new(r, "environment", hb_env_json());
  json_object_set_new(r, "backends", json_array());
  json_object_set_new(r, "results", json_array());
  return r;
}

void hb_report_add_backend(json_t *report, const char *name,
                           const char *version)
{
  json_t *b = json_object();

  json_object_set_new(b, "name", json_string(name));
  json_object_set_new(b, "version", json_string(version));
  json_array_append_new(json_object_get(report, "backends"), b);
}

void hb_report_set_backend_origin(json_t *report, const char *name,
                                  const char *origin)
{
  size_t i;
  json_t *b;

  json_array_foreach(json_object_get(report, "backends"), i, b) {
    /* no name: jansson could not allocate it (hb_json_oom says so) */
    const char *n = json_string_value(json_object_get(b, "name"));
    if(origin && n && !strcmp(n, name))
      json_object_set_new(b, "origin", json_string(origin));
  }
}

json_t *hb_report_add_result(json_t *report, const char *suite,
                             const char *name, const char *backend,
                             const char *unit)
{
  json_t *r = json_object();

  json_object_set_new(r, "suite", json_string(suite));
  json_object_set_new(r, "name", json_string(name));
  json_object_set_new(r, "backend", json_string(backend));
  json_object_set_new(r, "params", json_object());
  json_object_set_new(r, "unit", json_string(unit));
  json_object_set_new(r, "samples", json_array());
  json_object_set_new(r, "stats", json_null());
  json_object_set_new(r, "status", json_string("ok"));
  /* appending frees r when it fails: none to hand out then (jansson's
   * calls take NULL; the write then refuses, see hb_json_oom) */
  if(json_array_append_new(json_object_get(report, "results"), r))
    return NULL;
  return r;
}

json_t *hb_stats_json(const hb_stats *st)
{
  json_t *s = json_object();

  json_object_set_new(s, "median", hb_json_num(st->median));
  json_object_set_new(s, "mean", hb_json_num(st->mean));
  json_object_set_new(s, "stddev", hb_json_num(st->stddev));
  json_object_set_new(s, "min", hb_json_num(st->min));
  json_object_set_new(s, "max", hb_json_num(st->max));
  json_object_set_new(s, "ci_low", hb_json_num(st->ci_low));
  json_object_set_new(s, "ci_high", hb_json_num(st->ci_high));
  json_object_set_new(s, "ci_level", hb_json_num(st->ci_level));
  json_object_set_new(s, "cv", hb_json_num(st->cv));
  json_object_set_new(s, "n", json_integer((json_int_t)st->n));
  return s;
}

json_t *hb_stats_json_batches(const hb_stats *st, size_t batches)
{
  json_t *s = hb_stats_json(st);

  json_object_set_new(s, "ci_method", json_string("batch_means"));
  json_object_set_new(s, "ci_batches", json_integer((json_int_t)batches));
  return s;
}

void hb_result_set_samples(json_t *result, const double *samples, size_t n)
{
  json_t *arr = json_array();
  hb_stats st;
  size_t i;

  for(i = 0; i < n; i++)
    json_array_append_new(arr, hb_json_num(samples[i]));
  json_object_set_new(result, "samples", arr);
  if(n && hb_stats_compute(samples, n, &st) == 0)
    json_object_set_new(result, "stats", hb_stats_json(&st));
  else
    json_object_set_new(result, "stats", json_null());
}

void hb_result_set_status(json_t *result, int status, const char *msg)
{
  const char *s = status == HB_OK ? "ok"
                  : status == HB_UNSUPPORTED ? "unsupported" : "error";

  json_object_set_new(result, "status", json_string(s));
  if(status != HB_OK)
    json_object_set_new(result, "error",
                        json_string(msg && *msg ? msg : "unknown error"));
}

/* The temporary name sits in the target's directory so rename() is atomic
 * (same file system). */
static int tmp_open(const char *path, char *tmp, size_t size, hb_err *err)
{
  char dirbuf[4096];
  const char *dir;
  int fd;

  snprintf(dirbuf, sizeof(dirbuf), "%s", path);
  dir = dirname(dirbuf);
  snprintf(tmp, size, "%s/.%s.tmpXXXXXX", dir,
           strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  fd = mkstemp(tmp);
  if(fd < 0)
    return hb_err_set(err, HB_ERROR, "cannot write %s: %s", path,
                      strerror(errno));
  return fd;
}

int hb_report_check_path(const char *path, hb_err *err)
{
  char tmp[4200];
  int fd;

  if(!path || !*path)
    return hb_err_set(err, HB_ERROR, "empty report path");
  if(path[strlen(path) - 1] == '/')
    return hb_err_set(err, HB_ERROR, "cannot write %s: is a directory",
                      path);
  fd = tmp_open(path, tmp, sizeof(tmp), err);
  if(fd < 0)
    return HB_ERROR;
  close(fd);
  unlink(tmp);
  return HB_OK;
}

/* json_dump_callback's sink: straight to the file descriptor, so writing
 * allocates nothing beyond jansson's own (no stdio buffer). */
static int dump_fd(const char *buf, size_t size, void *arg)
{
  int fd = *(int *)arg;

  while(size) {
    ssize_t n = write(fd, buf, size);
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      return -1;
    buf += n;
    size -= (size_t)n;
  }
  return 0;
}

int hb_report_write(json_t *report, const char *path, int interrupted,
                    hb_err *err)
{
  json_t *run = json_object_get(report, "run");
  char tmp[4200], now[32];
  int fd, rc = HB_ERROR;

  hb_utc_iso8601(now, sizeof(now));
  json_object_set_new(run, "end", json_string(now));
  json_object_set_new(run, "interrupted", json_boolean(interrupted));
  /* a member jansson could not allocate is missing from the report: a
   * report that says less than was measured is not written */
  if(hb_json_oom() || !json_is_object(report))
    return hb_err_set(err, HB_ERROR, "cannot write %s: out of memory "
                      "while building the report", path);
  fd = tmp_open(path, tmp, sizeof(tmp), err);
  if(fd < 0)
    return HB_ERROR;
  fchmod(fd, 0644);
  errno = 0;
  if(json_dump_callback(report, dump_fd, &fd, JSON_INDENT(1) |
                        JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) ||
     dump_fd("\n", 1, &fd) || fsync(fd)) {
    hb_err_set(err, HB_ERROR, "cannot write %s: %s", path,
               errno ? strerror(errno) : "out of memory");
    close(fd);
    goto out;
  }
  if(close(fd)) {
    hb_err_set(err, HB_ERROR, "cannot write %s: %s", path, strerror(errno));
    goto out;
  }
  if(rename(tmp, path)) {
    hb_err_set(err, HB_ERROR, "cannot rename to %s: %s", path,
               strerror(errno));
    goto out;
  }
  rc = HB_OK;
out:
  if(rc != HB_OK)
    unlink(tmp);
  return rc;
}

/* What makes JSON a report this build reads; r is consumed on failure. */
static json_t *report_check(json_t *r, const char *name, hb_err *err)
{
  const char *sv = json_string_value(json_object_get(r, "schema_version"));

  if(!json_is_object(r) || !sv) {
    hb_err_set(err, HB_ERROR, "%s: not an httpsbench report "
               "(no schema_version)", name);
    json_decref(r);
    return NULL;
  }
  if(atoi(sv) < 1 || atoi(sv) > atoi(HB_SCHEMA_VERSION)) {
    hb_err_set(err, HB_ERROR, "%s: schema_version %s is not supported "
               "(this build reads 1.x to %d.x)", name, sv,
               atoi(HB_SCHEMA_VERSION));
    json_decref(r);
    return NULL;
  }
  if(!json_is_array(json_object_get(r, "results"))) {
    hb_err_set(err, HB_ERROR, "%s: missing results array", name);
    json_decref(r);
    return NULL;
  }
  return r;
}

json_t *hb_report_load(const char *path, hb_err *err)
{
  json_error_t je;
  json_t *r = json_load_file(path, 0, &je);

  if(!r) {
    hb_err_set(err, HB_ERROR, "%s: not valid JSON: %s (line %d)", path,
               je.text, je.line);
    return NULL;
  }
  return report_check(r, path, err);
}

json_t *hb_report_parse(const char *buf, size_t len, const char *name,
                        hb_err *err)
{
  json_error_t je;
  json_t *r = json_loadb(buf, len, 0, &je);

  if(!r) {
    hb_err_set(err, HB_ERROR, "%s: not valid JSON: %s (line %d)", name,
               je.text, je.line);
    return NULL;
  }
  return report_check(r, name, err);
}
