/* Fuzz target: the front end's reader of engine reports (hb_report_parse,
 * the in-memory twin of hb_report_load in lib/core/report.c) and the
 * merge of an engine's report into the driver's (hb_res_merge,
 * bench/frontend/results.c).
 *
 * Properties: a refusal says why and leaks nothing; an accepted report
 * is an object with a schema_version of a major this build reads and a
 * results array. Merged into a driver's report (one backend, one result
 * already): every result of the part is appended, in order, as is; the
 * backends stay one entry per name, every name the part lists is listed,
 * the driver's own entry stays first; merging the same part again adds
 * the results again and no backend. Every merged result is found again
 * by suite, backend and name, and its numbers read as numbers or NaN.
 * The merged report written as the writer writes it (hb_report_write's
 * flags) reads back as a report with as many results, and written at full
 * precision it reads back equal. Grouped with the merged report and a
 * missing part (hb_res_group, the merge of clients that ran together):
 * one call per result of the first part, each with results of its key
 * only (none from the missing part), backends one entry per name; every
 * result's view (hb_res_of) has strings; a result removed is gone. */
#include <math.h>

#include "fuzz.h"
#include "hb/report.h"
#include "results.h"

static json_t *driver_report(void)
{
  static json_t *base;

  if(!base) {
    char *argv[] = { "httpsbench", "crypto", NULL };
    json_t *r;

    base = hb_report_new(2, argv);
    FZ_ASSERT(base != NULL);
    hb_report_add_backend(base, "openssl", "3.0");
    r = hb_report_add_result(base, "crypto", "sha256/16", "openssl",
                             "ops/s");
    FZ_ASSERT(r != NULL);
  }
  return json_deep_copy(base);
}

static size_t count_named(json_t *report, const char *name)
{
  json_t *b;
  size_t i, n = 0;

  json_array_foreach(json_object_get(report, "backends"), i, b)
    n += !strcmp(hb_res_str(b, "name"), name);
  return n;
}

static void check_merged(json_t *m, json_t *part, size_t nres0,
                         size_t times)
{
  json_t *res = json_object_get(m, "results");
  json_t *pres = json_object_get(part, "results");
  json_t *v;
  size_t i, k, np = json_array_size(pres);

  FZ_ASSERT(json_array_size(res) == nres0 + times * np);
  for(k = 0; k < times; k++)
    json_array_foreach(pres, i, v)
      FZ_ASSERT(json_array_get(res, nres0 + k * np + i) == v);
  /* one entry per name, the driver's first */
  FZ_ASSERT(!strcmp(hb_res_str(json_array_get(json_object_get(m,
                    "backends"), 0), "name"), "openssl"));
  json_array_foreach(json_object_get(m, "backends"), i, v)
    FZ_ASSERT(count_named(m, hb_res_str(v, "name")) == 1);
  json_array_foreach(json_object_get(part, "backends"), i, v)
    FZ_ASSERT(count_named(m, hb_res_str(v, "name")) == 1);
  json_array_foreach(res, i, v) {
    json_t *f = hb_res_find(m, hb_res_str(v, "suite"),
                            hb_res_str(v, "backend"), hb_res_str(v, "name"));
    double med = hb_res_median(v);

    FZ_ASSERT(f != NULL);
    FZ_ASSERT(!strcmp(hb_res_str(f, "suite"), hb_res_str(v, "suite")) &&
              !strcmp(hb_res_str(f, "backend"), hb_res_str(v, "backend")) &&
              !strcmp(hb_res_str(f, "name"), hb_res_str(v, "name")));
    FZ_ASSERT(isnan(med) ||
              med == json_number_value(json_object_get(
                       json_object_get(v, "stats"), "median")));
    (void)hb_res_num(v, "params", "size");
  }
}

static void check_written(json_t *m)
{
  char *text;
  json_t *again;
  hb_err err = { "" };

  /* as hb_report_write writes it: reads back as a report */
  text = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
                       JSON_REAL_PRECISION(10));
  FZ_ASSERT(text != NULL);
  again = hb_report_parse(text, strlen(text), "written", &err);
  FZ_ASSERT(again != NULL);
  FZ_ASSERT(json_array_size(json_object_get(again, "results")) ==
            json_array_size(json_object_get(m, "results")));
  FZ_ASSERT(json_array_size(json_object_get(again, "backends")) ==
            json_array_size(json_object_get(m, "backends")));
  json_decref(again);
  free(text);
  /* at full precision: the same report */
  text = json_dumps(m, JSON_PRESERVE_ORDER | JSON_COMPACT);
  FZ_ASSERT(text != NULL);
  again = hb_report_parse(text, strlen(text), "written", &err);
  FZ_ASSERT(again != NULL && json_equal(again, m));
  json_decref(again);
  free(text);
}

typedef struct fz_group {
  json_t *first_part;
  size_t calls;
} fz_group;

static void group_key(void *ctx, json_t *first, json_t **same, int n)
{
  fz_group *g = ctx;
  hb_res v = hb_res_of(first);
  int i;

  g->calls++;
  FZ_ASSERT(n == 3 && same[1] == NULL);
  FZ_ASSERT(same[0] != NULL && same[0] == hb_res_match(g->first_part, first));
  for(i = 0; i < n; i++)
    if(same[i]) {
      hb_res w = hb_res_of(same[i]);
      FZ_ASSERT(w.json == same[i] && w.status && w.error && w.unit);
      FZ_ASSERT(!strcmp(w.suite, v.suite) && !strcmp(w.backend, v.backend)
                && !strcmp(w.name, v.name));
    }
}

static void check_grouped(json_t *part, json_t *m)
{
  json_t *parts[3] = { part, NULL, m }, *out = driver_report(), *v;
  fz_group g = { part, 0 };
  size_t i, nres;

  FZ_ASSERT(out != NULL);
  FZ_ASSERT(hb_res_group(out, parts, 3, NULL, group_key, &g) == 0);
  FZ_ASSERT(g.calls == json_array_size(json_object_get(part, "results")));
  json_array_foreach(json_object_get(out, "backends"), i, v)
    FZ_ASSERT(count_named(out, hb_res_str(v, "name")) == 1);
  json_array_foreach(json_object_get(m, "backends"), i, v)
    FZ_ASSERT(count_named(out, hb_res_str(v, "name")) == 1);
  nres = json_array_size(json_object_get(out, "results"));
  hb_res_remove(out, json_array_get(json_object_get(out, "results"), 0));
  FZ_ASSERT(json_array_size(json_object_get(out, "results")) == nres - 1);
  json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  hb_err err = { "" };
  json_t *part, *m, *sv;
  size_t nres0, nback;

  part = hb_report_parse((const char *)data, size, "engine.json", &err);
  if(!part) {
    FZ_ASSERT(err.msg[0] != 0);
    return 0;
  }
  sv = json_object_get(part, "schema_version");
  FZ_ASSERT(json_is_object(part) && json_is_string(sv));
  FZ_ASSERT(atoi(json_string_value(sv)) >= 1 &&
            atoi(json_string_value(sv)) <= atoi(HB_SCHEMA_VERSION));
  FZ_ASSERT(json_is_array(json_object_get(part, "results")));

  m = driver_report();
  FZ_ASSERT(m != NULL);
  nres0 = json_array_size(json_object_get(m, "results"));
  hb_res_merge(m, part);
  check_merged(m, part, nres0, 1);
  nback = json_array_size(json_object_get(m, "backends"));
  hb_res_merge(m, part);
  check_merged(m, part, nres0, 2);
  FZ_ASSERT(json_array_size(json_object_get(m, "backends")) == nback);
  check_written(m);
  check_grouped(part, m);
  json_decref(m);
  json_decref(part);
  return 0;
}
