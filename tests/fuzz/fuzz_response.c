/* Fuzz target: the HTTP response head parser (hb_http_parse_response).
 *
 * Properties: complete (0 < used <= length), incomplete (only under
 * HB_HTTP_MAX_HEAD) or -1; status 100..999 and every field inside the
 * input; a prefix gives INCOMPLETE or the same answer; the head alone
 * gives the same parse; the parse re-serialised ("HTTP/1.x NNN reason",
 * "name:value" headers) parses to the same response. */
#include "fuzz.h"
#include "hb/http.h"

static int same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
  return an == bn && (!an || !memcmp(a, b, an));
}

static void check_same(const hb_http_response *a, const hb_http_response *b)
{
  size_t i;

  FZ_ASSERT(a->minor_version == b->minor_version);
  FZ_ASSERT(a->status == b->status);
  FZ_ASSERT(same_bytes(a->reason, a->reason_len, b->reason, b->reason_len));
  FZ_ASSERT(a->num_headers == b->num_headers);
  for(i = 0; i < a->num_headers; i++) {
    FZ_ASSERT(same_bytes(a->headers[i].name, a->headers[i].name_len,
                         b->headers[i].name, b->headers[i].name_len));
    FZ_ASSERT(same_bytes(a->headers[i].value, a->headers[i].value_len,
                         b->headers[i].value, b->headers[i].value_len));
  }
  FZ_ASSERT(a->content_length == b->content_length);
  FZ_ASSERT(a->chunked == b->chunked);
  FZ_ASSERT(a->keep_alive == b->keep_alive);
}

static size_t serialize(const hb_http_response *r, char *out)
{
  size_t n = 0, i;

  n += (size_t)sprintf(out, "HTTP/1.%d %03d ", r->minor_version,
                       r->status);
  memcpy(out + n, r->reason, r->reason_len);
  n += r->reason_len;
  out[n++] = '\r';
  out[n++] = '\n';
  for(i = 0; i < r->num_headers; i++) {
    memcpy(out + n, r->headers[i].name, r->headers[i].name_len);
    n += r->headers[i].name_len;
    out[n++] = ':';
    memcpy(out + n, r->headers[i].value, r->headers[i].value_len);
    n += r->headers[i].value_len;
    out[n++] = '\r';
    out[n++] = '\n';
  }
  out[n++] = '\r';
  out[n++] = '\n';
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static hb_http_response res, again;
  const char *buf = (const char *)data;
  int rc = hb_http_parse_response(buf, size, &res), r2;
  size_t cut, i;
  char *p;

  FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -1 ||
            (rc > 0 && (size_t)rc <= size && rc <= HB_HTTP_MAX_HEAD));
  FZ_ASSERT(rc != HB_HTTP_INCOMPLETE || size < HB_HTTP_MAX_HEAD);
  if(rc > 0) {
    FZ_ASSERT(res.minor_version == 0 || res.minor_version == 1);
    FZ_ASSERT(res.status >= 100 && res.status <= 999);
    FZ_ASSERT(fz_inside(res.reason, res.reason_len, buf, size));
    FZ_ASSERT(res.num_headers <= HB_HTTP_MAX_HEADERS);
    for(i = 0; i < res.num_headers; i++) {
      FZ_ASSERT(res.headers[i].name_len > 0);
      FZ_ASSERT(fz_inside(res.headers[i].name, res.headers[i].name_len,
                          buf, size));
      FZ_ASSERT(fz_inside(res.headers[i].value, res.headers[i].value_len,
                          buf, size));
    }
    FZ_ASSERT(!(res.chunked && res.content_length >= 0));
    FZ_ASSERT(res.content_length >= -1);
  }

  for(cut = 1; cut < size; cut = cut * 2 + 1) {
    p = fz_dup(buf, cut);
    r2 = hb_http_parse_response(p, cut, &again);
    FZ_ASSERT(r2 == HB_HTTP_INCOMPLETE || r2 == rc);
    free(p);
  }
  if(rc <= 0)
    return 0;

  p = fz_dup(buf, (size_t)rc);
  r2 = hb_http_parse_response(p, (size_t)rc, &again);
  FZ_ASSERT(r2 == rc);
  check_same(&res, &again);
  free(p);

  /* "HTTP/1.x NNN" + one space: what the original had at least, but for
   * a bare "HTTP/1.1 200\r\n" (one byte more) */
  p = malloc((size_t)rc + 2);
  if(!p)
    abort();
  cut = serialize(&res, p);
  FZ_ASSERT(cut <= (size_t)rc + 1);
  r2 = hb_http_parse_response(p, cut, &again);
  if(cut <= HB_HTTP_MAX_HEAD) {
    FZ_ASSERT(r2 > 0 && (size_t)r2 == cut);
    check_same(&res, &again);
  }
  free(p);
  return 0;
}
