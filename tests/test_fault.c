/* Fault injection on the report writer (built with HB_FAULT_INJECT):
 * allocation N fails, for N = 1, 2, ... until building and writing a
 * report no longer reaches N. Each failing N: hb_report_write says why
 * and fails, the previous report at that path is left byte for byte, no
 * temporary file stays; LeakSanitizer (CI's ASan build) sees no leak at
 * exit. Then a write that the file-size limit stops half-way (a full disk
 * without a mount: RLIMIT_FSIZE, SIGXFSZ ignored) does the same.
 * usage: test_fault DIR (an empty scratch directory) */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hb/alloc.h"
#include "hb/report.h"

#define MAX_N 100000

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  if(!f)
    return NULL;
  if(fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
     !(buf = malloc((size_t)n + 1))) {
    fclose(f);
    return NULL;
  }
  *len = fread(buf, 1, (size_t)n, f);
  fclose(f);
  return buf;
}

/* Files in dir other than keep. */
static int strays(const char *dir, const char *keep)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  if(!d)
    return -1;
  while((e = readdir(d)))
    if(strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
       strcmp(e->d_name, keep)) {
      fprintf(stderr, "left behind: %s/%s\n", dir, e->d_name);
      n++;
    }
  closedir(d);
  return n;
}

/* A report as a suite builds one: backend, two results with samples. */
static json_t *build(int samples)
{
  char *argv[] = { "httpsbench-openssl", "crypto", "--json", "r.json",
                   NULL };
  double s[64];
  json_t *r = hb_report_new(4, argv), *res;
  int i;

  for(i = 0; i < samples; i++)
    s[i] = 1000.0 + i * 3.25;
  hb_report_add_backend(r, "openssl", "3.0.15");
  hb_report_set_backend_origin(r, "openssl", "Debian");
  res = hb_report_add_result(r, "crypto", "sha256/16", "openssl", "ops/s");
  json_object_set_new(json_object_get(res, "params"), "size",
                      json_integer(16));
  hb_result_set_samples(res, s, (size_t)samples);
  res = hb_report_add_result(r, "crypto", "x25519/derive", "openssl",
                             "ops/s");
  hb_result_set_status(res, HB_UNSUPPORTED, "not in this build");
  return r;
}

static void test_alloc(const char *dir, const char *path)
{
  hb_err err;
  json_t *r;
  char *before, *after;
  size_t blen, alen;
  unsigned long n, failed = 0;
  int done = 0;

  hb_fault_set(0);
  r = build(3);
  CHECK(hb_report_write(r, path, 0, &err) == HB_OK, "first report: %s",
        err.msg);
  json_decref(r);
  before = slurp(path, &blen);
  CHECK(before != NULL, "first report unreadable");
  if(!before)
    return;
  for(n = 1; n <= MAX_N && !done; n++) {
    int rc;

    hb_json_oom_clear();
    hb_fault_set(n);
    err.msg[0] = 0;
    r = build(40);
    rc = hb_report_write(r, path, 0, &err);
    if(!hb_fault_hit()) {
      json_t *back;

      /* N not reached: the whole operation ran without a failure */
      CHECK(rc == HB_OK, "no failure injected, write failed: %s", err.msg);
      hb_fault_set(0);
      back = hb_report_load(path, &err);
      CHECK(back != NULL, "the report written does not read: %s", err.msg);
      if(back) {
        size_t f = JSON_COMPACT | JSON_PRESERVE_ORDER |
                   JSON_REAL_PRECISION(10);
        char *a = json_dumps(back, f), *b = json_dumps(r, f);
        CHECK(a && b && !strcmp(a, b), "the report reads back different");
        free(a);
        free(b);
      }
      json_decref(back);
      done = 1;
    }
    else {
      failed++;
      CHECK(rc != HB_OK, "allocation %lu failed, write said ok", n);
      CHECK(err.msg[0] && !strchr(err.msg, '\n'), "allocation %lu: no "
            "one-line reason: '%s'", n, err.msg);
      after = slurp(path, &alen);
      CHECK(after && alen == blen && !memcmp(before, after, blen),
            "allocation %lu: the previous report changed", n);
      free(after);
      CHECK(strays(dir, "r.json") == 0, "allocation %lu: a temporary file "
            "stayed", n);
    }
    json_decref(r);
  }
  hb_fault_set(0);
  hb_json_oom_clear();
  CHECK(done, "the operation still failed after %d allocations", MAX_N);
  CHECK(failed >= 100, "only %lu allocation sites reached", failed);
  printf("report writer: %lu allocations failed one at a time, each a "
         "clean error\n", failed);
  free(before);
}

/* The disk fills while the report is written: a file-size limit stops
 * the write half-way with EFBIG, as ENOSPC would. */
static void test_full(const char *dir, const char *path)
{
  struct rlimit old, lim;
  hb_err err;
  json_t *r;
  char *before, *after;
  size_t blen, alen;
  int rc;

  r = build(3);
  CHECK(hb_report_write(r, path, 0, &err) == HB_OK, "first report: %s",
        err.msg);
  json_decref(r);
  before = slurp(path, &blen);
  CHECK(before != NULL && blen > 600, "first report unreadable");
  if(!before)
    return;
  signal(SIGXFSZ, SIG_IGN);
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 512; /* less than the report: the write stops inside */
  CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "setrlimit: %s",
        strerror(errno));
  r = build(40);
  err.msg[0] = 0;
  rc = hb_report_write(r, path, 0, &err);
  setrlimit(RLIMIT_FSIZE, &old);
  CHECK(rc != HB_OK && strstr(err.msg, "too large"), "full: rc %d, '%s'",
        rc, err.msg);
  after = slurp(path, &alen);
  CHECK(after && alen == blen && !memcmp(before, after, blen),
        "full: the previous report changed");
  CHECK(strays(dir, "r.json") == 0, "full: a temporary file stayed");
  free(after);
  free(before);
  json_decref(r);
}

int main(int argc, char **argv)
{
  char path[4096];

  if(argc != 2) {
    fprintf(stderr, "usage: test_fault DIR\n");
    return 2;
  }
  mkdir(argv[1], 0755);
  snprintf(path, sizeof(path), "%s/r.json", argv[1]);
  unlink(path);
  CHECK(strays(argv[1], "r.json") == 0, "%s is not empty", argv[1]);
  test_alloc(argv[1], path);
  test_full(argv[1], path);
  return test_summary("fault_alloc");
}
