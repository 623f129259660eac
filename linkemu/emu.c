/* One link direction as bookkeeping: when each packet leaves the rate
 * limiter, whether the wire loses it, and when it arrives. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

#define MEM_CAP (256u << 20) /* bytes in flight per direction */

/* xoshiro256** with a splitmix64 seed: fast, and a run repeats with
 * the same --seed. */
static uint64_t rotl(uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t s[4])
{
  uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

/* uniform in [0, 1) */
static double rng_unit(uint64_t s[4])
{
  return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static void rng_seed(uint64_t s[4], uint64_t seed)
{
  int i;

  for(i = 0; i < 4; i++) {
    uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    s[i] = z ^ (z >> 31);
  }
}

int emu_dir_init(struct emu_dir *d, const struct hb_link_dir *cfg,
                 uint64_t seed, int reorder)
{
  memset(d, 0, sizeof(*d));
  d->cfg = *cfg;
  d->reorder = reorder;
  d->delay_ns = (uint64_t)(cfg->delay_ms * 1e6 + 0.5);
  d->jitter_ns = (uint64_t)(cfg->jitter_ms * 1e6 + 0.5);
  d->rate_bps = (uint64_t)(cfg->rate_mbit * 1e6 + 0.5);
  rng_seed(d->rng, seed);
  d->dep_cap = cfg->rate_mbit > 0 ? (size_t)cfg->queue_pkts : 1;
  d->dep = calloc(d->dep_cap, sizeof(*d->dep));
  d->heap_cap = 1024;
  d->heap = malloc(d->heap_cap * sizeof(*d->heap));
  d->mem_cap = MEM_CAP;
  if(!d->dep || !d->heap) {
    emu_dir_free(d);
    return -1;
  }
  return 0;
}

void emu_dir_free(struct emu_dir *d)
{
  size_t i;

  for(i = 0; i < d->heap_n; i++)
    free(d->heap[i]);
  free(d->heap);
  free(d->dep);
  d->heap = NULL;
  d->dep = NULL;
  d->heap_n = 0;
}

static int before(const struct emu_pkt *a, const struct emu_pkt *b)
{
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static int heap_push(struct emu_dir *d, struct emu_pkt *p)
{
  size_t i;

  if(d->heap_n == d->heap_cap) {
    struct emu_pkt **h = realloc(d->heap, 2 * d->heap_cap * sizeof(*h));
    if(!h)
      return -1;
    d->heap = h;
    d->heap_cap *= 2;
  }
  i = d->heap_n++;
  while(i > 0 && before(p, d->heap[(i - 1) / 2])) {
    d->heap[i] = d->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  d->heap[i] = p;
  return 0;
}

static struct emu_pkt *heap_pop(struct emu_dir *d)
{
  struct emu_pkt *top = d->heap[0], *last = d->heap[--d->heap_n];
  size_t i = 0, c;

  while((c = 2 * i + 1) < d->heap_n) {
    if(c + 1 < d->heap_n && before(d->heap[c + 1], d->heap[c]))
      c++;
    if(!before(d->heap[c], last))
      break;
    d->heap[i] = d->heap[c];
    i = c;
  }
  if(d->heap_n)
    d->heap[i] = last;
  return top;
}

/* Gilbert-Elliott: the state moves first, then the packet is lost with
 * the state's loss probability. */
static int lost(struct emu_dir *d)
{
  const struct hb_link_dir *c = &d->cfg;

  if(!c->ge)
    return c->loss_pct > 0 && rng_unit(d->rng) * 100 < c->loss_pct;
  if(d->ge_bad_state) {
    if(rng_unit(d->rng) * 100 < c->ge_r)
      d->ge_bad_state = 0;
  } else if(rng_unit(d->rng) * 100 < c->ge_p)
    d->ge_bad_state = 1;
  return rng_unit(d->rng) * 100 < (d->ge_bad_state ? c->ge_bad
                                                  : c->ge_good);
}

void emu_dir_push(struct emu_dir *d, const void *pkt, size_t len,
                  uint64_t now)
{
  uint64_t dep = now, due;
  struct emu_pkt *p;

  d->st.pkts_in++;
  d->st.bytes_in += len;
  if(d->rate_bps) {
    /* the queue holds what has not finished serialising by now */
    while(d->dep_n && d->dep[d->dep_head] <= now) {
      d->dep_head = (d->dep_head + 1) % d->dep_cap;
      d->dep_n--;
    }
    if(d->dep_n >= d->dep_cap) {
      d->st.drop_queue++;
      return;
    }
    dep = (d->last_dep > now ? d->last_dep : now) +
          (uint64_t)((double)len * 8e9 / (double)d->rate_bps + 0.5);
    d->last_dep = dep;
    d->dep[(d->dep_head + d->dep_n) % d->dep_cap] = dep;
    d->dep_n++;
    if(d->dep_n > d->st.queue_peak)
      d->st.queue_peak = d->dep_n;
  }
  if(lost(d)) { /* on the wire: it used its share of the rate */
    d->st.drop_loss++;
    return;
  }
  due = dep + d->delay_ns;
  if(d->jitter_ns) {
    double j = (2 * rng_unit(d->rng) - 1) * (double)d->jitter_ns;
    due = j < 0 && (uint64_t)-j > due - dep ? dep : due + (int64_t)j;
  }
  if(due < d->last_due && !d->reorder) /* never overtake */
    due = d->last_due;
  if(d->mem + len > d->mem_cap || !(p = malloc(sizeof(*p) + len))) {
    d->st.drop_memory++;
    return;
  }
  p->due = due;
  p->seq = d->seq++;
  p->len = (uint32_t)len;
  memcpy(p->data, pkt, len);
  if(heap_push(d, p)) {
    free(p);
    d->st.drop_memory++;
    return;
  }
  d->mem += len;
  if(due > d->last_due)
    d->last_due = due;
}

struct emu_pkt *emu_dir_pop(struct emu_dir *d, uint64_t now)
{
  struct emu_pkt *p;

  if(!d->heap_n || d->heap[0]->due > now)
    return NULL;
  p = heap_pop(d);
  d->mem -= p->len;
  return p;
}

uint64_t emu_dir_next(const struct emu_dir *d)
{
  return d->heap_n ? d->heap[0]->due : UINT64_MAX;
}

void emu_dir_delivered(struct emu_dir *d, const struct emu_pkt *p,
                       uint64_t now, int ok)
{
  uint64_t late = now > p->due ? now - p->due : 0;

  if(!ok) {
    d->st.drop_write++;
    return;
  }
  d->st.pkts_out++;
  d->st.bytes_out += p->len;
  if(!d->st.first_out_ns)
    d->st.first_out_ns = now;
  d->st.last_out_ns = now;
  d->st.late_n++;
  d->st.late_sum_ns += late;
  if(late > d->st.late_max_ns)
    d->st.late_max_ns = late;
}

void emu_dir_print(FILE *f, const struct emu_dir *d)
{
  const struct emu_stats *s = &d->st;
  uint64_t drops = s->drop_loss + s->drop_queue + s->drop_memory +
                   s->drop_write;
  double span = (double)(s->last_out_ns - s->first_out_ns) / 1e9;

  fprintf(f, "{\"packets_in\":%llu,\"bytes_in\":%llu,\"packets_out\":%llu,"
          "\"bytes_out\":%llu,\"drops\":{\"total\":%llu,\"loss\":%llu,"
          "\"queue\":%llu,\"memory\":%llu,\"write\":%llu},"
          "\"loss_measured_pct\":",
          (unsigned long long)s->pkts_in, (unsigned long long)s->bytes_in,
          (unsigned long long)s->pkts_out, (unsigned long long)s->bytes_out,
          (unsigned long long)drops, (unsigned long long)s->drop_loss,
          (unsigned long long)s->drop_queue,
          (unsigned long long)s->drop_memory,
          (unsigned long long)s->drop_write);
  if(s->pkts_in - s->drop_queue - s->drop_memory)
    fprintf(f, "%.9g", 100.0 * (double)s->drop_loss /
            (double)(s->pkts_in - s->drop_queue - s->drop_memory));
  else
    fprintf(f, "null");
  fprintf(f, ",\"queue_peak_packets\":%llu,\"out_span_s\":%.9g,"
          "\"late_mean_us\":", (unsigned long long)s->queue_peak, span);
  if(s->late_n)
    fprintf(f, "%.3f", (double)s->late_sum_ns / (double)s->late_n / 1e3);
  else
    fprintf(f, "null");
  fprintf(f, ",\"late_max_us\":%.3f}", (double)s->late_max_ns / 1e3);
}
