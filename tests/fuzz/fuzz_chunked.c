/* Fuzz target: the chunked body decoder (hb_http_decode_chunked).
 *
 * The first byte picks a piece size (1..64); the rest is the coded body.
 * Properties: decoding the whole input at once and in pieces of that size
 * gives the same answer, the same body and the same bytes left over; the
 * body is never longer than the input; the left-over count fits; a
 * decoded body coded again as chunks decodes to itself with nothing left
 * over. */
#include <sys/types.h>

#include "fuzz.h"
#include "hb/http.h"

/* Decodes in[0..len) in pieces of step bytes into body (*blen) and the
 * left-over bytes into rest (*rlen). Returns the decoder's last answer. */
static ssize_t decode(const char *in, size_t len, size_t step, char *body,
                      size_t *blen, char *rest, size_t *rlen)
{
  hb_http_chunked d;
  size_t pos = 0;
  ssize_t rc = HB_HTTP_INCOMPLETE;

  memset(&d, 0, sizeof(d));
  *blen = *rlen = 0;
  while(pos < len) {
    size_t n = len - pos < step ? len - pos : step, got = n;
    char *buf = fz_dup(in + pos, n);

    rc = hb_http_decode_chunked(&d, buf, &got);
    FZ_ASSERT(got <= n);
    FZ_ASSERT(rc == HB_HTTP_INCOMPLETE || rc == -1 ||
              (rc >= 0 && got + (size_t)rc <= n));
    memcpy(body + *blen, buf, got);
    *blen += got;
    pos += n;
    if(rc >= 0) {  /* done: the rest of this piece and what follows */
      memcpy(rest, buf + got, (size_t)rc);
      memcpy(rest + rc, in + pos, len - pos);
      *rlen = (size_t)rc + len - pos;
    }
    free(buf);
    if(rc != HB_HTTP_INCOMPLETE)
      break;
  }
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *in = (const char *)data + 1;
  size_t len, step, b1, r1, b2, r2, clen;
  char *body1, *rest1, *body2, *rest2, *coded;
  ssize_t rc1, rc2;

  if(size < 1)
    return 0;
  len = size - 1;
  step = (size_t)data[0] % 64 + 1;
  body1 = malloc(len + 1);
  rest1 = malloc(len + 1);
  body2 = malloc(len + 64);   /* also the body coded again */
  rest2 = malloc(len + 64);
  if(!body1 || !rest1 || !body2 || !rest2)
    abort();

  rc1 = decode(in, len, len ? len : 1, body1, &b1, rest1, &r1);
  rc2 = decode(in, len, step, body2, &b2, rest2, &r2);
  FZ_ASSERT((rc1 >= 0) == (rc2 >= 0) && (rc1 == -1) == (rc2 == -1));
  FZ_ASSERT(b1 <= len && b2 <= len);
  if(rc1 != -1) {
    /* on an error the body so far may differ: a piece stops earlier */
    FZ_ASSERT(b1 == b2 && !memcmp(body1, body2, b1));
    FZ_ASSERT(r1 == r2 && !memcmp(rest1, rest2, r1));
  }
  if(rc1 >= 0) {
    FZ_ASSERT(b1 + r1 <= len);
    /* code the body again as one chunk (if any) and decode it */
    coded = malloc(b1 + 40);
    if(!coded)
      abort();
    clen = b1 ? (size_t)sprintf(coded, "%zx\r\n", b1) : 0;
    memcpy(coded + clen, body1, b1);
    clen += b1;
    clen += (size_t)sprintf(coded + clen, "%s0\r\n\r\n", b1 ? "\r\n" : "");
    rc2 = decode(coded, clen, step, body2, &b2, rest2, &r2);
    FZ_ASSERT(rc2 == 0 && r2 == 0);
    FZ_ASSERT(b2 == b1 && !memcmp(body1, body2, b1));
    free(coded);
  }
  free(body1);
  free(rest1);
  free(body2);
  free(rest2);
  return 0;
}
