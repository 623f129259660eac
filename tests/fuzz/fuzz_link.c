/* Fuzz target: the link options (hb_link_parse, linkemu/link_opts.c:
 * --rtt, --loss-burst, --rate DOWN/UP, --link PROFILE, ...) as
 * httpsbench-link's command line reads them (hb_link_args_parse,
 * linkemu/link_args.c), and their renderer hb_link_to_args, which is how
 * the front end's drivers hand them to the emulator.
 *
 * Input: the arguments, separated by NUL bytes (argv[0] is added).
 *
 * Properties: the parse returns (never exits) 0, 1 for --help, or -1 with
 * a one-line reason; accepted values lie in the ranges the options
 * document, and the command vectors it points at are inside argv and end
 * with NULL. The options rendered by hb_link_to_args parse again (with
 * --hold) to a link that resolves to the same values (the renderer writes
 * 9 significant digits), and rendering that again gives the same
 * arguments; the JSON the emulator prints for the link is valid JSON. */
#include <jansson.h>
#include <math.h>

#include "fuzz.h"
#include "link_args.h"

static int close_to(double a, double b)
{
  return fabs(a - b) <= 1e-8 * fmax(fabs(a), fabs(b));
}

static void check_cfg(const struct hb_link_cfg *c)
{
  FZ_ASSERT(c->rtt_ms >= 0 && c->rtt_ms <= 60000);
  FZ_ASSERT(c->jitter_ms >= 0 && c->jitter_ms <= 10000);
  FZ_ASSERT(c->loss_pct >= 0 && c->loss_pct <= 100);
  FZ_ASSERT(c->queue >= 1 && c->queue <= 1000000);
  FZ_ASSERT(memchr(c->profile, 0, sizeof(c->profile)));
  if(c->given & HB_LINK_GIVEN_BURST)
    FZ_ASSERT(c->ge_p > 0 && c->ge_p <= 100 && c->ge_r > 0 &&
              c->ge_r <= 100 && c->ge_bad >= 0 && c->ge_bad <= 100 &&
              c->ge_good >= 0 && c->ge_good <= 100);
  if(c->given & HB_LINK_GIVEN_RATE)
    FZ_ASSERT(c->rate_down > 0 && c->rate_down <= 100000 &&
              c->rate_up > 0 && c->rate_up <= 100000);
}

static void check_same(const struct hb_link_cfg *a,
                       const struct hb_link_cfg *b)
{
  struct hb_link_dir x[2], y[2];
  int i;

  hb_link_resolve(a, x);
  hb_link_resolve(b, y);
  FZ_ASSERT(!strcmp(a->profile, b->profile) && a->reorder == b->reorder);
  FZ_ASSERT(!(a->given & HB_LINK_GIVEN_SEED) || a->seed == b->seed);
  for(i = 0; i < 2; i++) {
    FZ_ASSERT(close_to(x[i].delay_ms, y[i].delay_ms));
    FZ_ASSERT(close_to(x[i].jitter_ms, y[i].jitter_ms));
    FZ_ASSERT(x[i].ge == y[i].ge);
    if(x[i].ge)
      FZ_ASSERT(close_to(x[i].ge_p, y[i].ge_p) &&
                close_to(x[i].ge_r, y[i].ge_r) &&
                close_to(x[i].ge_bad, y[i].ge_bad) &&
                close_to(x[i].ge_good, y[i].ge_good));
    else /* a loss rate matters only without bursts */
      FZ_ASSERT(close_to(x[i].loss_pct, y[i].loss_pct));
    FZ_ASSERT(close_to(x[i].rate_mbit, y[i].rate_mbit));
    FZ_ASSERT(x[i].queue_pkts == y[i].queue_pkts);
  }
}

static int render(const struct hb_link_cfg *c, char **argv, char *buf,
                  size_t size)
{
  int n;

  argv[0] = "httpsbench-link";
  n = hb_link_to_args(c, argv + 1, 14, buf, size);
  FZ_ASSERT(n >= 1 && n <= 14);
  argv[n + 1] = "--hold";
  argv[n + 2] = NULL;
  return n + 2;
}

static void check_json(const struct hb_link_cfg *c)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  json_t *j;

  FZ_ASSERT(f != NULL);
  hb_link_print_json(f, c);
  FZ_ASSERT(fclose(f) == 0);
  j = json_loadb(text, len, 0, NULL);
  FZ_ASSERT(j != NULL && json_is_object(j));
  json_decref(j);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *args[FZ_MAX_ARGS + 2], *orig[FZ_MAX_ARGS + 2], why[512];
  char *re[16], *re2[16], buf[1024], buf2[1024];
  struct hb_link_args a, b, c;
  int argc, rc, n, i;

  argc = fz_argv("httpsbench-link", data, size, args, orig);
  hb_link_args_init(&a);
  why[0] = 0;
  rc = hb_link_args_parse(&a, argc, args, why, sizeof(why));
  FZ_ASSERT(rc == 0 || rc == 1 || rc == -1);
  if(rc == -1)
    FZ_ASSERT(why[0] && !strchr(why, '\n'));
  if(rc)
    goto out;
  check_cfg(&a.cfg);
  FZ_ASSERT(a.hold != (a.cli_argv != NULL));
  FZ_ASSERT(!a.srv_argv || (a.srv_argv > args && a.srv_argv < args + argc));
  FZ_ASSERT(!a.cli_argv || (a.cli_argv > args && a.cli_argv < args + argc));
  for(i = 0; a.srv_argv && a.srv_argv + i < args + argc &&
             a.srv_argv[i]; i++)
    ;
  FZ_ASSERT(!a.srv_argv || a.srv_argv + i < args + argc);
  FZ_ASSERT(a.measure_n >= 0 && a.measure_n <= 10000);
  FZ_ASSERT(a.ready_timeout_s > 0 && a.ready_timeout_s <= 3600);
  check_json(&a.cfg);

  /* rendered for the emulator, read again */
  n = render(&a.cfg, re, buf, sizeof(buf));
  hb_link_args_init(&b);
  FZ_ASSERT(hb_link_args_parse(&b, n, re, why, sizeof(why)) == 0);
  check_cfg(&b.cfg);
  check_same(&a.cfg, &b.cfg);
  FZ_ASSERT(render(&b.cfg, re2, buf2, sizeof(buf2)) == n);
  for(i = 1; i < n; i++)
    FZ_ASSERT(!strcmp(re[i], re2[i]));
  hb_link_args_init(&c);
  FZ_ASSERT(hb_link_args_parse(&c, n, re2, why, sizeof(why)) == 0);
  check_same(&b.cfg, &c.cfg);
out:
  fz_argv_free(orig, argc);
  return 0;
}
