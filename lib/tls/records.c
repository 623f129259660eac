/* The incremental TLS record scanner (include/hb/tls_layer.h): record
 * headers, and inside plaintext handshake records the handshake message
 * headers and their first body bytes. Every field keeps its place between
 * calls, so a stream fed whole, byte by byte or split anywhere gives the
 * same events. */
#include <string.h>

#include "hb/tls_layer.h"

#define CT_CCS 20
#define CT_HANDSHAKE 22

static void emit(hb_rec_fn fn, void *arg, int sent, int kind, int ct,
                 int hs, size_t len, const unsigned char *peek)
{
  hb_rec_event ev;

  ev.kind = kind;
  ev.content_type = ct;
  ev.encrypted = 0;
  ev.hs_type = hs;
  ev.len = len;
  ev.peek = peek;
  fn(arg, sent, &ev);
}

/* Handshake message bytes (messages may span or share records). */
static void messages(hb_rec_scan *s, int sent, const unsigned char *p,
                     size_t n, hb_rec_fn fn, void *arg)
{
  size_t k;

  while(n) {
    if(s->hs_have < 4) {
      s->hs[s->hs_have++] = *p++;
      n--;
      if(s->hs_have < 4)
        continue;
      s->hs_left = (size_t)s->hs[1] << 16 | (size_t)s->hs[2] << 8 |
                   s->hs[3];
      s->peek_have = 0;
      s->peek_want = s->hs_left < HB_REC_PEEK_LEN ? (unsigned)s->hs_left :
                     HB_REC_PEEK_LEN;
      emit(fn, arg, sent, HB_REC_MESSAGE, CT_HANDSHAKE, s->hs[0],
           s->hs_left + 4, NULL);
      if(!s->hs_left)
        s->hs_have = 0;
      continue;
    }
    k = n < s->hs_left ? n : s->hs_left;
    if(s->peek_have < s->peek_want) {
      size_t m = s->peek_want - s->peek_have;

      if(m > k)
        m = k;
      memcpy(s->peek + s->peek_have, p, m);
      s->peek_have += (unsigned)m;
      if(s->peek_have == s->peek_want)
        emit(fn, arg, sent, HB_REC_PEEK, CT_HANDSHAKE, s->hs[0],
             s->peek_have, s->peek);
    }
    p += k;
    n -= k;
    s->hs_left -= k;
    if(!s->hs_left)
      s->hs_have = 0;
  }
}

void hb_rec_feed(hb_rec_scan *s, int sent, const void *data, size_t n,
                 hb_rec_fn fn, void *arg)
{
  const unsigned char *p = data;
  hb_rec_event ev;
  size_t k;

  while(n) {
    if(s->rec_have < 5) {
      s->rec[s->rec_have++] = *p++;
      n--;
      if(s->rec_have < 5)
        continue;
      s->rec_left = (size_t)s->rec[3] << 8 | s->rec[4];
      ev.kind = HB_REC_HEADER;
      ev.content_type = s->rec[0];
      ev.encrypted = s->ccs;
      ev.hs_type = -1;
      ev.len = s->rec_left;
      ev.peek = NULL;
      if(s->rec[0] == CT_CCS)
        s->ccs = 1;
      fn(arg, sent, &ev);
      if(!s->rec_left)
        s->rec_have = 0;
      continue;
    }
    k = n < s->rec_left ? n : s->rec_left;
    if(s->rec[0] == CT_HANDSHAKE && !s->ccs)
      messages(s, sent, p, k, fn, arg);
    p += k;
    n -= k;
    s->rec_left -= k;
    if(!s->rec_left)
      s->rec_have = 0;
  }
}
