/* Link options: one parser for the emulator and the front end's drivers,
 * named profiles, and the resolved per-direction values. */
#include "link_opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_QUEUE 1000 /* packets, as Linux's default txqueuelen */

const struct hb_link_optdesc hb_link_options[] = {
  { "rtt", 1, "--rtt MS           round-trip time added (half each way)" },
  { "jitter", 1, "--jitter MS        each packet's one-way delay varies "
                 "uniformly by +-MS" },
  { "loss", 1, "--loss PCT         random loss per packet, each way" },
  { "loss-burst", 1, "--loss-burst P,R[,BAD[,GOOD]]\n"
                     "                     Gilbert-Elliott bursts: per "
                     "packet % good->bad, % bad->good;\n"
                     "                     % lost when bad (100), when "
                     "good (0)" },
  { "rate", 1, "--rate MBIT[/UP]   rate limit (server->client [/ "
               "client->server]), Mbit/s" },
  { "queue", 1, "--queue PKTS       drop-tail queue before the rate limit "
                "(1000)" },
  { "link", 1, "--link PROFILE     lan, broadband, 4g, 3g, satellite "
               "(options given override)" },
  { "reorder", 0, "--reorder          let jitter reorder packets "
                  "(default: never)" },
  { "seed", 1, "--seed N           random seed for loss and jitter" },
  { NULL, 0, NULL }
};

/* Values chosen to be typical, not extreme; rates are down/up Mbit/s.
 * lan: a switched gigabit LAN. broadband: cable/fibre to a nearby
 * server. 4g and 3g: the WebPageTest "4G" (9 Mbit/s, 170 ms) and "3G"
 * (1.6/0.768 Mbit/s, 300 ms) connectivity presets are the models; 4g
 * here is a good LTE cell (30/10, 50 ms). satellite: a geostationary
 * link (about 600 ms RTT, residual loss after link-layer repair). */
const struct hb_link_profile hb_link_profiles[] = {
  { "lan", 0.2, 0, 0, 1000, 1000, 1000, "switched gigabit LAN" },
  { "broadband", 20, 1, 0, 100, 20, 500, "cable/fibre, nearby server" },
  { "4g", 50, 5, 0, 30, 10, 200, "good LTE cell" },
  { "3g", 300, 20, 0, 1.6, 0.768, 100, "WebPageTest 3G" },
  { "satellite", 600, 10, 0.5, 25, 3, 200, "geostationary" },
  { NULL, 0, 0, 0, 0, 0, 0, NULL }
};

void hb_link_cfg_init(struct hb_link_cfg *c)
{
  memset(c, 0, sizeof(*c));
  c->ge_bad = 100;
  c->queue = DEFAULT_QUEUE;
}

static const struct hb_link_profile *find_profile(const char *name)
{
  int i;

  for(i = 0; hb_link_profiles[i].name; i++)
    if(!strcmp(hb_link_profiles[i].name, name))
      return &hb_link_profiles[i];
  return NULL;
}

/* A finite number in [min, max], the whole string; end may stop early at
 * a separator when stop is given. */
static int num(const char *s, double min, double max, double *out,
               const char **end)
{
  char *e;
  double v;

  if(!s || !*s || *s == ' ')
    return -1;
  errno = 0;
  v = strtod(s, &e);
  if(e == s || errno || !isfinite(v) || v < min || v > max)
    return -1;
  if(end)
    *end = e;
  else if(*e)
    return -1;
  *out = v;
  return 0;
}

void hb_link_one_line(char *s)
{
  for(; *s; s++)
    if((unsigned char)*s < ' ' || *s == 0x7f)
      *s = '?';
}

static int bad(char *why, size_t n, const char *opt, const char *val,
               const char *want)
{
  snprintf(why, n, "bad value for --%s: '%s' (want %s)", opt,
           val ? val : "", want);
  hb_link_one_line(why);
  return -1;
}

static int parse_burst(struct hb_link_cfg *c, const char *val)
{
  double v[4] = { 0, 0, 100, 0 };
  const char *p = val, *e;
  int i;

  for(i = 0; i < 4; i++) {
    if(num(p, 0, 100, &v[i], &e))
      return -1;
    if(!*e)
      break;
    if(*e != ',' || i == 3)
      return -1;
    p = e + 1;
  }
  if(i < 1 || v[0] <= 0 || v[1] <= 0)
    return -1;
  c->ge_p = v[0];
  c->ge_r = v[1];
  c->ge_bad = v[2];
  c->ge_good = v[3];
  return 0;
}

int hb_link_parse(struct hb_link_cfg *c, const char *name, const char *val,
                  char *why, size_t whylen)
{
  double v;
  const char *e;

  if(!strcmp(name, "rtt")) {
    if(num(val, 0, 60000, &c->rtt_ms, NULL))
      return bad(why, whylen, name, val, "0 to 60000 ms");
    c->given |= HB_LINK_GIVEN_RTT;
  } else if(!strcmp(name, "jitter")) {
    if(num(val, 0, 10000, &c->jitter_ms, NULL))
      return bad(why, whylen, name, val, "0 to 10000 ms");
    c->given |= HB_LINK_GIVEN_JITTER;
  } else if(!strcmp(name, "loss")) {
    if(num(val, 0, 100, &c->loss_pct, NULL))
      return bad(why, whylen, name, val, "a percentage, 0 to 100");
    c->given |= HB_LINK_GIVEN_LOSS;
  } else if(!strcmp(name, "loss-burst")) {
    if(parse_burst(c, val))
      return bad(why, whylen, name, val, "P,R[,BAD[,GOOD]] in %, "
                 "P and R above 0");
    c->given |= HB_LINK_GIVEN_BURST;
  } else if(!strcmp(name, "rate")) {
    double down, up;
    /* both read before either is stored: a bad value changes nothing */
    if(num(val, 0, 100000, &down, &e) || down <= 0)
      return bad(why, whylen, name, val, "Mbit/s above 0, or DOWN/UP");
    up = down;
    if(*e == '/') {
      if(num(e + 1, 0, 100000, &up, NULL) || up <= 0)
        return bad(why, whylen, name, val, "Mbit/s above 0, or DOWN/UP");
    } else if(*e)
      return bad(why, whylen, name, val, "Mbit/s above 0, or DOWN/UP");
    c->rate_down = down;
    c->rate_up = up;
    c->given |= HB_LINK_GIVEN_RATE;
  } else if(!strcmp(name, "queue")) {
    if(num(val, 1, 1000000, &v, NULL) || v != floor(v))
      return bad(why, whylen, name, val, "whole packets, 1 to 1000000");
    c->queue = (long)v;
    c->given |= HB_LINK_GIVEN_QUEUE;
  } else if(!strcmp(name, "link")) {
    if(!val || !find_profile(val))
      return bad(why, whylen, name, val,
                 "lan, broadband, 4g, 3g or satellite");
    snprintf(c->profile, sizeof(c->profile), "%s", val);
    c->given |= HB_LINK_GIVEN_PROFILE;
  } else if(!strcmp(name, "reorder")) {
    c->reorder = 1;
    c->given |= HB_LINK_GIVEN_REORDER;
  } else if(!strcmp(name, "seed")) {
    char *end;
    unsigned long long s;
    /* a digit first: strtoull would take " -1" (as 2^64 - 1) and "+1" */
    if(!val || *val < '0' || *val > '9')
      return bad(why, whylen, name, val, "a whole number");
    errno = 0;
    s = strtoull(val, &end, 0);
    if(errno || *end)
      return bad(why, whylen, name, val, "a whole number");
    c->seed = s;
    c->given |= HB_LINK_GIVEN_SEED;
  } else
    return 0;
  return 1;
}

int hb_link_wanted(const struct hb_link_cfg *c)
{
  return (c->given & ~(HB_LINK_GIVEN_SEED | HB_LINK_GIVEN_REORDER)) != 0;
}

void hb_link_resolve(const struct hb_link_cfg *c, struct hb_link_dir dir[2])
{
  const struct hb_link_profile *p = c->profile[0]
                                    ? find_profile(c->profile) : NULL;
  double rtt = p ? p->rtt_ms : 0, jit = p ? p->jitter_ms : 0;
  double loss = p ? p->loss_pct : 0;
  double rate[2] = { p ? p->rate_up : 0, p ? p->rate_down : 0 };
  long queue = p ? p->queue : DEFAULT_QUEUE;
  int i;

  if(c->given & HB_LINK_GIVEN_RTT)
    rtt = c->rtt_ms;
  if(c->given & HB_LINK_GIVEN_JITTER)
    jit = c->jitter_ms;
  if(c->given & HB_LINK_GIVEN_LOSS)
    loss = c->loss_pct;
  if(c->given & HB_LINK_GIVEN_RATE) {
    rate[0] = c->rate_up;
    rate[1] = c->rate_down;
  }
  if(c->given & HB_LINK_GIVEN_QUEUE)
    queue = c->queue;
  for(i = 0; i < 2; i++) {
    memset(&dir[i], 0, sizeof(dir[i]));
    dir[i].delay_ms = rtt / 2;
    dir[i].jitter_ms = jit;
    dir[i].loss_pct = loss;
    dir[i].rate_mbit = rate[i];
    dir[i].queue_pkts = queue;
    if(c->given & HB_LINK_GIVEN_BURST) {
      dir[i].ge = 1;
      dir[i].ge_p = c->ge_p;
      dir[i].ge_r = c->ge_r;
      dir[i].ge_bad = c->ge_bad;
      dir[i].ge_good = c->ge_good;
    }
  }
}

int hb_link_to_args(const struct hb_link_cfg *c, char **argv, int max,
                    char *buf, size_t bufsize)
{
  struct hb_link_dir d[2];
  char tmp[8][96];
  int n = 0, k = 0, i;
  size_t used = 0;

  hb_link_resolve(c, d);
  if(c->profile[0])
    snprintf(tmp[k++], sizeof(tmp[0]), "--link=%s", c->profile);
  snprintf(tmp[k++], sizeof(tmp[0]), "--rtt=%.9g", d[0].delay_ms * 2);
  snprintf(tmp[k++], sizeof(tmp[0]), "--jitter=%.9g", d[0].jitter_ms);
  if(d[0].ge)
    snprintf(tmp[k++], sizeof(tmp[0]), "--loss-burst=%.9g,%.9g,%.9g,%.9g",
             d[0].ge_p, d[0].ge_r, d[0].ge_bad, d[0].ge_good);
  else
    snprintf(tmp[k++], sizeof(tmp[0]), "--loss=%.9g", d[0].loss_pct);
  if(d[1].rate_mbit > 0)
    snprintf(tmp[k++], sizeof(tmp[0]), "--rate=%.9g/%.9g", d[1].rate_mbit,
             d[0].rate_mbit);
  snprintf(tmp[k++], sizeof(tmp[0]), "--queue=%ld", d[0].queue_pkts);
  if(c->reorder)
    snprintf(tmp[k++], sizeof(tmp[0]), "--reorder");
  if(c->given & HB_LINK_GIVEN_SEED)
    snprintf(tmp[k++], sizeof(tmp[0]), "--seed=%llu",
             (unsigned long long)c->seed);
  for(i = 0; i < k; i++) {
    size_t len = strlen(tmp[i]) + 1;
    if(n >= max || used + len > bufsize)
      return -1;
    memcpy(buf + used, tmp[i], len);
    argv[n++] = buf + used;
    used += len;
  }
  return n;
}

static void print_dir(FILE *f, const struct hb_link_dir *d)
{
  fprintf(f, "{\"delay_ms\":%.9g,\"jitter_ms\":%.9g,", d->delay_ms,
          d->jitter_ms);
  if(d->ge)
    fprintf(f, "\"loss\":{\"model\":\"gilbert-elliott\",\"p_pct\":%.9g,"
            "\"r_pct\":%.9g,\"bad_loss_pct\":%.9g,\"good_loss_pct\":%.9g,"
            "\"mean_pct\":%.9g},", d->ge_p, d->ge_r, d->ge_bad, d->ge_good,
            (d->ge_p * d->ge_bad + d->ge_r * d->ge_good) /
            (d->ge_p + d->ge_r));
  else
    fprintf(f, "\"loss\":{\"model\":\"bernoulli\",\"mean_pct\":%.9g},",
            d->loss_pct);
  if(d->rate_mbit > 0)
    fprintf(f, "\"rate_mbit\":%.9g,\"queue_packets\":%ld}", d->rate_mbit,
            d->queue_pkts);
  else
    fprintf(f, "\"rate_mbit\":null,\"queue_packets\":null}");
}

void hb_link_print_json(FILE *f, const struct hb_link_cfg *c)
{
  struct hb_link_dir d[2];

  hb_link_resolve(c, d);
  fprintf(f, "{\"profile\":");
  if(c->profile[0])
    fprintf(f, "\"%s\"", c->profile);
  else
    fprintf(f, "null");
  fprintf(f, ",\"rtt_ms\":%.9g,\"reorder\":%s,\"seed\":%llu,"
          "\"client_to_server\":", d[0].delay_ms * 2,
          c->reorder ? "true" : "false", (unsigned long long)c->seed);
  print_dir(f, &d[0]);
  fprintf(f, ",\"server_to_client\":");
  print_dir(f, &d[1]);
  fprintf(f, "}");
}

void hb_link_print_help(FILE *f)
{
  int i;

  for(i = 0; hb_link_options[i].name; i++)
    fprintf(f, "  %s\n", hb_link_options[i].help);
  fprintf(f, "  profiles (RTT ms, jitter ms, loss %%, down/up Mbit/s, "
          "queue):\n");
  for(i = 0; hb_link_profiles[i].name; i++) {
    const struct hb_link_profile *p = &hb_link_profiles[i];
    fprintf(f, "    %-10s %g, %g, %g, %g/%g, %ld  (%s)\n", p->name,
            p->rtt_ms, p->jitter_ms, p->loss_pct, p->rate_down, p->rate_up,
            p->queue, p->about);
  }
}
