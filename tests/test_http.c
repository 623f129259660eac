/* HTTP parser tests: table rows run whole, then one byte at a time (every
 * prefix in a buffer of exactly that size, so ASan sees any over-read),
 * which must say HB_HTTP_INCOMPLETE until the answer is known and then give
 * the same answer as the whole input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb/http.h"
#include "check.h"

#define WHOLE 0   /* consumed: the whole input is the head */

/* ---- requests ---- */

typedef struct req_case {
  const char *name;
  const char *in;
  size_t len;
  int want;          /* negative status, or 1 for "parses" */
  size_t consumed;   /* WHOLE or the head's length */
  const char *method, *path;
  int minor;
  int nhdr;
  int64_t cl;
  int chunked, ka;
  const char *h0name, *h0value;  /* first header, NULL: not checked */
} req_case;

#define REQ(name, in, consumed, method, path, minor, nhdr, cl, ch, ka) \
  { name, in, sizeof(in) - 1, 1, consumed, method, path, minor, nhdr, cl, \
    ch, ka, NULL, NULL }
#define REQH(name, in, nhdr, h0name, h0value) \
  { name, in, sizeof(in) - 1, 1, WHOLE, "GET", "/", 1, nhdr, -1, 0, 1, \
    h0name, h0value }
#define REQBAD(name, in, status) \
  { name, in, sizeof(in) - 1, status, 0, NULL, NULL, 0, 0, 0, 0, 0, NULL, \
    NULL }

#define G11 "GET / HTTP/1.1\r\n"
#define PIPE1 "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
#define POST5 "POST /up HTTP/1.1\r\nContent-Length: 5\r\n\r\n"

static const req_case req_cases[] = {
  REQ("simple GET", G11 "\r\n", WHOLE, "GET", "/", 1, 0, -1, 0, 1),
  REQ("HEAD with query", "HEAD /bytes/1?x=1 HTTP/1.1\r\n\r\n", WHOLE,
      "HEAD", "/bytes/1?x=1", 1, 0, -1, 0, 1),
  REQ("unknown method is a token", "BREW /pot HTTP/1.1\r\n\r\n", WHOLE,
      "BREW", "/pot", 1, 0, -1, 0, 1),
  REQ("asterisk form", "OPTIONS * HTTP/1.1\r\n\r\n", WHOLE, "OPTIONS", "*",
      1, 0, -1, 0, 1),
  REQ("headers", "GET /bytes/1024 HTTP/1.1\r\nHost: localhost\r\n"
      "User-Agent: t/1\r\nAccept: */*\r\n\r\n", WHOLE, "GET",
      "/bytes/1024", 1, 3, -1, 0, 1),
  REQH("first header", G11 "Host: localhost:8443\r\n\r\n", 1, "Host",
       "localhost:8443"),
  REQH("value trimmed", G11 "X-A:   v w \t\r\n\r\n", 1, "X-A", "v w"),
  REQH("empty value", G11 "X-Empty:\r\n\r\n", 1, "X-Empty", ""),
  REQH("obs-text value", G11 "X-U: caf\xc3\xa9\r\n\r\n", 1, "X-U",
       "caf\xc3\xa9"),
  REQ("leading empty lines", "\r\n\r\n" G11 "\r\n", WHOLE, "GET", "/", 1,
      0, -1, 0, 1),
  /* keep-alive rules */
  REQ("1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", WHOLE, "GET", "/",
      0, 0, -1, 0, 0),
  REQ("1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
      WHOLE, "GET", "/", 0, 1, -1, 0, 1),
  REQ("1.1 keeps alive", G11 "Host: a\r\n\r\n", WHOLE, "GET", "/", 1, 1,
      -1, 0, 1),
  REQ("1.1 close", G11 "Connection: close\r\n\r\n", WHOLE, "GET", "/", 1,
      1, -1, 0, 0),
  REQ("close in a list", G11 "connection: Upgrade, CLOSE\r\n\r\n", WHOLE,
      "GET", "/", 1, 1, -1, 0, 0),
  REQ("close wins", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n"
      "\r\n", WHOLE, "GET", "/", 0, 1, -1, 0, 0),
  REQ("closed is not close", G11 "Connection: closed\r\n\r\n", WHOLE,
      "GET", "/", 1, 1, -1, 0, 1),
  /* pipelining: only the first head is consumed */
  REQ("pipelined", PIPE1 "GET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n",
      sizeof(PIPE1) - 1, "GET", "/a", 1, 1, -1, 0, 1),
  REQ("pipelined, second cut", PIPE1 "GET /b HT", sizeof(PIPE1) - 1, "GET",
      "/a", 1, 1, -1, 0, 1),
  /* bodies */
  REQ("content-length", POST5 "hello", sizeof(POST5) - 1, "POST", "/up", 1,
      1, 5, 0, 1),
  REQ("content-length 0", "POST / HTTP/1.1\r\ncontent-length: 0\r\n\r\n",
      WHOLE, "POST", "/", 1, 1, 0, 0, 1),
  REQ("content-length big", "PUT / HTTP/1.1\r\nContent-Length: "
      "4611686018427387904\r\n\r\n", WHOLE, "PUT", "/", 1, 1,
      4611686018427387904LL, 0, 1),
  REQ("chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      WHOLE, "POST", "/", 1, 1, -1, 1, 1),
  REQ("chunked, any case", "POST / HTTP/1.1\r\ntransfer-encoding: "
      "Chunked\r\n\r\n", WHOLE, "POST", "/", 1, 1, -1, 1, 1),
  REQ("1.0 chunked closes", "POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\n\r\n", WHOLE, "POST", "/", 0, 2, -1, 1,
      0),

  /* malformed request line */
  REQBAD("bare LF", "GET / HTTP/1.1\n\n", -400),
  REQBAD("bare LF after header", G11 "Host: a\n\r\n", -400),
  REQBAD("CR without LF", "GET / HTTP/1.1\rX", -400),
  REQBAD("leading space", " GET / HTTP/1.1\r\n\r\n", -400),
  REQBAD("leading bare LF", "\nGET / HTTP/1.1\r\n\r\n", -400),
  REQBAD("two spaces", "GET  / HTTP/1.1\r\n\r\n", -400),
  REQBAD("no version (0.9)", "GET /\r\n\r\n", -400),
  REQBAD("method not a token", "GE(T / HTTP/1.1\r\n\r\n", -400),
  REQBAD("tab separator", "GET\t/ HTTP/1.1\r\n\r\n", -400),
  REQBAD("space after version", "GET / HTTP/1.1 \r\n\r\n", -400),
  REQBAD("NUL in method", "G\0T / HTTP/1.1\r\n\r\n", -400),
  REQBAD("CTL in URI", "GET /a\x01 HTTP/1.1\r\n\r\n", -400),
  REQBAD("DEL in URI", "GET /a\x7f HTTP/1.1\r\n\r\n", -400),
  REQBAD("NUL in URI", "GET /a\0b HTTP/1.1\r\n\r\n", -400),
  REQBAD("8-bit URI", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", -400),
  /* versions */
  REQBAD("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", -505),
  REQBAD("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", -505),
  REQBAD("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", -505),
  REQBAD("HTTP/9.9", "GET / HTTP/9.9\r\n\r\n", -505),
  REQBAD("h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -505),
  REQBAD("HTTP/1.10", "GET / HTTP/1.10\r\n\r\n", -400),
  REQBAD("HTTP/1", "GET / HTTP/1\r\n\r\n", -400),
  REQBAD("lower-case http", "GET / http/1.1\r\n\r\n", -400),
  REQBAD("HTTX", "GET / HTTX/1.1\r\n\r\n", -400),
  /* header syntax */
  REQBAD("space before colon", G11 "Host : a\r\n\r\n", -400),
  REQBAD("empty name", G11 ": a\r\n\r\n", -400),
  REQBAD("no colon", G11 "NoColon\r\n\r\n", -400),
  REQBAD("NUL in name", G11 "Ho\0st: a\r\n\r\n", -400),
  REQBAD("NUL in value", G11 "X: a\0b\r\n\r\n", -400),
  REQBAD("CTL in value", G11 "X: a\x01" "b\r\n\r\n", -400),
  REQBAD("ESC in value", G11 "X: \x1b[0m\r\n\r\n", -400),
  REQBAD("DEL in value", G11 "X: a\x7f\r\n\r\n", -400),
  REQBAD("CR in value", G11 "X: a\rb\r\n\r\n", -400),
  REQBAD("folded line", G11 "X: a\r\n b\r\n\r\n", -400),
  REQBAD("folded with tab", G11 "X: a\r\n\tb\r\n\r\n", -400),
  REQBAD("space before first header", G11 " X: a\r\n\r\n", -400),
  REQBAD("end line not CRLF", G11 "X: a\r\n\rX", -400),
  /* framing */
  REQBAD("duplicate content-length", G11 "Content-Length: 5\r\n"
         "Content-Length: 5\r\n\r\n", -400),
  REQBAD("conflicting content-length", G11 "Content-Length: 5\r\n"
         "content-length: 6\r\n\r\n", -400),
  REQBAD("content-length list", G11 "Content-Length: 5, 5\r\n\r\n", -400),
  REQBAD("content-length negative", G11 "Content-Length: -1\r\n\r\n",
         -400),
  REQBAD("content-length plus", G11 "Content-Length: +5\r\n\r\n", -400),
  REQBAD("content-length hex", G11 "Content-Length: 0x10\r\n\r\n", -400),
  REQBAD("content-length empty", G11 "Content-Length:\r\n\r\n", -400),
  REQBAD("content-length overflow", G11 "Content-Length: "
         "99999999999999999999\r\n\r\n", -400),
  /* 19 digits, above 2^63 / 10 before the last one: v * 10 overflowed
   * int64 (fuzz_response found it) */
  REQBAD("content-length 19 digits past int64", G11 "Content-Length: "
         "9223372036854775810\r\n\r\n", -400),
  REQBAD("content-length just over 2^62", G11 "Content-Length: "
         "4611686018427387905\r\n\r\n", -400),
  REQBAD("CL then TE", G11 "Content-Length: 5\r\n"
         "Transfer-Encoding: chunked\r\n\r\n", -400),
  REQBAD("TE then CL", G11 "Transfer-Encoding: chunked\r\n"
         "Content-Length: 5\r\n\r\n", -400),
  REQBAD("TE twice", G11 "Transfer-Encoding: chunked\r\n"
         "Transfer-Encoding: chunked\r\n\r\n", -400),
  REQBAD("TE gzip", G11 "Transfer-Encoding: gzip\r\n\r\n", -501),
  REQBAD("TE gzip, chunked", G11 "Transfer-Encoding: gzip, chunked\r\n"
         "\r\n", -501),
  REQBAD("TE identity", G11 "Transfer-Encoding: identity\r\n\r\n", -501),
  /* found by fuzzing: a header is judged before the next line is seen */
  REQBAD("unknown coding, then folded", G11 "Transfer-Encoding: gzip\r\n"
         " x\r\n\r\n", -501),
};

/* Rows built at run time: sizes around the limits. */
typedef struct req_gen {
  const char *name;
  int kind;
  size_t n;
  int want;
} req_gen;

enum { GEN_URI, GEN_HEADERS, GEN_HEAD, GEN_METHOD, GEN_URI_CUT };

static const req_gen req_gens[] = {
  { "URI at the limit", GEN_URI, HB_HTTP_MAX_URI, 1 },
  { "URI one over", GEN_URI, HB_HTTP_MAX_URI + 1, -414 },
  { "very long URI", GEN_URI, 7000, -414 },
  { "long URI, never ends", GEN_URI_CUT, 6000, -414 },
  { "64 headers", GEN_HEADERS, HB_HTTP_MAX_HEADERS, 1 },
  { "65 headers", GEN_HEADERS, HB_HTTP_MAX_HEADERS + 1, -431 },
  { "head at the limit", GEN_HEAD, HB_HTTP_MAX_HEAD, 1 },
  { "head one over", GEN_HEAD, HB_HTTP_MAX_HEAD + 1, -431 },
  { "huge header", GEN_HEAD, 30000, -431 },
  { "oversized request line", GEN_METHOD, 9000, -431 },
};

static char *gen_request(const req_gen *g, size_t *len)
{
  size_t cap = g->n + 4096, n = 0, i;
  char *s = malloc(cap);

  if(!s)
    return NULL;
  switch(g->kind) {
  case GEN_URI:
  case GEN_URI_CUT:
    n += (size_t)sprintf(s, "GET /");
    for(i = 1; i < g->n; i++)
      s[n++] = (char)('a' + i % 26);
    if(g->kind == GEN_URI)
      n += (size_t)sprintf(s + n, " HTTP/1.1\r\n\r\n");
    break;
  case GEN_HEADERS:
    n += (size_t)sprintf(s, G11);
    for(i = 0; i < g->n; i++)
      n += (size_t)sprintf(s + n, "X-%zu: %zu\r\n", i, i);
    n += (size_t)sprintf(s + n, "\r\n");
    break;
  case GEN_HEAD: {
    /* one header padded so the head is exactly g->n bytes */
    size_t fixed = strlen(G11 "X-Pad: \r\n\r\n");
    n += (size_t)sprintf(s, G11 "X-Pad: ");
    for(i = fixed; i < g->n; i++)
      s[n++] = 'p';
    n += (size_t)sprintf(s + n, "\r\n\r\n");
    break;
  }
  case GEN_METHOD:
    for(i = 0; i < g->n; i++)
      s[n++] = 'G';
    n += (size_t)sprintf(s + n, " / HTTP/1.1\r\n\r\n");
    break;
  }
  *len = n;
  return s;
}

static void check_req_fields(const req_case *c, const hb_http_request *r,
                             const char *how)
{
  if(c->want != 1)
    return;
  if(c->method)
    CHECK(r->method_len == strlen(c->method) &&
          !memcmp(r->method, c->method, r->method_len), "%s (%s): method",
          c->name, how);
  if(c->path)
    CHECK(r->path_len == strlen(c->path) &&
          !memcmp(r->path, c->path, r->path_len), "%s (%s): path",
          c->name, how);
  CHECK(r->minor_version == c->minor, "%s (%s): minor %d", c->name, how,
        r->minor_version);
  if(c->nhdr >= 0)
    CHECK(r->num_headers == (size_t)c->nhdr, "%s (%s): %zu headers",
          c->name, how, r->num_headers);
  CHECK(r->content_length == c->cl, "%s (%s): content-length %lld",
        c->name, how, (long long)r->content_length);
  CHECK(r->chunked == c->chunked, "%s (%s): chunked", c->name, how);
  CHECK(r->keep_alive == c->ka, "%s (%s): keep-alive %d", c->name, how,
        r->keep_alive);
  if(c->h0name && r->num_headers > 0) {
    const hb_http_header *h = &r->headers[0];
    CHECK(h->name_len == strlen(c->h0name) &&
          !memcmp(h->name, c->h0name, h->name_len), "%s (%s): name",
          c->name, how);
    CHECK(h->value_len == strlen(c->h0value) &&
          !memcmp(h->value, c->h0value, h->value_len),
          "%s (%s): value '%.*s'", c->name, how, (int)h->value_len,
          h->value);
  }
}

/* Whole, then every prefix in its own exact-size buffer. */
static void run_request(const req_case *c)
{
  static hb_http_request req;
  size_t consumed = c->consumed ? c->consumed : c->len, i;
  int want = c->want == 1 ? (int)consumed : c->want;
  int rc, got = 0;
  char *buf = malloc(c->len ? c->len : 1);

  if(!buf)
    return;
  memcpy(buf, c->in, c->len);
  rc = hb_http_parse_request(buf, c->len, &req);
  CHECK(rc == want, "%s (whole): got %d, want %d", c->name, rc, want);
  if(rc == want)
    check_req_fields(c, &req, "whole");
  free(buf);

  for(i = 1; i <= c->len && !got; i++) {
    buf = malloc(i);
    if(!buf)
      return;
    memcpy(buf, c->in, i);
    rc = hb_http_parse_request(buf, i, &req);
    if(rc != HB_HTTP_INCOMPLETE) {
      got = 1;
      CHECK(rc == want, "%s (%zu bytes): got %d, want %d", c->name, i, rc,
            want);
      if(c->want == 1) {
        CHECK(i == consumed, "%s: complete after %zu bytes, not %zu",
              c->name, i, consumed);
        check_req_fields(c, &req, "bytewise");
      }
    }
    free(buf);
  }
  CHECK(got, "%s (bytewise): never complete", c->name);
}

static void test_requests(void)
{
  static hb_http_request req;
  size_t i;

  for(i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++)
    run_request(&req_cases[i]);
  for(i = 0; i < sizeof(req_gens) / sizeof(req_gens[0]); i++) {
    const req_gen *g = &req_gens[i];
    req_case c;
    size_t len;
    char *s = gen_request(g, &len);

    if(!s)
      continue;
    memset(&c, 0, sizeof(c));
    c.name = g->name;
    c.in = s;
    c.len = len;
    c.want = g->want;
    c.nhdr = -1;
    c.cl = -1;
    c.ka = 1;
    c.minor = 1;
    run_request(&c);
    free(s);
  }
  /* the empty input and a lone CR are simply incomplete */
  CHECK(hb_http_parse_request("", 0, &req) == HB_HTTP_INCOMPLETE,
        "empty request");
  CHECK(hb_http_parse_request("\r", 1, &req) == HB_HTTP_INCOMPLETE,
        "lone CR");
}

/* ---- responses ---- */

typedef struct res_case {
  const char *name;
  const char *in;
  size_t len;
  int want;          /* 1 parses, -1 refused */
  size_t consumed;
  int minor, status;
  const char *reason;
  int64_t cl;
  int chunked, ka;
} res_case;

#define RES(name, in, consumed, minor, status, reason, cl, ch, ka) \
  { name, in, sizeof(in) - 1, 1, consumed, minor, status, reason, cl, ch, \
    ka }
#define RESBAD(name, in) \
  { name, in, sizeof(in) - 1, -1, 0, 0, 0, NULL, 0, 0, 0 }

#define OK5 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const res_case res_cases[] = {
  RES("200 with length", OK5 "hello", sizeof(OK5) - 1, 1, 200, "OK", 5, 0,
      1),
  RES("1.0 closes", "HTTP/1.0 200 OK\r\n\r\n", WHOLE, 0, 200, "OK", -1, 0,
      0),
  RES("1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
      "Content-Length: 0\r\n\r\n", WHOLE, 0, 200, "OK", 0, 0, 1),
  RES("close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", WHOLE, 1,
      200, "OK", -1, 0, 0),
  RES("204", "HTTP/1.1 204 No Content\r\n\r\n", WHOLE, 1, 204,
      "No Content", -1, 0, 1),
  RES("no reason", "HTTP/1.1 404\r\n\r\n", WHOLE, 1, 404, "", -1, 0, 1),
  RES("empty reason", "HTTP/1.1 500 \r\n\r\n", WHOLE, 1, 500, "", -1, 0,
      1),
  RES("chunked", CHUNKED_HEAD "5", sizeof(CHUNKED_HEAD) - 1, 1, 200, "OK",
      -1, 1, 1),
  RES("status 999", "HTTP/1.1 999 Odd\r\n\r\n", WHOLE, 1, 999, "Odd", -1,
      0, 1),
  RES("status 100", "HTTP/1.1 100 Continue\r\n\r\n", WHOLE, 1, 100,
      "Continue", -1, 0, 1),

  RESBAD("garbage", "garbage\r\n\r\n"),
  RESBAD("ICY", "ICY 200 OK\r\n\r\n"),
  RESBAD("HTTP/2", "HTTP/2 200\r\n\r\n"),
  RESBAD("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n"),
  RESBAD("four digits", "HTTP/1.1 2000 OK\r\n\r\n"),
  RESBAD("two digits", "HTTP/1.1 20 OK\r\n\r\n"),
  RESBAD("code 099", "HTTP/1.1 099 Low\r\n\r\n"),
  RESBAD("letters", "HTTP/1.1 abc OK\r\n\r\n"),
  RESBAD("no space", "HTTP/1.1200 OK\r\n\r\n"),
  RESBAD("bare LF", "HTTP/1.1 200 OK\n\n"),
  RESBAD("NUL in reason", "HTTP/1.1 200 O\0K\r\n\r\n"),
  RESBAD("bad header", "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"),
  RESBAD("folded header", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"),
  RESBAD("duplicate length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
         "Content-Length: 2\r\n\r\n"),
  RESBAD("length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
         "Transfer-Encoding: chunked\r\n\r\n"),
  RESBAD("unknown coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: br\r\n"
         "\r\n"),
};

static void check_res_fields(const res_case *c, const hb_http_response *r,
                             const char *how)
{
  if(c->want != 1)
    return;
  CHECK(r->minor_version == c->minor, "%s (%s): minor", c->name, how);
  CHECK(r->status == c->status, "%s (%s): status %d", c->name, how,
        r->status);
  CHECK(r->reason_len == strlen(c->reason) &&
        !memcmp(r->reason, c->reason, r->reason_len), "%s (%s): reason",
        c->name, how);
  CHECK(r->content_length == c->cl, "%s (%s): content-length", c->name,
        how);
  CHECK(r->chunked == c->chunked, "%s (%s): chunked", c->name, how);
  CHECK(r->keep_alive == c->ka, "%s (%s): keep-alive", c->name, how);
}

static void run_response(const res_case *c)
{
  static hb_http_response res;
  size_t consumed = c->consumed ? c->consumed : c->len, i;
  int want = c->want == 1 ? (int)consumed : c->want;
  int rc, got = 0;
  char *buf = malloc(c->len ? c->len : 1);

  if(!buf)
    return;
  memcpy(buf, c->in, c->len);
  rc = hb_http_parse_response(buf, c->len, &res);
  CHECK(rc == want, "%s (whole): got %d, want %d", c->name, rc, want);
  if(rc == want)
    check_res_fields(c, &res, "whole");
  free(buf);
  for(i = 1; i <= c->len && !got; i++) {
    buf = malloc(i);
    if(!buf)
      return;
    memcpy(buf, c->in, i);
    rc = hb_http_parse_response(buf, i, &res);
    if(rc != HB_HTTP_INCOMPLETE) {
      got = 1;
      CHECK(rc == want, "%s (%zu bytes): got %d, want %d", c->name, i, rc,
            want);
      if(c->want == 1) {
        CHECK(i == consumed, "%s: complete after %zu bytes", c->name, i);
        check_res_fields(c, &res, "bytewise");
      }
    }
    free(buf);
  }
  CHECK(got, "%s (bytewise): never complete", c->name);
}

static void test_responses(void)
{
  size_t i, n;
  char *s;
  res_case c;

  for(i = 0; i < sizeof(res_cases) / sizeof(res_cases[0]); i++)
    run_response(&res_cases[i]);

  /* a huge status line, then a huge head, then too many headers */
  s = malloc(40000);
  if(!s)
    return;
  memset(&c, 0, sizeof(c));
  c.want = -1;
  n = (size_t)sprintf(s, "HTTP/1.1 200 ");
  memset(s + n, 'r', 3000);
  n += 3000;
  n += (size_t)sprintf(s + n, "\r\n\r\n");
  c.name = "huge status line";
  c.in = s;
  c.len = n;
  run_response(&c);

  n = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\nX: ");
  memset(s + n, 'v', 30000);
  n += 30000;
  n += (size_t)sprintf(s + n, "\r\n\r\n");
  c.name = "huge head";
  c.len = n;
  run_response(&c);

  n = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\n");
  for(i = 0; i <= HB_HTTP_MAX_HEADERS; i++)
    n += (size_t)sprintf(s + n, "X-%zu: 1\r\n", i);
  n += (size_t)sprintf(s + n, "\r\n");
  c.name = "65 headers";
  c.len = n;
  run_response(&c);
  free(s);
}

/* ---- chunked bodies ---- */

typedef struct chunk_case {
  const char *name;
  const char *in;
  size_t len;
  int want;          /* 0 complete, -1 refused, HB_HTTP_INCOMPLETE */
  const char *body;
  size_t leftover;
} chunk_case;

#define CHOK(name, in, body, leftover) \
  { name, in, sizeof(in) - 1, 0, body, leftover }
#define CHBAD(name, in) { name, in, sizeof(in) - 1, -1, NULL, 0 }
#define CHMORE(name, in) \
  { name, in, sizeof(in) - 1, HB_HTTP_INCOMPLETE, NULL, 0 }

static const chunk_case chunk_cases[] = {
  CHOK("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 0),
  CHOK("two chunks and more", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET",
       "hello world", 3),
  CHOK("empty body", "0\r\n\r\n", "", 0),
  CHOK("hex sizes", "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n",
       "0123456789abcdefghij", 0),
  CHOK("leading zeros", "0000000000000000000005\r\nhello\r\n0\r\n\r\n",
       "hello", 0),
  CHOK("extension", "5;name=val\r\nhello\r\n0;last\r\n\r\n", "hello", 0),
  CHOK("blank before extension", "5 \t;x\r\nhello\r\n0\r\n\r\n", "hello",
       0),
  CHOK("trailers", "5\r\nhello\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\nrest",
       "hello", 4),
  CHOK("CRLF in data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", 0),
  CHMORE("largest size", "ffffffffffffffff\r\nabc"),
  CHMORE("not finished", "5\r\nhello\r\n"),
  CHBAD("no digits", "\r\nhello\r\n0\r\n\r\n"),
  CHBAD("not hex", "x\r\nhello\r\n0\r\n\r\n"),
  CHBAD("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
  CHBAD("negative", "-5\r\nhello\r\n0\r\n\r\n"),
  CHBAD("space inside size", "5 5\r\nhello\r\n0\r\n\r\n"),
  CHBAD("overflow", "10000000000000000\r\n"),
  CHBAD("overflow, all f", "fffffffffffffffff\r\n"),
  CHBAD("bare LF after size", "5\nhello\r\n0\r\n\r\n"),
  CHBAD("data longer than size", "5\r\nhelloX\r\n0\r\n\r\n"),
  CHBAD("data shorter than size", "5\r\nhell\r\n0\r\n\r\n"),
  CHBAD("CTL in extension", "5;a\x01\r\nhello\r\n0\r\n\r\n"),
  CHBAD("NUL in trailer", "0\r\nX: a\0\r\n\r\n"),
  CHBAD("folded trailer", "0\r\nX: a\r\n b\r\n\r\n"),
};

/* Feeds in pieces of `step` bytes (0: whole), as a reader would. */
static void run_chunked(const chunk_case *c, size_t step, size_t split)
{
  hb_http_chunked d;
  char *body = malloc(c->len + 1), *buf;
  size_t blen = 0, pos = 0, left_total = 0;
  ssize_t rc = HB_HTTP_INCOMPLETE;

  if(!body)
    return;
  memset(&d, 0, sizeof(d));
  while(pos < c->len && rc == HB_HTTP_INCOMPLETE) {
    size_t n = step ? step : (split ? split : c->len);
    size_t got;

    if(split && pos)
      n = c->len - pos;
    if(n > c->len - pos)
      n = c->len - pos;
    buf = malloc(n);
    if(!buf)
      break;
    memcpy(buf, c->in + pos, n);
    got = n;
    rc = hb_http_decode_chunked(&d, buf, &got);
    if(rc != -1) {
      memcpy(body + blen, buf, got);
      blen += got;
    }
    if(rc >= 0) {
      /* the leftover follows the body in the buffer */
      CHECK(rc == 0 || !memcmp(buf + got, c->in + pos + n - (size_t)rc,
                               (size_t)rc),
            "%s: leftover bytes moved", c->name);
      left_total = (size_t)rc + (c->len - pos - n);
    }
    pos += n;
    free(buf);
  }
  if(rc >= 0)
    rc = 0;
  CHECK(rc == c->want, "%s (step %zu split %zu): got %zd, want %d",
        c->name, step, split, rc, c->want);
  if(rc == 0 && c->want == 0) {
    CHECK(blen == strlen(c->body) && !memcmp(body, c->body, blen),
          "%s (step %zu split %zu): body '%.*s'", c->name, step, split,
          (int)blen, body);
    CHECK(left_total == c->leftover, "%s: leftover %zu, want %zu", c->name,
          left_total, c->leftover);
  }
  free(body);
}

static void test_chunked(void)
{
  size_t i, s;
  hb_http_chunked d;
  char buf[8];
  size_t n;

  for(i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
    const chunk_case *c = &chunk_cases[i];
    run_chunked(c, 0, 0);
    run_chunked(c, 1, 0);
    for(s = 1; s < c->len; s++)
      run_chunked(c, 0, s);
  }
  /* after an error, it stays an error */
  memset(&d, 0, sizeof(d));
  memcpy(buf, "x\r\n", 3);
  n = 3;
  CHECK(hb_http_decode_chunked(&d, buf, &n) == -1, "error");
  memcpy(buf, "0\r\n\r\n", 5);
  n = 5;
  CHECK(hb_http_decode_chunked(&d, buf, &n) == -1, "error sticks");
  /* nothing in, nothing out */
  memset(&d, 0, sizeof(d));
  n = 0;
  CHECK(hb_http_decode_chunked(&d, buf, &n) == HB_HTTP_INCOMPLETE &&
        n == 0, "empty input");
}

int main(void)
{
  test_requests();
  test_responses();
  test_chunked();
  return test_summary("http");
}
