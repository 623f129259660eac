/* Link options (--rtt, --jitter, --loss, --loss-burst, --rate, --queue,
 * --link PROFILE, --reorder, --seed): parsed in one place so the link
 * emulator (httpsbench-link) and the front end's drivers take the same
 * words. No dependency beyond libc. */
#ifndef HB_LINK_OPTS_H
#define HB_LINK_OPTS_H

#include <stdint.h>
#include <stdio.h>

/* One direction of the link after profile and options are applied. */
struct hb_link_dir {
  double delay_ms;   /* fixed one-way delay (half the RTT) */
  double jitter_ms;  /* each packet's delay moves uniformly in +-jitter */
  double loss_pct;   /* Bernoulli loss (unused when ge is set) */
  int ge;            /* Gilbert-Elliott bursts instead of Bernoulli */
  double ge_p;       /* % chance per packet good -> bad */
  double ge_r;       /* % chance per packet bad -> good */
  double ge_bad;     /* % loss in the bad state (default 100) */
  double ge_good;    /* % loss in the good state (default 0) */
  double rate_mbit;  /* 0: no rate limit */
  long queue_pkts;   /* drop-tail queue in front of the rate limit */
};

/* What the user gave: a profile and options that override it. */
struct hb_link_cfg {
  char profile[16];          /* "" = none */
  double rtt_ms, jitter_ms, loss_pct;
  double ge_p, ge_r, ge_bad, ge_good;
  double rate_down, rate_up; /* Mbit/s; down = server -> client */
  long queue;
  int reorder;               /* jitter may reorder packets */
  uint64_t seed;
  unsigned given;            /* HB_LINK_GIVEN_* bits */
};

enum {
  HB_LINK_GIVEN_RTT = 1 << 0, HB_LINK_GIVEN_JITTER = 1 << 1,
  HB_LINK_GIVEN_LOSS = 1 << 2, HB_LINK_GIVEN_BURST = 1 << 3,
  HB_LINK_GIVEN_RATE = 1 << 4, HB_LINK_GIVEN_QUEUE = 1 << 5,
  HB_LINK_GIVEN_PROFILE = 1 << 6, HB_LINK_GIVEN_REORDER = 1 << 7,
  HB_LINK_GIVEN_SEED = 1 << 8
};

/* The options, for a driver's getopt_long table: every one takes a
 * value except "reorder". NULL-terminated. */
struct hb_link_optdesc {
  const char *name;
  int has_arg;
  const char *help;
};
extern const struct hb_link_optdesc hb_link_options[];

/* A named profile's values (see link_opts.c for the table and sources). */
struct hb_link_profile {
  const char *name;
  double rtt_ms, jitter_ms, loss_pct, rate_down, rate_up;
  long queue;
  const char *about;
};
extern const struct hb_link_profile hb_link_profiles[];

void hb_link_cfg_init(struct hb_link_cfg *c);

/* Takes option name (without dashes) and its value (NULL for reorder).
 * Returns 1 if it was a link option and is now stored, 0 if name is not a
 * link option, -1 for a bad value with a one-line reason in why. */
int hb_link_parse(struct hb_link_cfg *c, const char *name, const char *val,
                  char *why, size_t whylen);

/* 1 when any link option was given (the driver then needs the emulator). */
int hb_link_wanted(const struct hb_link_cfg *c);

/* Applies the profile, then the options given; dir[0] is client -> server
 * (up), dir[1] server -> client (down). */
void hb_link_resolve(const struct hb_link_cfg *c, struct hb_link_dir dir[2]);

/* Writes the resolved options as httpsbench-link arguments into argv (at
 * most max entries, each pointing into buf of bufsize bytes); returns the
 * count or -1 if they do not fit. */
int hb_link_to_args(const struct hb_link_cfg *c, char **argv, int max,
                    char *buf, size_t bufsize);

/* Prints the configuration as one JSON object (no newline). */
void hb_link_print_json(FILE *f, const struct hb_link_cfg *c);

/* Replaces control bytes in a message with '?': an option's value may
 * hold a newline, and usage errors are one line. */
void hb_link_one_line(char *s);

/* Prints the option lines for --help, indented by two spaces. */
void hb_link_print_help(FILE *f);

#endif
