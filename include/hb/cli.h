/* Command-line helpers shared by the front end and the engines. Bad usage
 * is one line on stderr naming the problem and exit status 2. */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stddef.h>

#define HB_EXIT_USAGE 2
#define HB_EXIT_INTERRUPTED 130
#define HB_MAX_SIZES 32

/* Prints "httpsbench <cmd>: <message>" and a hint, exits 2. */
void hb_usage_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* For getopt_long's ':' (a value is missing: the optstring must start
 * with ':', and opterr be 0) or '?' (unknown option): "httpsbench <cmd>:
 * <opt> needs a value" or "unknown option '<opt>'", exit 2. */
void hb_usage_getopt(const char *cmd, int opt, char *const argv[])
    __attribute__((noreturn));

/* "16,256,1350" -> sizes; 0 on success, -1 (with why) on bad input. Each
 * size is 1 .. 64 MiB, with optional k/K (KiB) or m/M (MiB) suffix. */
int hb_parse_sizes(const char *s, size_t *sizes, int max, int *count,
                   char *why, size_t whylen);

/* The same with a lower bound of min (0 allows empty payloads). */
int hb_parse_size_list(const char *s, size_t min, size_t *sizes, int max,
                       int *count, char *why, size_t whylen);

/* Whole positive integer in [min, max]; 0 on success. */
int hb_parse_int(const char *s, long min, long max, long *out);

/* Positive finite number in (0, max]; 0 on success. */
int hb_parse_seconds(const char *s, double max, double *out);

/* Human rate: "1.23 GB/s", "45.6 k/s" etc. */
void hb_fmt_rate(double v, const char *unit, char *buf, size_t size);

/* A confidence level (0..1) as "93.8%": one decimal, but never rounded up
 * to 95.0% or 100.0% from below; "-" when not a number. */
void hb_fmt_level(double level, char *buf, size_t size);

/* Does name match the extended regex (NULL matches everything)? 1/0, -1
 * for a bad regex. */
int hb_regex_match(const char *regex, const char *name);

#endif
