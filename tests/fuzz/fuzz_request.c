/* Fuzz target: the HTTP request head parser (hb_http_parse_request).
 *
 * Properties: the result is complete (0 < used <= length, within
 * HB_HTTP_MAX_HEAD), incomplete, or one of the documented refusals; every
 * field points inside the input; a prefix gives INCOMPLETE or the same
 * answer; the head alone (input cut at the used length) gives the same
 * parse; and the parse re-serialised (request line, "name:value" headers)
 * parses to the same request. */
#include "fuzz.h"
#include "hb/http.h"

static void check_fields(const hb_http_request *r, const char *buf,
                         size_t len)
{
  size_t i;

  FZ_ASSERT(r->method_len > 0 && fz_inside(r->method, r->method_len, buf,
                                            len));
  FZ_ASSERT(r->path_len > 0 && r->path_len <= HB_HTTP_MAX_URI &&
            fz_inside(r->path, r->path_len, buf, len));
  FZ_ASSERT(r->minor_version == 0 || r->minor_version == 1);
  FZ_ASSERT(r->num_headers <= HB_HTTP_MAX_HEADERS);
  for(i = 0; i < r->num_headers; i++) {
    FZ_ASSERT(r->headers[i].name_len > 0);
    FZ_ASSERT(fz_inside(r->headers[i].name, r->headers[i].name_len, buf,
                        len));
    FZ_ASSERT(fz_inside(r->headers[i].value, r->headers[i].value_len, buf,
                        len));
  }
  FZ_ASSERT(!(r->chunked && r->content_length >= 0));
  FZ_ASSERT(r->content_length >= -1);
  FZ_ASSERT(r->keep_alive == 0 || r->keep_alive == 1);
}

static int same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
  return an == bn && (!an || !memcmp(a, b, an));
}

static void check_same(const hb_http_request *a, const hb_http_request *b)
{
  size_t i;

  FZ_ASSERT(same_bytes(a->method, a->method_len, b->method, b->method_len));
  FZ_ASSERT(same_bytes(a->path, a->path_len, b->path, b->path_len));
  FZ_ASSERT(a->minor_version == b->minor_version);
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

/* The canonical form: no leading empty lines, "name:value" (never longer
 * than what was parsed, so it stays under HB_HTTP_MAX_HEAD). */
static size_t serialize(const hb_http_request *r, char *out)
{
  size_t n = 0, i;

  memcpy(out + n, r->method, r->method_len);
  n += r->method_len;
  out[n++] = ' ';
  memcpy(out + n, r->path, r->path_len);
  n += r->path_len;
  n += (size_t)sprintf(out + n, " HTTP/1.%d\r\n", r->minor_version);
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
  static hb_http_request req, again;
  const char *buf = (const char *)data;
  int rc = hb_http_parse_request(buf, size, &req), r2;
  size_t cut;
  char *p;

  FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -400 || rc == -414 ||
            rc == -431 || rc == -501 || rc == -505 ||
            (rc > 0 && (size_t)rc <= size && rc <= HB_HTTP_MAX_HEAD));
  /* incomplete only while under the cap */
  FZ_ASSERT(rc != HB_HTTP_INCOMPLETE || size < HB_HTTP_MAX_HEAD);
  if(rc > 0)
    check_fields(&req, buf, size);

  /* prefixes, each in a block of its own */
  for(cut = 1; cut < size; cut = cut * 2 + 1) {
    p = fz_dup(buf, cut);
    r2 = hb_http_parse_request(p, cut, &again);
    FZ_ASSERT(r2 == HB_HTTP_INCOMPLETE || r2 == rc);
    free(p);
  }
  if(rc <= 0)
    return 0;

  /* the head alone: the same request (fields are compared as bytes) */
  p = fz_dup(buf, (size_t)rc);
  r2 = hb_http_parse_request(p, (size_t)rc, &again);
  FZ_ASSERT(r2 == rc);
  check_same(&req, &again);
  free(p);

  /* re-serialised: the same request again */
  p = malloc((size_t)rc + 32);
  if(!p)
    abort();
  cut = serialize(&req, p);
  FZ_ASSERT(cut <= (size_t)rc);   /* never longer than parsed */
  r2 = hb_http_parse_request(p, cut, &again);
  FZ_ASSERT(r2 > 0 && (size_t)r2 == cut);
  check_same(&req, &again);
  free(p);
  return 0;
}
