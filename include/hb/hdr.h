/* A log-linear latency histogram in the manner of HdrHistogram.
 *
 * Values are nanoseconds, tracked from 1 us (lowest discernible) to 60 s
 * at 3 significant digits: 2048 sub-buckets per power of two, so any
 * recorded value is known to within 0.1% (or 512 ns below 1 ms). Larger
 * values are clamped to 60 s and counted as clamped. The counts take
 * 72 KiB; one histogram per thread, merged at the end, needs no lock.
 *
 * Min, max, mean and stddev are exact (kept beside the counts);
 * percentiles come from the buckets, capped to the exact min and max. */
#ifndef HB_HDR_H
#define HB_HDR_H

#include <jansson.h>
#include <stdint.h>

#define HB_HDR_LOWEST_NS 1000ull             /* 1 us */
#define HB_HDR_HIGHEST_NS 60000000000ull     /* 60 s */
#define HB_HDR_SIG_DIGITS 3

typedef struct hb_hdr hb_hdr;

/* A new, empty histogram; NULL when out of memory. */
hb_hdr *hb_hdr_new(void);
void hb_hdr_free(hb_hdr *h);
void hb_hdr_reset(hb_hdr *h);

/* Adds one value (ns); above HB_HDR_HIGHEST_NS it counts as the highest
 * and as clamped. */
void hb_hdr_record(hb_hdr *h, uint64_t ns);

/* Adds every value of src to dst. */
void hb_hdr_merge(hb_hdr *dst, const hb_hdr *src);

uint64_t hb_hdr_count(const hb_hdr *h);
uint64_t hb_hdr_clamped(const hb_hdr *h);  /* values above the range */
uint64_t hb_hdr_min(const hb_hdr *h);      /* ns; 0 when empty */
uint64_t hb_hdr_max(const hb_hdr *h);      /* ns; 0 when empty */
double hb_hdr_mean(const hb_hdr *h);       /* ns; 0 when empty */
double hb_hdr_stddev(const hb_hdr *h);     /* ns, population; 0 when empty */

/* The value (ns) at or below which p percent (0..100) of the recorded
 * values fall, as the highest value of its bucket; 0 when empty. */
uint64_t hb_hdr_value_at_percentile(const hb_hdr *h, double p);

/* {"unit":"us", "count", "clamped", "min", "max", "mean", "stddev",
 * "p50", "p90", "p99", "p99_9", "p99_99", "spectrum"}: values in
 * microseconds (null when empty). spectrum is
 * [[value_us, percentile, total_count], ...] following HdrHistogram's
 * percentile iteration with 5 ticks per half distance to 100%: the rows
 * of its text export, with percentile in percent (the export's
 * Percentile column is this / 100). NULL when out of memory. */
json_t *hb_hdr_json(const hb_hdr *h);

/* The whole histogram, losslessly, for exact merging of reports from
 * several clients (httpsbench merge):
 * {"format": HB_HDR_FORMAT, "total", "clamped", "dropped", "min_ns",
 *  "max_ns", "sum_ns", "sumsq_ns2", "counts": [index, count, ...]}
 * with only the non-empty buckets, in index order. Exact but for
 * sumsq_ns2, a double (the merged stddev to about 1e-15 relative).
 * NULL when out of memory. */
#define HB_HDR_FORMAT "hb-hdr/1 1us..60s 3 digits"
json_t *hb_hdr_encode(const hb_hdr *h);

/* Reads hb_hdr_encode's object into h (reset first). 0, or -1 with why
 * it is not one (wrong format, an index out of range or not increasing,
 * counts that do not add up to total, min above max). */
int hb_hdr_decode(hb_hdr *h, const json_t *j, char *why, size_t size);

#endif
