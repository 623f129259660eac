/* Engine reports as the front end reads them: finding a result, its
 * median and numbers, and merging an engine's report into the driver's,
 * with one rule for backends (one entry per name, the first kept). */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include <jansson.h>

/* The first result of backend named name, of suite (NULL: any); NULL
 * when there is none. */
json_t *hb_res_find(json_t *report, const char *suite, const char *backend,
                    const char *name);

/* o.a (or o.a.b with b non-NULL) as a number; NaN when absent or null. */
double hb_res_num(json_t *o, const char *a, const char *b);

/* The median of a result, or of any series with stats; NaN when none. */
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
