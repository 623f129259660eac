/* libFuzzer harness for the three HTTP parsers (clang -fsanitize=fuzzer).
 *
 * The first byte picks the parser and, for the chunked decoder, the piece
 * size; the rest is the input. Besides the sanitizers, it checks the
 * properties callers rely on: results stay in range, fields point inside
 * the input, and a prefix never gives an answer other than INCOMPLETE or
 * the whole input's answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ASSERT(c) do { if(!(c)) abort(); } while(0)

static int fz_inside(const char *p, size_t n, const char *buf, size_t len)
{
  return p >= buf && n <= len && p + n <= buf + len;
}

static void fz_request(const char *buf, size_t len)
{
  static hb_http_request req;
  size_t i, cut;
  int rc = hb_http_parse_request(buf, len, &req);

  FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -400 || rc == -414 ||
            rc == -431 || rc == -501 || rc == -505 ||
            (rc > 0 && (size_t)rc <= len && rc <= HB_HTTP_MAX_HEAD));
  if(rc > 0) {
    FZ_ASSERT(fz_inside(req.method, req.method_len, buf, len));
    FZ_ASSERT(fz_inside(req.path, req.path_len, buf, len));
    FZ_ASSERT(req.path_len <= HB_HTTP_MAX_URI);
    FZ_ASSERT(req.num_headers <= HB_HTTP_MAX_HEADERS);
    for(i = 0; i < req.num_headers; i++) {
      FZ_ASSERT(fz_inside(req.headers[i].name, req.headers[i].name_len,
                          buf, len));
      FZ_ASSERT(fz_inside(req.headers[i].value, req.headers[i].value_len,
                          buf, len));
    }
    FZ_ASSERT(!(req.chunked && req.content_length >= 0));
  }
  /* a prefix (in its own buffer) is incomplete or already the answer */
  for(i = 0; i < 2; i++) {
    char *p;
    int r2;

    cut = i ? len - 1 : len / 2;
    if(!cut || cut >= len)
      continue;
    p = malloc(cut);
    if(!p)
      return;
    memcpy(p, buf, cut);
    r2 = hb_http_parse_request(p, cut, &req);
    FZ_ASSERT(r2 == HB_HTTP_INCOMPLETE || r2 == rc);
    free(p);
  }
}

static void fz_response(const char *buf, size_t len)
{
  static hb_http_response res;
  size_t i;
  int rc, r2;
  char *p;

  /* one byte short: incomplete or already the answer */
  if(len > 1) {
    p = malloc(len - 1);
    if(!p)
      return;
    memcpy(p, buf, len - 1);
    r2 = hb_http_parse_response(p, len - 1, &res);
    free(p);
    rc = hb_http_parse_response(buf, len, &res);
    FZ_ASSERT(r2 == HB_HTTP_INCOMPLETE || r2 == rc);
  }
  rc = hb_http_parse_response(buf, len, &res);

  FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -1 ||
            (rc > 0 && (size_t)rc <= len));
  if(rc > 0) {
    FZ_ASSERT(res.status >= 100 && res.status <= 999);
    FZ_ASSERT(fz_inside(res.reason, res.reason_len, buf, len));
    for(i = 0; i < res.num_headers; i++)
      FZ_ASSERT(fz_inside(res.headers[i].value, res.headers[i].value_len,
                          buf, len));
  }
}

/* Decodes in pieces of `step` bytes; the body never grows. */
static void fz_chunked(const char *in, size_t len, size_t step)
{
  hb_http_chunked d;
  size_t pos = 0;
  ssize_t rc = HB_HTTP_INCOMPLETE;

  memset(&d, 0, sizeof(d));
  while(pos < len && rc == HB_HTTP_INCOMPLETE) {
    size_t n = len - pos < step ? len - pos : step, got = n;
    char *buf = malloc(n);

    if(!buf)
      return;
    memcpy(buf, in + pos, n);
    rc = hb_http_decode_chunked(&d, buf, &got);
    FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -1 ||
              (rc >= 0 && got + (size_t)rc <= n));
    FZ_ASSERT(got <= n);
    free(buf);
    pos += n;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *in = (const char *)data + 1;
  size_t len;

  if(size < 1)
    return 0;
  len = size - 1;
  switch(data[0] % 3) {
  case 0:
    fz_request(in, len);
    break;
  case 1:
    fz_response(in, len);
    break;
  default:
    fz_chunked(in, len, (size_t)(data[0] / 3) % 17 + 1);
    break;
  }
  return 0;
}
