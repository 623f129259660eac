/* Fuzz target: the value parsers of lib/core/cli.c that read command
 * lines: HOST:PORT and [V6]:PORT (hb_hostport_split, what --listen and
 * --connect go through; fuzz_url covers them inside URLs), ports, whole
 * numbers, durations and size lists.
 *
 * Input: byte 0 picks the parser, the rest is the text (the text up to a
 * NUL for the parsers that take C strings).
 *
 * Properties: host and port lie inside the input and the split accounts
 * for every byte: written back ("[host]" when bracketed, ":" before the
 * port) they are the input, and splitting that again gives the same
 * parts. A port is accepted exactly when it is 1..5 digits of value
 * 1..65535, as counted here; a whole number, duration or size list that
 * is accepted is in range and, written back, parses to the same value;
 * a size list's sizes are the digits times the suffix, counted here
 * without overflow, and a refusal says why. */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "hb/cli.h"

static void check_hostport(const char *s, size_t len)
{
  const char *host, *port, *h2, *p2;
  size_t hlen, plen, h2len, p2len, k = 0;
  char *again;
  int rc = hb_hostport_split(s, len, &host, &hlen, &port, &plen);
  long v;

  FZ_ASSERT(rc == 0 || rc == -1 || rc == -2);
  if(rc)
    return;
  FZ_ASSERT(fz_inside(host, hlen, s, len));
  FZ_ASSERT(!port || fz_inside(port, plen, s, len));
  FZ_ASSERT(port || !plen);
  again = malloc(hlen + plen + 4);
  FZ_ASSERT(again != NULL);
  if(len && s[0] == '[') {
    FZ_ASSERT(hlen > 0 && !memchr(host, ']', hlen));
    again[k++] = '[';
    memcpy(again + k, host, hlen);
    k += hlen;
    again[k++] = ']';
  }
  else {
    FZ_ASSERT(!memchr(host, ':', hlen));
    memcpy(again + k, host, hlen);
    k += hlen;
  }
  if(port) {
    again[k++] = ':';
    memcpy(again + k, port, plen);
    k += plen;
  }
  FZ_ASSERT(k == len && !memcmp(again, s, len));
  FZ_ASSERT(hb_hostport_split(again, k, &h2, &h2len, &p2, &p2len) == 0);
  FZ_ASSERT(h2 - again == host - s && h2len == hlen);
  FZ_ASSERT((p2 == NULL) == (port == NULL) && p2len == plen);
  free(again);
  if(port && !hb_parse_port(port, plen, 1, &v))
    FZ_ASSERT(v >= 1 && v <= 65535);
}

static void check_port(const char *s, size_t len)
{
  long v = -1, want = 0;
  size_t i;
  int ok = len >= 1 && len <= 5;
  char text[8];

  for(i = 0; ok && i < len; i++) {
    ok = s[i] >= '0' && s[i] <= '9';
    want = want * 10 + (s[i] - '0');
  }
  ok = ok && want >= 1 && want <= 65535;
  FZ_ASSERT((hb_parse_port(s, len, 1, &v) == 0) == ok);
  if(!ok)
    return;
  FZ_ASSERT(v == want);
  snprintf(text, sizeof(text), "%ld", v);
  FZ_ASSERT(hb_parse_port(text, strlen(text), 1, &v) == 0 && v == want);
}

static void check_int(const char *s)
{
  long v, w;
  char text[32];

  if(hb_parse_int(s, -1000000, 1000000000, &v))
    return;
  FZ_ASSERT(v >= -1000000 && v <= 1000000000);
  snprintf(text, sizeof(text), "%ld", v);
  FZ_ASSERT(!hb_parse_int(text, -1000000, 1000000000, &w) && w == v);
}

static void check_seconds(const char *s)
{
  double v, w;
  char text[64];

  if(hb_parse_seconds(s, 86400, &v))
    return;
  FZ_ASSERT(isfinite(v) && v > 0 && v <= 86400);
  snprintf(text, sizeof(text), "%.17g", v);
  FZ_ASSERT(!hb_parse_seconds(text, 86400, &w) && w == v);
}

/* The list's sizes counted here: digits (saturating) times the suffix. */
static int expect_sizes(const char *s, size_t min, size_t *out, int max)
{
  const unsigned long long cap = 1ull << 40;
  int n = 0;

  if(!*s)
    return -1;
  while(*s) {
    unsigned long long v = 0;
    int digits = 0;

    for(; *s >= '0' && *s <= '9'; s++, digits++)
      v = v > cap ? v : v * 10 + (unsigned)(*s - '0');
    if(!digits)
      return -1;
    if(*s == 'k' || *s == 'K')
      v = v > cap ? v : v * 1024, s++;
    else if(*s == 'm' || *s == 'M')
      v = v > cap ? v : v * 1024 * 1024, s++;
    if(*s && *s != ',')
      return -1;
    if(v < min || v > 64ull * 1024 * 1024 || n == max)
      return -1;
    out[n++] = (size_t)v;
    if(*s == ',' && !*++s)
      return -1;
  }
  return n;
}

static void check_sizes(const char *s)
{
  size_t got[HB_MAX_SIZES], want[HB_MAX_SIZES];
  char why[256], text[HB_MAX_SIZES * 12];
  int n = -1, i, k = 0;
  int expect = expect_sizes(s, 0, want, HB_MAX_SIZES);

  why[0] = 0;
  if(hb_parse_size_list(s, 0, got, HB_MAX_SIZES, &n, why, sizeof(why))) {
    FZ_ASSERT(why[0] != 0);
    FZ_ASSERT(expect < 0);
    return;
  }
  FZ_ASSERT(n == expect);
  for(i = 0; i < n; i++) {
    FZ_ASSERT(got[i] == want[i]);
    k += snprintf(text + k, sizeof(text) - (size_t)k, "%s%zu",
                  i ? "," : "", got[i]);
  }
  FZ_ASSERT(!hb_parse_size_list(text, 0, want, HB_MAX_SIZES, &i, why,
                                sizeof(why)) && i == n);
  FZ_ASSERT(!memcmp(got, want, (size_t)n * sizeof(got[0])));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s;
  size_t len;

  if(!size)
    return 0;
  len = size - 1;
  s = fz_str(data + 1, len);
  switch(data[0] % 5) {
  case 0: check_hostport(s, len); break;
  case 1: check_port(s, len); break;
  case 2: check_int(s); break;
  case 3: check_seconds(s); break;
  default: check_sizes(s); break;
  }
  free(s);
  return 0;
}
