/* The link emulator in the front end's drivers (issue #13): the link
 * options, starting httpsbench-link --hold, running engines inside its
 * namespaces, measuring the link before each case, and the report's
 * "link" object. Drivers add HB_FE_LINK_LONGOPTS to their getopt table
 * and hand unknown codes to hb_fe_link_getopt. */
#ifndef HB_FE_LINK_H
#define HB_FE_LINK_H

#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "hb/opts.h"
#include "link_opts.h"

#define HB_FE_LINK_OPT 0x4c00 /* getopt codes HB_FE_LINK_OPT + 0..8 */
#define HB_FE_LINK_LONGOPTS                                        \
  { "rtt", required_argument, NULL, HB_FE_LINK_OPT + 0 },          \
  { "jitter", required_argument, NULL, HB_FE_LINK_OPT + 1 },       \
  { "loss", required_argument, NULL, HB_FE_LINK_OPT + 2 },         \
  { "loss-burst", required_argument, NULL, HB_FE_LINK_OPT + 3 },   \
  { "rate", required_argument, NULL, HB_FE_LINK_OPT + 4 },         \
  { "queue", required_argument, NULL, HB_FE_LINK_OPT + 5 },        \
  { "link", required_argument, NULL, HB_FE_LINK_OPT + 6 },         \
  { "reorder", no_argument, NULL, HB_FE_LINK_OPT + 7 },            \
  { "seed", required_argument, NULL, HB_FE_LINK_OPT + 8 }

/* The same options for a driver that declares its options (hb/opts.h):
 * HB_FE_LINK_OPTS in its hb_opt list, then hb_fe_link_after_parse. */
extern const int hb_fe_link_idx[9];
extern int hb_fe_link_reorder;
/* --ipv6: our server listens, and clients connect, over IPv6: [::1]
 * without a link, the server namespace's fd77::2 across it */
extern int hb_fe_ipv6;
int hb_fe_link_check(const char *v, void *dest, char *why, size_t size);
void hb_fe_link_after_parse(const char *cmd);
const char *hb_fe_link_help_of(int k);
#define HB_FE_LINK_OPT_(k, meta)                                        \
  { hb_link_options[k].name, 0, HB_OPT_CALL, (void *)&hb_fe_link_idx[k], \
    meta, hb_fe_link_help_of(k), 0, 0, NULL, hb_fe_link_check, NULL }
#define HB_FE_LINK_OPTS                                                 \
  HB_FE_LINK_OPT_(0, "MS"), HB_FE_LINK_OPT_(1, "MS"),                   \
  HB_FE_LINK_OPT_(2, "PCT"), HB_FE_LINK_OPT_(3, "P,R[,BAD[,GOOD]]"),     \
  HB_FE_LINK_OPT_(4, "MBIT[/UP]"), HB_FE_LINK_OPT_(5, "PKTS"),          \
  HB_FE_LINK_OPT_(6, "PROFILE"),                                        \
  { "reorder", 0, HB_OPT_FLAG, &hb_fe_link_reorder, NULL,               \
    hb_fe_link_help_of(7), 0, 0, NULL, NULL, NULL },                  \
  HB_FE_LINK_OPT_(8, "N"),                                              \
  { "ipv6", 0, HB_OPT_FLAG, &hb_fe_ipv6, NULL,                          \
    "server and client over IPv6: [::1], or\nthe link's fd77::2 (its "   \
    "measurements\nstay IPv4)", 0, 0, NULL, NULL, NULL }

/* 1 if opt was a link option (stored); a bad value is a usage error
 * (one line, exit 2); 0 if opt is not a link option. */
int hb_fe_link_getopt(const char *cmd, int opt, const char *arg);

/* The option lines for a driver's --help. */
void hb_fe_link_help(FILE *f);

/* For commands that pass their arguments on to an engine (load, probe):
 * takes the link options out of argv[1..] (--rtt 10, --rtt=10,
 * --reorder; exact names, up to a "--"), storing them; a bad value is a
 * usage error of cmd (one line, exit 2). --link-rate is the link's rate
 * too; with keep_rate, --rate stays the engine's (load's requests/s).
 * Returns the new argc, argv[argc] = NULL. */
int hb_fe_link_strip(const char *cmd, int argc, char **argv, int keep_rate);

/* load and probe across the link (link_cmd.c): our server in the server
 * namespace (tls_backend's for https URLs, plain for http), args (an
 * engine's argv, args[0] its path, NULL-terminated) run in the client
 * namespace with every URL's 127.0.0.1/localhost pointed at it, the suite's
 * root as --cacert unless args trust something else; a "--json FILE" in
 * args gets the engine's report with the link added (configured, measured
 * before the run, the emulator's counters). Exit status of the client, 1
 * when the link or the server cannot start. argc/argv: as typed. */
int hb_fe_link_client_run(const char *cmd, char **args,
                          const char *tls_backend, int argc, char **argv);

/* 1 when any of the options of bits (HB_LINK_GIVEN_*) was given. */
int hb_fe_link_given(unsigned bits);

/* Sets one option ("rtt", "loss") of the next hb_fe_link_start (a
 * sweep's point); 0 on success. */
int hb_fe_link_set(const char *name, double v);

/* 1 when a link option was given. */
int hb_fe_link_wanted(void);

/* Starts the emulator (the run's link); 0 on success, else -1 with a
 * one-line reason (why says so when root or TUN is missing). */
int hb_fe_link_start(char *why, size_t whylen);

/* Which namespace the next engine spawned runs in: HB_FE_SIDE_NONE,
 * _CLIENT or _SERVER. Drivers set it around a server start or a client
 * run; the spawn code calls hb_fe_link_child in the child. */
enum { HB_FE_SIDE_NONE = -1, HB_FE_SIDE_CLIENT = 0, HB_FE_SIDE_SERVER = 1 };
extern int hb_fe_link_side;
void hb_fe_link_child(void);

/* Where our server listens and where clients connect: loopback, or the
 * server's address across the link; [v6] in brackets with --ipv6. */
const char *hb_fe_link_listen(void);
const char *hb_fe_link_host(void);

/* The link measured now (TCP connect and ICMP echo medians, ms), or
 * NULL without a link. The caller owns the result. */
json_t *hb_fe_link_measure(void);

/* The link's echo RTT from the last measurement, ms (NAN if none). */
double hb_fe_link_rtt_ms(void);

/* Stops the emulator; returns the report's "link" object (configured,
 * measured at start, the emulator's counters) or NULL without a link. */
json_t *hb_fe_link_stop(void);

#endif
