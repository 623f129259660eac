/* Engine reports as the front end reads them: finding a result, its
 * median and numbers, a result as C data (hb_res), and merging reports.
 *
 * One rule for what is the same, wherever the front end merges reports
 * (a driver's engines, `merge`, the drivers over several hosts):
 *  - a backend is one entry per name in "backends": the first entry of a
 *    name is kept whole (version, origin), later ones are dropped;
 *  - a result is known by its key, (suite, backend, name): hb_res_find
 *    gives the first result of a key, hb_res_match a part's result of
 *    another result's key.
 * Parts from engines that ran one after another (one per backend, case
 * or cell, so their keys differ) are appended (hb_res_merge); a driver
 * that measures a key again removes the old result first
 * (hb_res_remove). Parts from clients that ran together (load or
 * handshakes over several hosts) hold the same keys: hb_res_group hands
 * the results of each key of the first part to the suite's combiner,
 * which adds counts and histograms or unites samples, never averages.
 * Either way every part's backends are listed by the rule above. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include <jansson.h>

/* A result as C data, for the tables and summaries: its strings ("" when
 * absent), its statistics (NaN when absent) and the JSON it came from,
 * for what else it holds. A view: valid while the result is. */
typedef struct hb_res {
  json_t *json, *params, *stats;   /* stats: NULL unless an object */
  const char *suite, *name, *backend, *unit, *status, *error, *bound;
  double median, ci_low, ci_high, ci_level, cv;
} hb_res;

/* The view of result r (r NULL: every string "", every number NaN). */
hb_res hb_res_of(json_t *r);

/* The first result of backend named name, of suite (NULL: any); NULL
 * when there is none. */
json_t *hb_res_find(json_t *report, const char *suite, const char *backend,
                    const char *name);
/* The same with params.key equal to the string value as well. */
json_t *hb_res_find_param(json_t *report, const char *suite,
                          const char *backend, const char *name,
                          const char *key, const char *value);
/* part's result of the key of r (suite, backend, name); NULL if none. */
json_t *hb_res_match(json_t *part, json_t *r);

/* o.a (or o.a.b with b non-NULL) as a number; NaN when absent or null. */
double hb_res_num(json_t *o, const char *a, const char *b);

/* r.stats.key: NaN when absent. hb_res_median: of a result, or of any
 * series with stats. */
double hb_res_stat(json_t *r, const char *key);
double hb_res_median(json_t *r);

/* A member string, "" when absent. */
const char *hb_res_str(json_t *o, const char *key);

/* Lists backend name unless a backend of that name is listed. */
void hb_res_add_backend(json_t *report, const char *name,
                        const char *version);

/* Appends every result of part to report, and part's backend entries
 * (whole) by the rule of hb_res_add_backend. Part stays the caller's. */
void hb_res_merge(json_t *report, json_t *part);
/* Only part's backends entries (those report does not list yet). */
void hb_res_merge_backends(json_t *report, json_t *part);

/* Results of n parts that ran together, key by key: lists every part's
 * backends in out, then for each result of the first part (parts[i] may
 * be NULL: the first non-NULL one) of suite (NULL: any), in its order,
 * calls each(ctx, first, same, n) with same[i] part i's result of that
 * key (NULL where part i has none). 0, or -1 when out of memory. */
typedef void (*hb_res_combine)(void *ctx, json_t *first, json_t **same,
                               int n);
int hb_res_group(json_t *out, json_t **parts, int n, const char *suite,
                 hb_res_combine each, void *ctx);

/* Removes result r (this very one) from report's results. */
void hb_res_remove(json_t *report, json_t *r);

/* When no result of report succeeded and at least one failed
 * (unsupported is not a failure: a library lacking a feature is a
 * result too): the reason in one line, "every measurement failed (N
 * results), the first: BACKEND NAME: ERROR", and 1; else 0. */
int hb_res_all_failed(json_t *report, char *why, size_t size);

/* Prints a result that has no statistics as a table row: its name
 * (width wide), backend, status and error. */
void hb_res_print_failed(const hb_res *v, int width, const char *backend);

/* Adds src's integer members into dst's (both objects; a member dst
 * lacks is copied): the counts of clients that ran together. */
void hb_res_add_ints(json_t *dst, json_t *src);

/* Appends msg (a string, taken) to res's warnings, made when absent. */
void hb_res_warn(json_t *res, json_t *msg);

/* A driver's last step: writes report to path (nothing when path is
 * NULL) and says so on stderr, "httpsbench CMD: report written to PATH"
 * (" (interrupted)" after SIGINT/TERM), or the one-line error. 0 when
 * written or none asked for, 1 when it could not be written. */
int hb_report_finish(json_t *report, const char *cmd, const char *path,
                     int interrupted);

#endif
