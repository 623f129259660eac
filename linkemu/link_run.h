/* The front end's side of the link emulator: start httpsbench-link in
 * --hold mode, run engines inside its namespaces, ask it to measure the
 * link, stop it and keep its counters. libc only. */
#ifndef HB_LINK_RUN_H
#define HB_LINK_RUN_H

#include <stddef.h>
#include <sys/types.h>

#include "link_opts.h"

enum { HB_LINK_CLIENT = 0, HB_LINK_SERVER = 1 };

struct hb_link_run {
  pid_t pid;                 /* the emulator */
  int out_fd;                /* its stdout: ready line, measurements */
  char ns[2][64];            /* namespace names (client, server) */
  char addr[2][32];          /* addresses (client, server) */
  char addr6[2][48];         /* IPv6 addresses, "" when not given */
  char stats_path[512];      /* its JSON counters after hb_link_stop */
  char first[8192];          /* the measurement taken on start, or "" */
};

/* Starts emulator (path to httpsbench-link) with cfg; measure_n > 0
 * lets hb_link_measure take that many TCP connects and echoes. Waits for
 * the ready line. 0 on success, else -1 with a one-line reason; 3 when
 * this machine cannot run it (no root, no TUN). */
int hb_link_start(struct hb_link_run *r, const char *emulator,
                  const struct hb_link_cfg *cfg, int measure_n,
                  const char *stats_path, char *why, size_t whylen);

/* Enters side's namespace from a child the caller forked itself (the
 * front end's engine launcher, bench/frontend/engine_run.c). */
int hb_link_enter(const struct hb_link_run *r, int side);

/* The link as measured now (one JSON object with tcp_connect_ms and
 * echo_rtt_ms) into buf; 0 on success. */
int hb_link_measure(struct hb_link_run *r, char *buf, size_t size,
                    int timeout_ms);

/* Stops the emulator and waits for it; its counters are then in
 * stats_path. Returns its exit status. */
int hb_link_stop(struct hb_link_run *r);

#endif
