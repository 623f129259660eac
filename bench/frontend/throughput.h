/* The throughput driver's parts (bench/): options and the order of runs
 * (throughput_cmd.c), servers, runs, cells and the memory slope
 * (throughput_run.c), ratios and tables (throughput_out.c). */
#ifndef HB_THROUGHPUT_H
#define HB_THROUGHPUT_H

#include <stddef.h>

#include <jansson.h>

#include "frontend.h"
#include "hb/backend.h"
#include "hb/cli.h"
#include "remote.h"

#define MAX_REPS 100
#define MAX_COST 8
#define BUSY 0.9          /* a process this busy set the rate */
#define BASE_CV_MAX 0.05  /* plain baseline: spread allowed */
#define BASE_TRIES 3      /* measurements of a noisy baseline at most */
#define MAX_STREAMS 8     /* --h2-streams values */

enum { M_KEEPALIVE, M_CLOSE, M_RESUMED, M_COUNT };
extern const char *const tp_mode_names[M_COUNT];

typedef struct cost_cell {
  int mode;
  size_t size;
} cost_cell;

typedef struct tp_args {
  const char *backends[HB_BACKEND_MAX];
  int nbackends;
  size_t sizes[HB_MAX_SIZES];
  int nsizes;
  int modes[M_COUNT];
  long conns, reps, pipeline, idle_lo, idle_hi, mem_reps;
  long cost_reps;        /* --cost-repetitions: rounds of the cost cells */
  long server_burn, client_burn;
  long nap;              /* --nap: the client's load --nap US, 0: none */
  double seconds, warmup, cost_rate;
  const char *json, *tls, *cert_type, *cipher, *group;
  const char *client;    /* fixed client library, or NULL: the server's */
  cost_cell cost[MAX_COST];
  int ncost;
  const char *cost_from; /* --cost-rates-from: a report, or NULL */
  double from_rate[MAX_COST]; /* each cost cell's rate offered there */
  int server_cpu, client_cpu, quiet;
  int insecure;          /* --insecure: the clients do not verify */
  int curl;              /* also run the curl engine as the client */
  int pipeline_given;    /* --pipeline was on the command line */
  double rate_sweep[8];  /* --rate-sweep: link rates, Mbit/s */
  int nrate;
  /* over hosts (remote_tp.c): a server host and client hosts by ssh */
  rm_roles rm;
  long requests;         /* per client host and run (-n), 0: -d */
  int http1, http2;      /* --http: the HTTP versions run */
  long streams[MAX_STREAMS]; /* --h2-streams: per connection, HTTP/2 */
  int nstreams;
} tp_args;

/* How one backend's server runs: what was pinned, and what it fell back
 * to when the library cannot (mbedTLS 2.28 has no TLS 1.3). */
typedef struct tp_server {
  hb_server s;
  const char *backend;
  const char *tls;       /* as run: "1.3", "1.2", "any", "none" */
  int pinned;            /* version, cipher, group as asked */
  int cipher_pinned;     /* --cipher given to both sides */
  char note[200];        /* why not, when not */
  char suffix[16];       /* cell name suffix for a separate cell */
} tp_server;

/* One load run: the window's numbers, or an error. */
typedef struct one_run {
  double rps, bps, cli_us, srv_us, errors;
  double srv_util, cli_util, steal_s;
  double srv_cpu_busy, cli_cpu_busy; /* whole CPUs' busy share */
  /* over hosts: the client host whose CPU was busy beyond its client's
   * own share by the most, its CPU's busy share and its client's (the
   * `noise` test as for cli_cpu_busy); NAN or 0 otherwise */
  double oth_cpu_busy, oth_util;
  double handshakes, resumed, srv_handshakes, srv_resumed, srv_requests;
  double achieved_rate;
  double srv_h2_streams; /* HTTP/2 streams the server served */
  double h2_used;        /* streams per connection the client used */
  double wire_in, wire_out; /* the load engine's socket bytes in the
                               window (TLS records; no TCP/IP headers) */
  double wire_reqs;      /* the requests those are divided by: 2xx
                            responses in the window, as for requests/s */
  char version[16], cipher[64], group[32];
  char protocol[16];     /* the load engine's: http/1.1, h2 (by ALPN), h2c */
  double nap_us;         /* the engine's params.nap_us, NAN if it said none */
  int hold_finished;     /* the engine's params.hold_finished: its client
                            sent its Finished with the request */
  json_t *latency; /* owned */
  json_t *remote;  /* owned: over hosts, each host's run and the merge */
  int partial;     /* over hosts: a client host gave no report */
} one_run;

/* throughput_run.c. h2: 0 for HTTP/1.1, else HTTP/2 with h2 streams per
 * connection (h2 by ALPN over TLS, h2c with prior knowledge over plain
 * TCP); HTTP/2 cells are keep-alive, our client only. */
int tp_server_start(const tp_args *a, const char *backend, int resume,
                    tp_server *t, hb_err *err);
json_t *tp_run_cell(const tp_args *a, const tp_server *t,
                    const char *client, const char *root, size_t size,
                    int mode, long h2, double rate, const char *tmp,
                    json_t *report);
/* The cost cell c for every backend at one rate, round-robin over the
 * backends within each repetition; basis: how the rate was chosen. */
void tp_run_cost(const tp_args *a, const cost_cell *c, double rate,
                 const char *basis, const char *root, const char *tmp,
                 json_t *report);
void tp_run_baseline(const tp_args *a, const tp_server *t, size_t size,
                     int mode, long h2, const char *tmp, json_t *report);
void tp_error_cell(const tp_args *a, const tp_server *t, const char *client,
                   size_t size, int mode, long h2, int cost,
                   const char *why, json_t *report);
/* What the load result res (an engine's, or the merge of the client
 * hosts') and the server's snapshots at the window's marks give a run
 * alike here and over hosts: the server's requests, CPU per request,
 * busy share, handshakes and resumptions in the window; the client's
 * bytes/s, handshakes, resumptions, socket bytes and the requests they
 * are divided by, achieved rate, TLS parameters (the server's when the
 * client names none), errors and latency summary (no histogram). */
void tp_run_read(one_run *o, json_t *res, const hb_srv_snap *s0,
                 const hb_srv_snap *s1);
void tp_measure_memory(const tp_args *a, const char *backend,
                       const char *root, const char *tmp, json_t *report,
                       int *failed);

/* The clients' verification, here and over hosts: --cacert root (the
 * same path on every host), or --insecure. */
void tp_verify_args(const tp_args *a, const char *root, hb_argv *av);

/* remote_tp.c: the same over hosts (a->rm.server_host set) */
int tp_remote_prepare(const tp_args *a, json_t *report);
int tp_remote_load_once(const tp_args *a, const tp_server *t,
                        const char *client, const char *root, size_t size,
                        int mode, one_run *o, hb_err *err);

/* throughput_out.c */
double tp_cost_rate(const tp_args *a, json_t *report, const cost_cell *c,
                    char *basis, size_t size);
void tp_finish(json_t *report);
int tp_report_failed(json_t *report);

#endif
