/* The JSON report: one writer for every suite (schemas/report.schema.json).
 *
 * A report is a jansson object built in memory and written atomically (a
 * temporary file in the same directory, then rename), so an interrupted
 * run never leaves a half-written file. */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "hb/err.h"
#include "hb/stats.h"

/* 2.0: stats name the median's interval ci_low/ci_high and its coverage
 * ci_level (1.x: ci95_low/ci95_high, whatever the coverage). */
#define HB_SCHEMA_VERSION "2.0"

/* New report with schema_version, tool, run (start time, command line) and
 * environment filled; backends and results empty. */
json_t *hb_report_new(int argc, char **argv);

void hb_report_add_backend(json_t *report, const char *name,
                           const char *version);
/* Records where backend name's library came from (hb_backend.origin). */
void hb_report_set_backend_origin(json_t *report, const char *name,
                                  const char *origin);

/* A result object, appended to report's results; returns a borrowed
 * reference for adding params, samples and status. */
json_t *hb_report_add_result(json_t *report, const char *suite,
                             const char *name, const char *backend,
                             const char *unit);

/* Stores the raw samples and their statistics in result. */
void hb_result_set_samples(json_t *result, const double *samples, size_t n);

/* status: HB_OK, HB_UNSUPPORTED or an error; msg required when not ok. */
void hb_result_set_status(json_t *result, int status, const char *msg);

/* A JSON number, or null when v is NaN or infinite. */
json_t *hb_json_num(double v);

/* Stats as a JSON object with the report's field names. */
json_t *hb_stats_json(const hb_stats *st);
/* The same for stats whose CI came from the means of batches of
 * consecutive samples (hb_stats_batches): ci_method and ci_batches say
 * so. */
json_t *hb_stats_json_batches(const hb_stats *st, size_t batches);

/* Sets run.end and run.interrupted, then writes atomically. */
int hb_report_write(json_t *report, const char *path, int interrupted,
                    hb_err *err);

/* Fails (HB_ERROR, err says why) when a report could not be written at
 * path: checked before a run starts, so bad paths cost nothing. Leaves no
 * file behind. */
int hb_report_check_path(const char *path, hb_err *err);

/* Reads a report of schema 1.x or 2.x; NULL with err set for unreadable
 * or non-report JSON or another major version. */
json_t *hb_report_load(const char *path, hb_err *err);

/* The same for the len bytes at buf (name: what messages call them). */
json_t *hb_report_parse(const char *buf, size_t len, const char *name,
                        hb_err *err);

#endif
