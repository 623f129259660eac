/* Engine reports as the front end reads them (results.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hb/report.h"
#include "results.h"

const char *hb_res_str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));

  return s ? s : "";
}

json_t *hb_res_find(json_t *report, const char *suite, const char *backend,
                    const char *name)
{
  json_t *r;
  size_t i;

  json_array_foreach(json_object_get(report, "results"), i, r)
    if(!strcmp(hb_res_str(r, "backend"), backend) &&
       !strcmp(hb_res_str(r, "name"), name) &&
       (!suite || !strcmp(hb_res_str(r, "suite"), suite)))
      return r;
  return NULL;
}

double hb_res_num(json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get(o, a);

  if(b)
    v = json_object_get(v, b);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

double hb_res_median(json_t *r)
{
  return hb_res_num(json_object_get(r, "stats"), "median", NULL);
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
