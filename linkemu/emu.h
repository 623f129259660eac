/* The packet path of one link direction: drop-tail queue and rate limit,
 * loss on the wire, then fixed delay plus jitter. Pure bookkeeping over
 * a monotonic clock in ns; the caller reads and writes the devices. */
#ifndef HB_LINK_EMU_H
#define HB_LINK_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "link_opts.h"

struct emu_pkt {
  uint64_t due;   /* delivery time, ns */
  uint64_t seq;   /* arrival order, breaks ties */
  uint32_t len;
  unsigned char data[];
};

struct emu_stats {
  uint64_t pkts_in, bytes_in, pkts_out, bytes_out;
  uint64_t drop_loss, drop_queue, drop_memory, drop_write;
  uint64_t queue_peak;         /* packets waiting for the rate limit */
  uint64_t late_n, late_sum_ns, late_max_ns; /* delivery after due */
  uint64_t first_out_ns, last_out_ns;        /* delivery times */
};

struct emu_dir {
  struct hb_link_dir cfg;
  uint64_t delay_ns, jitter_ns, rate_bps;
  uint64_t rng[4];
  int ge_bad_state, reorder;
  /* departures of packets still in the queue (ring) */
  uint64_t *dep;
  size_t dep_cap, dep_head, dep_n;
  uint64_t last_dep, last_due, seq;
  /* packets in flight: a min-heap on (due, seq) */
  struct emu_pkt **heap;
  size_t heap_n, heap_cap;
  size_t mem, mem_cap;
  struct emu_stats st;
};

/* 0 on success, -1 out of memory. */
int emu_dir_init(struct emu_dir *d, const struct hb_link_dir *cfg,
                 uint64_t seed, int reorder);
void emu_dir_free(struct emu_dir *d);

/* A packet read from the device at now; it is copied if kept. */
void emu_dir_push(struct emu_dir *d, const void *pkt, size_t len,
                  uint64_t now);

/* The next packet due at or before now (caller frees it), or NULL. */
struct emu_pkt *emu_dir_pop(struct emu_dir *d, uint64_t now);

/* Earliest due time, or UINT64_MAX when nothing is in flight. */
uint64_t emu_dir_next(const struct emu_dir *d);

/* Records a delivery (or a failed write) made at now. */
void emu_dir_delivered(struct emu_dir *d, const struct emu_pkt *p,
                       uint64_t now, int ok);

/* The direction's counters as one JSON object. */
void emu_dir_print(FILE *f, const struct emu_dir *d);

#endif
