/* HTTP/1.1 request, response and chunked-body parsing (include/hb/http.h).
 *
 * The head parsers are stateless: each call scans buf from the start, so a
 * caller that gets HB_HTTP_INCOMPLETE simply calls again with more bytes.
 * Every decision is made left to right on the bytes seen so far, which is
 * what makes a prefix give either HB_HTTP_INCOMPLETE or the final answer.
 * Only the first HB_HTTP_MAX_HEAD bytes are ever looked at. */
#include "hb/http.h"

#include <string.h>

typedef unsigned char uchar;

/* 1: tchar (RFC 9110 token). 2: field-value byte (VCHAR, obs-text, SP,
 * HTAB). 4: request-target byte (VCHAR). */
#define T_TOKEN 1
#define T_VALUE 2
#define T_URI 4

static const uchar http_class[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  2, 7, 6, 7, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6,
  6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Case-insensitive compare of n bytes against a lower-case literal. */
static int http_ieq(const char *s, const char *lower, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    uchar c = (uchar)s[i];
    if(c >= 'A' && c <= 'Z')
      c = (uchar)(c + 32);
    if(c != (uchar)lower[i])
      return 0;
  }
  return 1;
}

#define NAME_IS(h, lit) \
  ((h)->name_len == sizeof(lit) - 1 && http_ieq((h)->name, lit, \
                                                sizeof(lit) - 1))

/* What the framing headers said; filled while the headers are parsed. */
typedef struct http_frame {
  int64_t content_length;
  int te_seen;
  int chunked;
  int conn_close;
  int conn_keep_alive;
} http_frame;

/* 1*DIGIT with no sign or spaces; -1 for anything else or > 2^62. */
static int64_t http_content_length(const char *s, size_t n)
{
  int64_t v = 0;
  size_t i;

  if(n == 0 || n > 19)
    return -1;
  for(i = 0; i < n; i++) {
    if(s[i] < '0' || s[i] > '9')
      return -1;
    if(v > ((int64_t)1 << 62) / 10) /* v * 10 would pass 2^62 */
      return -1;
    v = v * 10 + (s[i] - '0');
    if(v > ((int64_t)1 << 62))
      return -1;
  }
  return v;
}

/* Comma-separated Connection options: close wins over keep-alive. */
static void http_connection(const char *s, size_t n, http_frame *f)
{
  size_t i = 0;

  while(i < n) {
    size_t b, e;

    while(i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
      i++;
    b = i;
    while(i < n && s[i] != ',')
      i++;
    e = i;
    while(e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
      e--;
    if(e - b == 5 && http_ieq(s + b, "close", 5))
      f->conn_close = 1;
    else if(e - b == 10 && http_ieq(s + b, "keep-alive", 10))
      f->conn_keep_alive = 1;
  }
}

/* Notes one header's meaning for framing; 0 or a negative status. */
static int http_frame_header(const hb_http_header *h, http_frame *f)
{
  if(NAME_IS(h, "content-length")) {
    int64_t v = http_content_length(h->value, h->value_len);
    if(v < 0 || f->content_length >= 0)
      return -400;          /* malformed, or duplicate (even if equal) */
    f->content_length = v;
  }
  else if(NAME_IS(h, "transfer-encoding")) {
    if(f->te_seen)
      return -400;          /* a second coding list: never "chunked" alone */
    f->te_seen = 1;
    if(h->value_len != 7 || !http_ieq(h->value, "chunked", 7))
      return -501;
    f->chunked = 1;
  }
  else if(NAME_IS(h, "connection"))
    http_connection(h->value, h->value_len, f);
  return 0;
}

/* Header lines from *pp up to and including the empty line. Returns the
 * offset past the head (> 0), HB_HTTP_INCOMPLETE, or a negative status:
 * -400 malformed, -431 too many / too large, -501 unknown coding. `more`
 * is what running out of bytes means (incomplete, or -431 at the cap). */
static int http_headers(const uchar *start, const uchar *p, const uchar *end,
                        int more, hb_http_header *hdrs, size_t *num,
                        http_frame *f)
{
  const uchar *cls = http_class;

  *num = 0;
  for(;;) {
    hb_http_header *h;
    const uchar *b, *e;
    int rc;

    if(p == end)
      return more;
    if(*p == '\r') {
      if(end - p < 2)
        return more;
      if(p[1] != '\n')
        return -400;
      return (int)(p + 2 - start);
    }
    if(*num == HB_HTTP_MAX_HEADERS)
      return -431;
    h = &hdrs[*num];
    /* name: a token right up to the colon; a line starting with a blank
     * (obsolete folding) has an empty name and is refused here, which
     * keeps every decision on bytes already seen */
    b = p;
    while(p < end && (cls[*p] & T_TOKEN))
      p++;
    if(p == end)
      return more;
    if(*p != ':' || p == b)
      return -400;
    h->name = (const char *)b;
    h->name_len = (size_t)(p - b);
    p++;
    while(p < end && (*p == ' ' || *p == '\t'))
      p++;
    b = p;
    while(p < end && (cls[*p] & T_VALUE))
      p++;
    if(p == end)
      return more;
    if(*p != '\r')
      return -400;          /* NUL, CTL, DEL or a bare LF */
    if(end - p < 2)
      return more;
    if(p[1] != '\n')
      return -400;
    e = p;
    while(e > b && (e[-1] == ' ' || e[-1] == '\t'))
      e--;
    h->value = (const char *)b;
    h->value_len = (size_t)(e - b);
    p += 2;
    (*num)++;
    rc = http_frame_header(h, f);
    if(rc)
      return rc;
  }
}

/* "HTTP/1.0" or "HTTP/1.1" at p (8 bytes available): minor version, -505
 * for another HTTP/x.y, -400 for anything else. */
static int http_version(const uchar *p)
{
  if(memcmp(p, "HTTP/", 5) || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
     p[7] < '0' || p[7] > '9')
    return -400;
  if(p[5] != '1' || p[7] > '1')
    return -505;
  return p[7] - '0';
}

static void http_frame_init(http_frame *f)
{
  memset(f, 0, sizeof(*f));
  f->content_length = -1;
}

int hb_http_parse_request(const char *buf, size_t len, hb_http_request *req)
{
  const uchar *cls = http_class;
  const uchar *start = (const uchar *)buf, *p = start, *end, *b;
  int more = len >= HB_HTTP_MAX_HEAD ? -431 : HB_HTTP_INCOMPLETE;
  http_frame f;
  int rc;

  end = start + (len < HB_HTTP_MAX_HEAD ? len : HB_HTTP_MAX_HEAD);
  http_frame_init(&f);
  req->num_headers = 0;

  /* empty lines before the request line are ignored (RFC 9112 2.2) */
  for(;;) {
    if(p == end)
      return more;
    if(*p != '\r')
      break;
    if(end - p < 2)
      return more;
    if(p[1] != '\n')
      return -400;
    p += 2;
  }

  b = p;
  while(p < end && (cls[*p] & T_TOKEN))
    p++;
  if(p == end)
    return more;
  if(*p != ' ' || p == b)
    return -400;
  req->method = (const char *)b;
  req->method_len = (size_t)(p - b);
  p++;

  b = p;
  while(p < end && (cls[*p] & T_URI)) {
    p++;
    if(p - b > HB_HTTP_MAX_URI)
      return -414;
  }
  if(p == end)
    return more;
  if(*p != ' ' || p == b)
    return -400;
  req->path = (const char *)b;
  req->path_len = (size_t)(p - b);
  p++;

  if(end - p < 10)
    return more;            /* checked in one go once complete */
  rc = http_version(p);
  if(rc < 0)
    return rc;
  if(p[8] != '\r' || p[9] != '\n')
    return -400;
  req->minor_version = rc;
  p += 10;

  rc = http_headers(start, p, end, more, req->headers, &req->num_headers,
                    &f);
  if(rc < 0)
    return rc;
  if(f.content_length >= 0 && f.te_seen)
    return -400;            /* request smuggling territory */
  req->content_length = f.content_length;
  req->chunked = f.chunked;
  if(f.conn_close)
    req->keep_alive = 0;
  else
    req->keep_alive = req->minor_version == 1 || f.conn_keep_alive;
  if(f.te_seen && req->minor_version == 0)
    req->keep_alive = 0;    /* RFC 9112 6.1: framing of 1.0 + TE is faulty */
  return rc;
}

#define HTTP_MAX_STATUS_LINE 1024

int hb_http_parse_response(const char *buf, size_t len,
                           hb_http_response *res)
{
  const uchar *cls = http_class;
  const uchar *start = (const uchar *)buf, *p = start, *end, *b;
  int more = len >= HB_HTTP_MAX_HEAD ? -1 : HB_HTTP_INCOMPLETE;
  http_frame f;
  int rc;

  end = start + (len < HB_HTTP_MAX_HEAD ? len : HB_HTTP_MAX_HEAD);
  http_frame_init(&f);
  res->num_headers = 0;

  /* "HTTP/1.x NNN": as far as the bytes go, refuse early */
  if(end - p < 12) {
    static const char pre[] = "HTTP/1.";
    size_t i, n = (size_t)(end - p);
    for(i = 0; i < n && i < 7; i++)
      if(p[i] != (uchar)pre[i])
        return -1;
    return more;
  }
  rc = http_version(p);
  if(rc < 0)
    return -1;
  res->minor_version = rc;
  if(p[8] != ' ' || p[9] < '1' || p[9] > '9' || p[10] < '0' || p[10] > '9' ||
     p[11] < '0' || p[11] > '9')
    return -1;
  res->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
  p += 12;
  if(p == end)
    return more;
  if(*p == ' ')
    p++;
  else if(*p != '\r')
    return -1;              /* a fourth digit or garbage */
  b = p;
  while(p < end && (cls[*p] & T_VALUE)) {
    p++;
    if(p - start > HTTP_MAX_STATUS_LINE)
      return -1;
  }
  if(p == end)
    return more;
  if(*p != '\r')
    return -1;
  if(end - p < 2)
    return more;
  if(p[1] != '\n')
    return -1;
  res->reason = (const char *)b;
  res->reason_len = (size_t)(p - b);
  p += 2;

  rc = http_headers(start, p, end, more, res->headers, &res->num_headers,
                    &f);
  if(rc == HB_HTTP_INCOMPLETE)
    return rc;
  if(rc < 0 || (f.content_length >= 0 && f.te_seen))
    return -1;
  res->content_length = f.content_length;
  res->chunked = f.chunked;
  if(f.conn_close)
    res->keep_alive = 0;
  else
    res->keep_alive = res->minor_version == 1 || f.conn_keep_alive;
  return rc;
}

/* ---- chunked transfer coding ---- */

enum {
  CH_SIZE = 0,     /* hex digits of a chunk size */
  CH_BWS,          /* blanks after the size: only ';' may follow */
  CH_EXT,          /* chunk extension, skipped up to CR */
  CH_SIZE_LF,
  CH_DATA,
  CH_DATA_CR,
  CH_DATA_LF,
  CH_TRAILER,      /* at the start of a trailer line (or the end) */
  CH_TRAILER_LINE,
  CH_TRAILER_LF,
  CH_END_LF,
  CH_DONE,
  CH_ERROR
};

/* Extensions and trailers are skipped, but not forever. */
#define CH_MAX_SKIP HB_HTTP_MAX_HEAD

static int ch_hex(uchar c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A skipped byte in an extension or trailer: no CTL except HTAB. */
static int ch_skip_ok(hb_http_chunked *d, uchar c)
{
  if((c < 0x20 && c != '\t') || c == 0x7f)
    return 0;
  return ++d->hex_digits <= CH_MAX_SKIP;
}

ssize_t hb_http_decode_chunked(hb_http_chunked *d, char *buf, size_t *len)
{
  size_t in = 0, out = 0, n = *len;

  while(in < n) {
    uchar c = (uchar)buf[in];

    switch(d->state) {
    case CH_SIZE: {
      int v = ch_hex(c);
      if(v >= 0) {
        if(d->left >> 60)
          goto bad;         /* one more digit would overflow 64 bits */
        d->left = (d->left << 4) | (uint64_t)v;
        d->hex_digits++;
        in++;
        break;
      }
      if(!d->hex_digits)
        goto bad;
      d->hex_digits = 0;    /* reused below as a skip counter */
      if(c == '\r')
        d->state = CH_SIZE_LF;
      else if(c == ';')
        d->state = CH_EXT;
      else if(c == ' ' || c == '\t')
        d->state = CH_BWS;
      else
        goto bad;
      in++;
      break;
    }
    case CH_BWS:
      if(c == ';')
        d->state = CH_EXT;
      else if(c != ' ' && c != '\t')
        goto bad;
      in++;
      break;
    case CH_EXT:
      if(c == '\r')
        d->state = CH_SIZE_LF;
      else if(!ch_skip_ok(d, c))
        goto bad;
      in++;
      break;
    case CH_SIZE_LF:
      if(c != '\n')
        goto bad;
      in++;
      d->hex_digits = 0;
      d->state = d->left ? CH_DATA : CH_TRAILER;
      break;
    case CH_DATA: {
      size_t k = n - in;
      if((uint64_t)k > d->left)
        k = (size_t)d->left;
      if(out != in)
        memmove(buf + out, buf + in, k);
      in += k;
      out += k;
      d->left -= k;
      if(!d->left)
        d->state = CH_DATA_CR;
      break;
    }
    case CH_DATA_CR:
      if(c != '\r')
        goto bad;
      in++;
      d->state = CH_DATA_LF;
      break;
    case CH_DATA_LF:
      if(c != '\n')
        goto bad;
      in++;
      d->state = CH_SIZE;
      break;
    case CH_TRAILER:
      if(c == '\r')
        d->state = CH_END_LF;
      else if(c == ' ' || c == '\t' || !ch_skip_ok(d, c))
        goto bad;           /* folded trailer or control byte */
      else
        d->state = CH_TRAILER_LINE;
      in++;
      break;
    case CH_TRAILER_LINE:
      if(c == '\r')
        d->state = CH_TRAILER_LF;
      else if(!ch_skip_ok(d, c))
        goto bad;
      in++;
      break;
    case CH_TRAILER_LF:
      if(c != '\n')
        goto bad;
      in++;
      d->state = CH_TRAILER;
      break;
    case CH_END_LF:
      if(c != '\n')
        goto bad;
      in++;
      d->state = CH_DONE;
      break;
    case CH_DONE:
      goto done;
    default:
      goto bad;
    }
    if(d->state == CH_DONE)
      goto done;
  }
  *len = out;
  if(d->state == CH_DONE)
    return 0;
  return HB_HTTP_INCOMPLETE;

done:
  /* what follows the body moves up behind it */
  if(out != in)
    memmove(buf + out, buf + in, n - in);
  *len = out;
  return (ssize_t)(n - in);

bad:
  d->state = CH_ERROR;
  *len = out;
  return -1;
}
