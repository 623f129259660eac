/* Engine reports as the front end reads them (results.h: the one rule
 * for backends and results when reports are merged). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/report.h"
#include "results.h"

const char *hb_res_str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));

  return s ? s : "";
}

json_t *hb_res_find_param(json_t *report, const char *suite,
                          const char *backend, const char *name,
                          const char *key, const char *value)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *v = key ? json_string_value(json_object_get(
                      json_object_get(r, "params"), key)) : NULL;
    if(!strcmp(hb_res_str(r, "backend"), backend) &&
       !strcmp(hb_res_str(r, "name"), name) &&
       (!suite || !strcmp(hb_res_str(r, "suite"), suite)) &&
       (!key || (v && !strcmp(v, value))))
      return r;
  }
  return NULL;
}

json_t *hb_res_find(json_t *report, const char *suite, const char *backend,
                    const char *name)
{
  return hb_res_find_param(report, suite, backend, name, NULL, NULL);
}

json_t *hb_res_match(json_t *part, json_t *r)
{
  return hb_res_find(part, hb_res_str(r, "suite"), hb_res_str(r, "backend"),
                     hb_res_str(r, "name"));
}

double hb_res_num(json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get(o, a);

  if(b)
    v = json_object_get(v, b);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

double hb_res_stat(json_t *r, const char *key)
{
  return hb_res_num(json_object_get(r, "stats"), key, NULL);
}

double hb_res_median(json_t *r)
{
  return hb_res_stat(r, "median");
}

hb_res hb_res_of(json_t *r)
{
  hb_res v;
  json_t *st = json_object_get(r, "stats");

  v.json = r;
  v.params = json_object_get(r, "params");
  v.stats = json_is_object(st) ? st : NULL;
  v.suite = hb_res_str(r, "suite");
  v.name = hb_res_str(r, "name");
  v.backend = hb_res_str(r, "backend");
  v.unit = hb_res_str(r, "unit");
  v.status = hb_res_str(r, "status");
  v.error = hb_res_str(r, "error");
  v.bound = hb_res_str(r, "bound");
  v.median = hb_res_stat(r, "median");
  v.ci_low = hb_res_stat(r, "ci_low");
  v.ci_high = hb_res_stat(r, "ci_high");
  v.ci_level = hb_res_stat(r, "ci_level");
  v.cv = hb_res_stat(r, "cv");
  return v;
}

static int listed(json_t *report, const char *name)
{
  json_t *b;
  size_t i;

  json_array_foreach(json_object_get(report, "backends"), i, b)
    if(!strcmp(hb_res_str(b, "name"), name))
      return 1;
  return 0;
}

void hb_res_add_backend(json_t *report, const char *name,
                        const char *version)
{
  if(!listed(report, name))
    hb_report_add_backend(report, name, version);
}

void hb_res_merge_backends(json_t *report, json_t *part)
{
  json_t *v;
  size_t i;

  /* the engine's whole entry (version, origin, what else it says) */
  json_array_foreach(json_object_get(part, "backends"), i, v)
    if(!listed(report, hb_res_str(v, "name")))
      json_array_append(json_object_get(report, "backends"), v);
}

void hb_res_merge(json_t *report, json_t *part)
{
  json_t *v;
  size_t i;

  hb_res_merge_backends(report, part);
  json_array_foreach(json_object_get(part, "results"), i, v)
    json_array_append(json_object_get(report, "results"), v);
}

int hb_res_group(json_t *out, json_t **parts, int n, const char *suite,
                 hb_res_combine each, void *ctx)
{
  json_t *first = NULL, *r, **same;
  size_t k;
  int i;

  for(i = 0; i < n; i++)
    if(parts[i]) {
      hb_res_merge_backends(out, parts[i]);
      if(!first)
        first = parts[i];
    }
  if(!first)
    return 0;
  /* an array of pointers: sizeof a pointer is meant */
  /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
  same = calloc((size_t)n, sizeof(*same));
  if(!same)
    return -1;
  json_array_foreach(json_object_get(first, "results"), k, r) {
    if(suite && strcmp(hb_res_str(r, "suite"), suite))
      continue;
    for(i = 0; i < n; i++)
      same[i] = parts[i] ? hb_res_match(parts[i], r) : NULL;
    each(ctx, r, same, n);
  }
  free(same);
  return 0;
}

void hb_res_remove(json_t *report, json_t *r)
{
  json_t *arr = json_object_get(report, "results");
  size_t i;

  for(i = 0; i < json_array_size(arr); i++)
    if(json_array_get(arr, i) == r) {
      json_array_remove(arr, i);
      return;
    }
}

int hb_res_all_failed(json_t *report, char *why, size_t size)
{
  size_t i, nok = 0, nerr = 0;
  json_t *r, *first = NULL;

  json_array_foreach(json_object_get(report, "results"), i, r) {
    const char *st = hb_res_str(r, "status");
    if(!strcmp(st, "ok"))
      nok++;
    else if(!strcmp(st, "error") && !nerr++)
      first = r;
  }
  if(nok || !nerr)
    return 0;
  snprintf(why, size, "every measurement failed (%zu results), the first:"
           " %s %s: %s", nerr, hb_res_str(first, "backend"),
           hb_res_str(first, "name"), hb_res_str(first, "error"));
  return 1;
}

void hb_res_print_failed(const hb_res *v, int width, const char *backend)
{
  printf("%-*s %-10s %s: %s\n", width, v->name, backend, v->status,
         v->error);
}

int hb_report_finish(json_t *report, const char *cmd, const char *path,
                     int interrupted)
{
  hb_err err = { "" };

  if(!path)
    return 0;
  if(hb_report_write(report, path, interrupted, &err) != HB_OK) {
    fprintf(stderr, "httpsbench %s: %s\n", cmd, err.msg);
    return 1;
  }
  fprintf(stderr, "httpsbench %s: report written to %s%s\n", cmd, path,
          interrupted ? " (interrupted)" : "");
  return 0;
}

void hb_res_add_ints(json_t *dst, json_t *src)
{
  const char *k;
  json_t *v;

  json_object_foreach(src, k, v) {
    json_t *d = json_object_get(dst, k);

    if(json_is_integer(v) && json_is_integer(d))
      json_object_set_new(dst, k, json_integer(json_integer_value(d) +
                                               json_integer_value(v)));
    else if(json_is_integer(v) && !d)
      json_object_set(dst, k, v);
  }
}

void hb_res_warn(json_t *res, json_t *msg)
{
  json_t *w = json_object_get(res, "warnings");

  if(!json_is_array(w)) {
    w = json_array();
    json_object_set_new(res, "warnings", w);
  }
  json_array_append_new(w, msg);
}
