/* Fuzz target: the declared-option parser every command uses
 * (hb_opts_parse_r, lib/core/opts.c, with the number, duration and size
 * list parsers of lib/core/cli.c under it), and the front end's engine
 * argument vectors (bench/frontend/argvec.c) as the renderer of an option
 * set: the front end passes options to engines exactly so.
 *
 * Input: the arguments, separated by NUL bytes (argv[0] is added).
 * The options: one of every kind, long and short names, as commands
 * declare them.
 *
 * Properties: the parse returns (never exits) an operand index within
 * argv, HB_OPTS_HELP, or -1 with a one-line reason; argv afterwards holds
 * the same strings (permuted); every value stored is of its kind and in
 * its range (strings point into argv, enums at a choice). The option set
 * parsed, rendered as the front end renders engine options ("--name",
 * "value"; then "--" and the operands) into an hb_argv, parses to the same
 * values and operands. */
#include <math.h>

#include "argvec.h"
#include "fuzz.h"
#include "hb/cli.h"
#include "hb/opts.h"

static int flag_q, flag_v;
static long count, port;
static double ratio, secs;
static const char *name, *mode, *sizes;

static const char *const modes[] = { "full", "resume", "0rtt", NULL };

static int check_port(const char *v, void *dest, char *why, size_t size)
{
  if(hb_parse_port(v, strlen(v), 1, (long *)dest)) {
    snprintf(why, size, "'%s' is not a port (1-65535)", v);
    return -1;
  }
  return 0;
}

static const hb_opt opts[] = {
  { "quiet", 'q', HB_OPT_FLAG, &flag_q, NULL, "no progress", 0, 0, NULL,
    NULL, NULL },
  { "verbose", 0, HB_OPT_FLAG, &flag_v, NULL, "more", 0, 0, NULL, NULL,
    NULL },
  { "count", 'n', HB_OPT_INT, &count, "N", "how many", 1, 1000000000,
    NULL, NULL, NULL },
  { "ratio", 0, HB_OPT_DOUBLE, &ratio, "R", "a ratio", -1, 1e6, NULL,
    NULL, NULL },
  /* help text only: never an option, whatever the input */
  { NULL, 0, HB_OPT_TEXT, NULL, NULL, "more options:", 0, 0, NULL, NULL,
    NULL },
  { "seconds", 's', HB_OPT_SECONDS, &secs, "S", "how long", 0, 3600,
    NULL, NULL, NULL },
  { "name", 0, HB_OPT_STRING, &name, "TEXT", "a name", 0, 0, NULL, NULL,
    NULL },
  { "mode", 'm', HB_OPT_ENUM, &mode, "M", "a mode", 0, 0, modes, NULL,
    NULL },
  { "sizes", 0, HB_OPT_SIZES, &sizes, "LIST", "sizes", 0, 0, NULL, NULL,
    NULL },
  { "port", 'p', HB_OPT_CALL, &port, "PORT", "a port", 0, 0, NULL,
    check_port, NULL },
  { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
};

static const hb_opts spec = { "fuzz", "usage: fuzz [options]\n", NULL,
                              opts };

typedef struct vals {
  int q, v;
  long count, port;
  double ratio, secs;
  const char *name, *mode, *sizes;
} vals;

static void reset(void)
{
  flag_q = flag_v = 0;
  count = port = -1;
  ratio = secs = NAN;
  name = mode = sizes = NULL;
}

static void take(vals *v)
{
  v->q = flag_q;
  v->v = flag_v;
  v->count = count;
  v->port = port;
  v->ratio = ratio;
  v->secs = secs;
  v->name = name;
  v->mode = mode;
  v->sizes = sizes;
}

static int same_str(const char *a, const char *b)
{
  return a == b || (a && b && !strcmp(a, b));
}

static int same_num(double a, double b)
{
  return (isnan(a) && isnan(b)) || a == b;
}

static int inside_argv(const char *s, char **argv, int argc)
{
  int i;

  for(i = 0; i < argc; i++)
    if(s >= argv[i] && s <= argv[i] + strlen(argv[i]))
      return 1;
  return 0;
}

static void check_values(const vals *v, char **argv, int argc)
{
  size_t sz[HB_MAX_SIZES];
  char why[256];
  int n, i;

  FZ_ASSERT(v->count == -1 || (v->count >= 1 && v->count <= 1000000000));
  FZ_ASSERT(v->port == -1 || (v->port >= 1 && v->port <= 65535));
  FZ_ASSERT(isnan(v->ratio) || (v->ratio >= -1 && v->ratio <= 1e6));
  FZ_ASSERT(isnan(v->secs) || (v->secs > 0 && v->secs <= 3600));
  FZ_ASSERT(!v->name || inside_argv(v->name, argv, argc));
  if(v->mode) {
    for(i = 0; modes[i] && modes[i] != v->mode; i++)
      ;
    FZ_ASSERT(modes[i] != NULL);
  }
  if(v->sizes) {
    FZ_ASSERT(inside_argv(v->sizes, argv, argc));
    FZ_ASSERT(!hb_parse_size_list(v->sizes, 0, sz, HB_MAX_SIZES, &n, why,
                                  sizeof(why)));
    FZ_ASSERT(n >= 1 && n <= HB_MAX_SIZES);
    for(i = 0; i < n; i++)
      FZ_ASSERT(sz[i] <= 64u * 1024 * 1024);
  }
}

/* The same strings, each as often, in a and b (getopt permutes). */
static void check_permuted(char **a, char **b, int n)
{
  int i, j, used[FZ_MAX_ARGS + 1] = { 0 };

  for(i = 0; i < n; i++) {
    for(j = 0; j < n; j++)
      if(!used[j] && a[i] == b[j]) {
        used[j] = 1;
        break;
      }
    FZ_ASSERT(j < n);
  }
}

/* The option set as the front end passes options to an engine. */
static void render(const vals *v, char **operands, int nops, hb_argv *av)
{
  int i;

  hb_argv_add(av, "fuzz");
  if(v->q)
    hb_argv_add(av, "--quiet");
  if(v->v)
    hb_argv_add(av, "--verbose");
  if(v->count != -1)
    hb_argv_addf(av, "--count=%ld", v->count);
  if(v->port != -1)
    hb_argv_addf(av, "-p%ld", v->port);
  if(!isnan(v->ratio))
    hb_argv_addf(av, "--ratio=%.17g", v->ratio);
  if(!isnan(v->secs)) {
    hb_argv_add(av, "-s");
    hb_argv_addf(av, "%.17g", v->secs);
  }
  if(v->name)
    hb_argv_opt(av, "--name", v->name);
  if(v->mode)
    hb_argv_opt(av, "--mode", v->mode);
  if(v->sizes)
    hb_argv_opt(av, "--sizes", v->sizes);
  hb_argv_add(av, "--");
  for(i = 0; i < nops; i++)
    hb_argv_add(av, operands[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *args[FZ_MAX_ARGS + 2], *orig[FZ_MAX_ARGS + 2], why[1024];
  char **again;
  int argc, rc, rc2, i, nops;
  hb_argv av = HB_ARGV_INIT;
  hb_err err = { "" };
  vals v, w;

  argc = fz_argv("fuzz", data, size, args, orig);
  reset();
  why[0] = 0;
  rc = hb_opts_parse_r(&spec, argc, args, why, sizeof(why));
  check_permuted(orig, args, argc);
  if(rc == -1)
    FZ_ASSERT(why[0] && !strchr(why, '\n') && strlen(why) < sizeof(why));
  else
    FZ_ASSERT(rc == HB_OPTS_HELP || (rc >= 1 && rc <= argc));
  take(&v);
  check_values(&v, args, argc);
  if(rc < 0)
    goto out;

  nops = argc - rc;
  render(&v, args + rc, nops, &av);
  again = (char **)hb_argv_get(&av, &err);
  FZ_ASSERT(again != NULL && av.n >= (size_t)nops + 2);
  reset();
  rc2 = hb_opts_parse_r(&spec, (int)av.n, again, why, sizeof(why));
  FZ_ASSERT(rc2 == (int)av.n - nops);
  take(&w);
  FZ_ASSERT(w.q == v.q && w.v == v.v && w.count == v.count &&
            w.port == v.port);
  FZ_ASSERT(same_num(w.ratio, v.ratio) && same_num(w.secs, v.secs));
  FZ_ASSERT(same_str(w.name, v.name) && w.mode == v.mode &&
            same_str(w.sizes, v.sizes));
  for(i = 0; i < nops; i++)
    FZ_ASSERT(!strcmp(again[rc2 + i], args[rc + i]));
  FZ_ASSERT(again[av.n] == NULL);
out:
  hb_argv_free(&av);
  fz_argv_free(orig, argc);
  return 0;
}
