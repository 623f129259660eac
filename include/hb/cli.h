/* Command-line helpers shared by the front end and the engines. Bad usage
 * is one line on stderr naming the problem and exit status 2. */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stddef.h>

#define HB_EXIT_USAGE 2
#define HB_EXIT_INTERRUPTED 130
#define HB_MAX_SIZES 32

/* Replaces control bytes (a newline an argument held) with '?'. */
void hb_one_line(char *s);

/* Prints "httpsbench <cmd>: <message>" (one line: control bytes in it
 * become '?') and a hint, exits 2. */
void hb_usage_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* For getopt_long's ':' (a value is missing: the optstring must start
 * with ':', and opterr be 0) or '?' (unknown option), right after it
 * returned: "<opt> needs a value" or "unknown option '<opt>'" (hb_opts'
 * messages for those). */
void hb_getopt_why(int opt, char *const argv[], char *why, size_t size);

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

/* Splits "HOST:PORT" or "[V6]:PORT", the first len bytes of s, without
 * copying: host and hlen the host (brackets stripped; hlen 0 for an empty
 * unbracketed one), port and plen what follows the colon after the host
 * (the port, or a caller's longer suffix: "PORT:ADDR"), NULL and 0 when
 * no colon follows. Unbracketed, the first colon ends the host (so an IPv6
 * address needs brackets). Returns 0, -1 for an unclosed or empty
 * bracket, -2 for anything but ':' after the closing bracket. */
int hb_hostport_split(const char *s, size_t len, const char **host,
                      size_t *hlen, const char **port, size_t *plen);

/* A port number of len bytes: digits only (no sign, no space), in
 * [min, 65535]; 0 on success. */
int hb_parse_port(const char *s, size_t len, long min, long *out);

/* Human rate: "1.23 GB/s", "45.6 k/s" etc. */
void hb_fmt_rate(double v, const char *unit, char *buf, size_t size);

/* A confidence level (0..1) as "93.8%": one decimal, but never rounded up
 * to 95.0% or 100.0% from below; "-" when not a number. */
void hb_fmt_level(double level, char *buf, size_t size);

/* Does name match the extended regex (NULL matches everything)? 1/0, -1
 * for a bad regex. */
int hb_regex_match(const char *regex, const char *name);

#endif
