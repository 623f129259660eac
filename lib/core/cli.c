/* Argument parsing helpers and number formatting. */
#include "hb/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hb_one_line(char *s)
{
  for(; *s; s++)
    if((unsigned char)*s < ' ' || *s == 0x7f)
      *s = '?';
}

void hb_usage_fail(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  char msg[1024];

  fprintf(stderr, "httpsbench%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  hb_one_line(msg); /* an argument may hold a newline */
  fputs(msg, stderr);
  if(cmd)
    fprintf(stderr, " (see httpsbench %s --help)\n", cmd);
  else
    fprintf(stderr, " (see httpsbench --help)\n");
  exit(HB_EXIT_USAGE);
}

void hb_getopt_why(int opt, char *const argv[], char *why, size_t size)
{
  const char *arg = optind > 0 ? argv[optind - 1] : NULL;
  char name[64];

  /* a long option as given (without "=value"); a short one by its
   * letter, since it may sit in a cluster such as -qn */
  if(arg && !strncmp(arg, "--", 2))
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
  else if(optopt > 0 && optopt < 128)
    snprintf(name, sizeof(name), "-%c", optopt);
  else
    snprintf(name, sizeof(name), "%s", arg ? arg : "?");
  if(opt == ':')
    snprintf(why, size, "%s needs a value", name);
  else
    snprintf(why, size, "unknown option '%s'", name);
}

int hb_parse_sizes(const char *s, size_t *sizes, int max, int *count,
                   char *why, size_t whylen)
{
  return hb_parse_size_list(s, 1, sizes, max, count, why, whylen);
}

int hb_parse_size_list(const char *s, size_t min, size_t *sizes, int max,
                       int *count, char *why, size_t whylen)
{
  const char *p = s;
  int n = 0;

  if(!s || !*s) {
    snprintf(why, whylen, "empty size list");
    return -1;
  }
  while(*p) {
    char *end;
    unsigned long long v;
    errno = 0;
    if(*p < '0' || *p > '9') {
      snprintf(why, whylen, "'%s' is not a list of sizes (at '%s')", s, p);
      return -1;
    }
    unsigned long long mult = 1;
    v = strtoull(p, &end, 10);
    if(*end == 'k' || *end == 'K')
      mult = 1024;
    else if(*end == 'm' || *end == 'M')
      mult = 1024 * 1024;
    end += mult > 1;
    if(errno || (*end && *end != ',')) {
      snprintf(why, whylen, "'%s' is not a list of sizes (at '%s')", s, p);
      return -1;
    }
    /* compared before multiplying: 2^63 "M" would wrap to 0 */
    if(v > 64ull * 1024 * 1024 / mult || v * mult < min) {
      snprintf(why, whylen, "size %.*s out of range %zu..64M",
               (int)(end - p), p, min);
      return -1;
    }
    v *= mult;
    if(n == max) {
      snprintf(why, whylen, "more than %d sizes", max);
      return -1;
    }
    sizes[n++] = (size_t)v;
    p = *end ? end + 1 : end;
    if(*end == ',' && !*p) {
      snprintf(why, whylen, "'%s' ends with a comma", s);
      return -1;
    }
  }
  *count = n;
  return 0;
}

int hb_parse_int(const char *s, long min, long max, long *out)
{
  char *end;
  long v;

  errno = 0;
  if(!s || !*s)
    return -1;
  v = strtol(s, &end, 10);
  if(errno || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int hb_parse_seconds(const char *s, double max, double *out)
{
  char *end;
  double v;

  errno = 0;
  if(!s || !*s)
    return -1;
  v = strtod(s, &end);
  if(errno || *end || !isfinite(v) || v <= 0 || v > max)
    return -1;
  *out = v;
  return 0;
}

void hb_fmt_rate(double v, const char *unit, char *buf, size_t size)
{
  static const char *const pre[] = { "", "k", "M", "G", "T" };
  int i = 0;

  if(!isfinite(v)) {
    snprintf(buf, size, "-");
    return;
  }
  while(fabs(v) >= 1000 && i < 4) {
    v /= 1000;
    i++;
  }
  snprintf(buf, size, "%.*f %s%s", fabs(v) < 10 ? 3 : fabs(v) < 100 ? 2
           : 1, v, pre[i], unit);
}

void hb_fmt_level(double level, char *buf, size_t size)
{
  double pct = 100 * level;

  if(!isfinite(level)) {
    snprintf(buf, size, "-");
    return;
  }
  if(level < 0.95 && pct >= 94.95)
    pct = 94.9;
  else if(level < 1 && pct >= 99.95)
    pct = 99.9;
  snprintf(buf, size, "%.1f%%", pct);
}

int hb_regex_match(const char *regex, const char *name)
{
  regex_t re;
  int rc;

  if(!regex)
    return 1;
  if(regcomp(&re, regex, REG_EXTENDED | REG_NOSUB))
    return -1;
  rc = regexec(&re, name, 0, NULL, 0) == 0;
  regfree(&re);
  return rc;
}

int hb_hostport_split(const char *s, size_t len, const char **host,
                      size_t *hlen, const char **port, size_t *plen)
{
  const char *end = s + len, *hend, *colon;

  *port = NULL;
  *plen = 0;
  if(len && s[0] == '[') {
    hend = memchr(s, ']', len);
    if(!hend || hend == s + 1)
      return -1;
    *host = s + 1;
    *hlen = (size_t)(hend - s - 1);
    if(hend + 1 == end)
      return 0;
    if(hend[1] != ':')
      return -2;
    colon = hend + 1;
  }
  else {
    colon = memchr(s, ':', len);
    *host = s;
    *hlen = colon ? (size_t)(colon - s) : len;
    if(!colon)
      return 0;
  }
  *port = colon + 1;
  *plen = (size_t)(end - colon - 1);
  return 0;
}

int hb_parse_port(const char *s, size_t len, long min, long *out)
{
  long v = 0;
  size_t i;

  if(!len || len > 5)
    return -1;
  for(i = 0; i < len; i++) {
    if(s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  if(v < min || v > 65535)
    return -1;
  *out = v;
  return 0;
}
