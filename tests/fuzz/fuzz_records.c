/* Fuzz target: the TLS record scanner behind handshake traces
 * (hb_rec_feed, lib/tls/records.c), which reads wire bytes from peers.
 *
 * Input: byte 0 says how many chunk lengths follow (low 4 bits), each
 * chunk length is one byte (1..256); the rest is the wire stream, fed in
 * those chunks (cycled), then again whole and one byte at a time.
 *
 * Properties: the three feeds give the same events; the events are the
 * ones a plain, non-incremental reading of the whole stream finds
 * (records, then handshake messages in the plaintext handshake records
 * before a ChangeCipherSpec, with their first body bytes); each event
 * comes in the chunk that holds its last byte, never earlier (offsets
 * within the bytes fed so far); a peek points into the scanner's own
 * state and holds the stream's bytes. */
#include "fuzz.h"
#include "hb/tls_layer.h"

typedef struct ev {
  int kind, ct, enc, hs;
  size_t len;
  unsigned char peek[HB_REC_PEEK_LEN];
  size_t at;      /* the oracle: offset just past the event's last byte */
} ev;

typedef struct feed {
  const hb_rec_scan *s;
  ev *evs;
  size_t n, max;
  size_t lo, hi;  /* the chunk being fed: wire[lo..hi) */
} feed;

static void on_event(void *arg, int sent, const hb_rec_event *e)
{
  feed *f = arg;
  ev *o;

  FZ_ASSERT(sent == 1);
  FZ_ASSERT(f->n < f->max); /* at most one event per byte */
  o = &f->evs[f->n++];
  memset(o, 0, sizeof(*o));
  o->kind = e->kind;
  o->ct = e->content_type;
  o->enc = e->encrypted;
  o->hs = e->hs_type;
  o->len = e->len;
  o->at = f->hi;  /* checked against the oracle: in (lo, hi] */
  switch(e->kind) {
  case HB_REC_HEADER:
    FZ_ASSERT(e->len <= 0xffff && e->hs_type == -1 && !e->peek);
    FZ_ASSERT(e->content_type >= 0 && e->content_type <= 255);
    break;
  case HB_REC_MESSAGE:
    FZ_ASSERT(e->content_type == 22 && e->len >= 4 &&
              e->len <= 0xffffff + 4 && !e->peek);
    break;
  case HB_REC_PEEK:
    FZ_ASSERT(e->content_type == 22 && e->len >= 1 &&
              e->len <= HB_REC_PEEK_LEN);
    FZ_ASSERT(e->peek == f->s->peek);
    memcpy(o->peek, e->peek, e->len);
    break;
  default:
    FZ_ASSERT(!"unknown event kind");
  }
}

/* The events of the whole stream, read at once with no state kept. */
static size_t oracle(const uint8_t *w, size_t n, ev *out, uint8_t *hs,
                     size_t *hs_at)
{
  size_t pos = 0, nev = 0, nhs = 0, i;
  int ccs = 0;

  while(pos + 5 <= n) {
    size_t len = (size_t)w[pos + 3] << 8 | w[pos + 4], k;
    int ct = w[pos];

    memset(&out[nev], 0, sizeof(out[nev]));
    out[nev].kind = HB_REC_HEADER;
    out[nev].ct = ct;
    out[nev].enc = ccs;
    out[nev].hs = -1;
    out[nev].len = len;
    out[nev++].at = pos + 5;
    k = n - (pos + 5) < len ? n - (pos + 5) : len;
    if(ct == 22 && !ccs)
      for(i = 0; i < k; i++) {
        hs[nhs] = w[pos + 5 + i];
        hs_at[nhs++] = pos + 5 + i + 1;
      }
    if(ct == 20)
      ccs = 1;
    pos += 5 + k;
  }
  /* the handshake messages in the bytes of those records */
  for(i = 0; i + 4 <= nhs;) {
    size_t len = (size_t)hs[i + 1] << 16 | (size_t)hs[i + 2] << 8 |
                 hs[i + 3];
    size_t want = len < HB_REC_PEEK_LEN ? len : HB_REC_PEEK_LEN;

    memset(&out[nev], 0, sizeof(out[nev]));
    out[nev].kind = HB_REC_MESSAGE;
    out[nev].ct = 22;
    out[nev].hs = hs[i];
    out[nev].len = len + 4;
    out[nev++].at = hs_at[i + 3];
    if(want && i + 4 + want <= nhs) {
      memset(&out[nev], 0, sizeof(out[nev]));
      out[nev].kind = HB_REC_PEEK;
      out[nev].ct = 22;
      out[nev].hs = hs[i];
      out[nev].len = want;
      memcpy(out[nev].peek, hs + i + 4, want);
      out[nev++].at = hs_at[i + 4 + want - 1];
    }
    if(len > nhs - i - 4)
      break;
    i += 4 + len;
  }
  return nev;
}

static int by_at(const void *a, const void *b)
{
  const ev *x = a, *y = b;

  return x->at < y->at ? -1 : x->at > y->at;
}

/* Feeds wire in chunks of the given lengths (cycled; none: whole) and
 * checks the events against the oracle's. */
static void run(const uint8_t *wire, size_t n, const uint8_t *lens,
                size_t nlens, ev *evs, const ev *want, size_t nwant)
{
  static hb_rec_scan s;
  feed f;
  size_t pos = 0, c = 0, i;
  size_t *lo = malloc((n + 1) * sizeof(*lo));

  FZ_ASSERT(lo != NULL);
  memset(&s, 0, sizeof(s));
  memset(&f, 0, sizeof(f));
  f.s = &s;
  f.evs = evs;
  f.max = n;
  while(pos < n) {
    size_t k = nlens ? (size_t)lens[c++ % nlens] + 1 : n;
    size_t first = f.n;
    uint8_t *chunk;

    if(k > n - pos)
      k = n - pos;
    chunk = (uint8_t *)fz_dup(wire + pos, k); /* ASan: no read past it */
    f.lo = pos;
    f.hi = pos + k;
    hb_rec_feed(&s, 1, chunk, k, on_event, &f);
    free(chunk);
    for(i = first; i < f.n; i++)
      lo[i] = pos;
    pos += k;
    /* what the scanner holds stays inside its arrays */
    FZ_ASSERT(s.rec_have <= 5 && s.hs_have <= 4);
    FZ_ASSERT(s.peek_have <= s.peek_want &&
              s.peek_want <= HB_REC_PEEK_LEN);
    FZ_ASSERT(s.rec_left <= 0xffff && s.hs_left <= 0xffffff);
  }
  FZ_ASSERT(f.n == nwant);
  for(i = 0; i < f.n; i++) {
    const ev *g = &evs[i], *w = &want[i];

    FZ_ASSERT(g->kind == w->kind && g->ct == w->ct && g->hs == w->hs &&
              g->len == w->len);
    FZ_ASSERT(g->kind != HB_REC_HEADER || g->enc == w->enc);
    FZ_ASSERT(g->kind != HB_REC_PEEK ||
              !memcmp(g->peek, w->peek, g->len));
    /* reported in the chunk holding the event's last byte */
    FZ_ASSERT(w->at > lo[i] && w->at <= g->at && g->at <= n);
  }
  free(lo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const uint8_t one = 0; /* chunks of one byte */
  const uint8_t *lens, *wire;
  size_t nlens, n, nwant;
  ev *want, *evs;
  uint8_t *hs;
  size_t *hs_at;

  if(!size)
    return 0;
  nlens = data[0] & 15;
  if(size < 1 + nlens)
    return 0;
  lens = data + 1;
  wire = data + 1 + nlens;
  n = size - 1 - nlens;
  want = malloc((n + 1) * sizeof(*want));
  evs = malloc((n + 1) * sizeof(*evs));
  hs = malloc(n + 1);
  hs_at = malloc((n + 1) * sizeof(*hs_at));
  FZ_ASSERT(want && evs && hs && hs_at);
  nwant = oracle(wire, n, want, hs, hs_at);
  FZ_ASSERT(nwant <= n);
  qsort(want, nwant, sizeof(*want), by_at);
  run(wire, n, lens, nlens, evs, want, nwant);
  run(wire, n, NULL, 0, evs, want, nwant);
  run(wire, n, &one, 1, evs, want, nwant);
  free(want);
  free(evs);
  free(hs);
  free(hs_at);
  return 0;
}
