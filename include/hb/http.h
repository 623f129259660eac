/* HTTP/1.1 message parsing over the caller's buffer (zero copy).
 *
 * Parsers return the number of bytes the head used (> 0) when complete,
 * HB_HTTP_INCOMPLETE when more bytes are needed, or a negative HTTP status
 * (-400, -414, -431, -501, -505...) saying why the input is refused; the
 * structures point into the caller's buffer. Every input may arrive in
 * pieces of any size, down to one byte. */
#ifndef HB_HTTP_H
#define HB_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HB_HTTP_INCOMPLETE (-2)
#define HB_HTTP_MAX_HEADERS 64
#define HB_HTTP_MAX_HEAD 8192     /* request line + headers */
#define HB_HTTP_MAX_URI 4096

typedef struct hb_http_header {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} hb_http_header;

typedef struct hb_http_request {
  const char *method;
  size_t method_len;
  const char *path;
  size_t path_len;
  int minor_version;        /* 0 or 1: HTTP/1.x */
  hb_http_header headers[HB_HTTP_MAX_HEADERS];
  size_t num_headers;
  int64_t content_length;   /* -1 when absent */
  int chunked;              /* Transfer-Encoding: chunked */
  int keep_alive;           /* after version and Connection header */
} hb_http_request;

typedef struct hb_http_response {
  int minor_version;
  int status;               /* 100..999 */
  const char *reason;
  size_t reason_len;
  hb_http_header headers[HB_HTTP_MAX_HEADERS];
  size_t num_headers;
  int64_t content_length;   /* -1 when absent */
  int chunked;
  int keep_alive;
} hb_http_response;

/* Request head. Refuses (negative status): malformed request line or
 * header (-400), URI over HB_HTTP_MAX_URI (-414), head over
 * HB_HTTP_MAX_HEAD or more than HB_HTTP_MAX_HEADERS headers (-431),
 * version other than HTTP/1.0 or 1.1 (-505), NUL/CTL/DEL bytes or folded
 * lines in headers (-400), duplicate or conflicting Content-Length, or
 * Content-Length with Transfer-Encoding (-400), an unknown
 * Transfer-Encoding (-501). */
int hb_http_parse_request(const char *buf, size_t len, hb_http_request *req);

/* Response head; -1 (instead of a status) for anything malformed:
 * garbage or over-long status line, bad status code, bad headers,
 * conflicting lengths. */
int hb_http_parse_response(const char *buf, size_t len,
                           hb_http_response *res);

/* Chunked body decoder, in place: decodes buf[0..*len) and sets *len to
 * the number of body bytes now at the front of buf. Returns the number of
 * bytes left over after the final chunk and trailers (>= 0) once the body
 * is complete (moved to follow the body, from buf[*len] on),
 * HB_HTTP_INCOMPLETE when more is needed, -1 for a bad or overflowing
 * chunk size. Zero the struct before the first call. */
typedef struct hb_http_chunked {
  uint64_t left;   /* bytes left in the current chunk */
  int state;
  int hex_digits;
} hb_http_chunked;

ssize_t hb_http_decode_chunked(hb_http_chunked *d, char *buf, size_t *len);

#endif
