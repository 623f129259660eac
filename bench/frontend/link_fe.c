/* The run's emulated link: one httpsbench-link --hold for the whole
 * driver run, engines joined to its namespaces by name. */
#include "link_fe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_run.h"
#include "hb/cli.h"
#include "link_opts.h"
#include "link_run.h"
#include "results.h"

#define MEASURE_N 10 /* TCP connects and echoes per measurement */

static struct hb_link_cfg cfg;
static int cfg_ready, running;
static struct hb_link_run run;
static double last_rtt = NAN;
int hb_fe_link_side = HB_FE_SIDE_NONE;

static void init(void)
{
  if(!cfg_ready) {
    hb_link_cfg_init(&cfg);
    cfg_ready = 1;
  }
}

const int hb_fe_link_idx[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
int hb_fe_link_reorder;
int hb_fe_ipv6;

int hb_fe_link_check(const char *v, void *dest, char *why, size_t size)
{
  int k = *(const int *)dest;

  init();
  return hb_link_parse(&cfg, hb_link_options[k].name, v, why, size) == 1
         ? 0 : -1;
}

/* hb_link_options[k].help without its leading "--name VALUE" column and
 * with continuation lines unindented (hb_opts indents them itself). */
const char *hb_fe_link_help_of(int k)
{
  static char buf[9][400];
  const char *p = hb_link_options[k].help;
  char *o = buf[k];
  size_t n = 0;

  if(buf[k][0])
    return buf[k];
  if(!strncmp(p, "--", 2)) {
    p += strcspn(p, "\n");
    if(strstr(hb_link_options[k].help, "  ") &&
       strstr(hb_link_options[k].help, "  ") < p)
      p = strstr(hb_link_options[k].help, "  ");
  }
  while(*p == ' ' || *p == '\n')
    p++;
  for(; *p && n + 1 < sizeof(buf[k]); p++) {
    o[n++] = *p;
    if(*p == '\n')
      while(p[1] == ' ')
        p++;
  }
  o[n] = '\0';
  return o;
}

void hb_fe_link_after_parse(const char *cmd)
{
  char why[256];

  init();
  if(hb_fe_link_reorder &&
     hb_link_parse(&cfg, "reorder", NULL, why, sizeof(why)) != 1)
    hb_usage_fail(cmd, "%s", why);
}

int hb_fe_link_getopt(const char *cmd, int opt, const char *arg)
{
  char why[256];
  int k = opt - HB_FE_LINK_OPT;

  if(k < 0 || k > 8)
    return 0;
  init();
  if(hb_link_parse(&cfg, hb_link_options[k].name, arg, why,
                   sizeof(why)) != 1)
    hb_usage_fail(cmd, "%s", why);
  return 1;
}

void hb_fe_link_help(FILE *f)
{
  fprintf(f, "\n  an emulated link between client and server (root and "
          "/dev/net/tun;\n  httpsbench-link --help for the details):\n");
  hb_link_print_help(f);
}

int hb_fe_link_wanted(void)
{
  init();
  return hb_link_wanted(&cfg);
}

/* The echo median of a measurement, for RTT counts. */
static void note_rtt(json_t *m)
{
  double v = hb_res_num(m, "echo_rtt_ms", "median");

  if(!isnan(v))
    last_rtt = v;
}

int hb_fe_link_start(char *why, size_t whylen)
{
  char path[4200], stats[64];
  int rc;
  json_t *m;

  init();
  if(hb_engine_path("link", path, sizeof(path))) {
    snprintf(why, whylen, "no httpsbench-link next to httpsbench");
    return -1;
  }
  snprintf(stats, sizeof(stats), "/tmp/httpsbench-link.%ld.json",
           (long)getpid());
  rc = hb_link_start(&run, path, &cfg, MEASURE_N, stats, why, whylen);
  if(rc)
    return -1;
  if(hb_fe_ipv6 && !run.addr6[HB_LINK_SERVER][0]) {
    snprintf(why, whylen, "--ipv6: this httpsbench-link gave no IPv6 "
             "addresses");
    hb_link_stop(&run);
    unlink(run.stats_path);
    return -1;
  }
  running = 1;
  m = json_loads(run.first, 0, NULL);
  note_rtt(m);
  json_decref(m);
  return 0;
}

void hb_fe_link_child(void)
{
  if(running && hb_fe_link_side != HB_FE_SIDE_NONE &&
     hb_link_enter(&run, hb_fe_link_side)) {
    fprintf(stderr, "httpsbench: cannot enter the link's namespace\n");
    _exit(127);
  }
}

const char *hb_fe_link_listen(void)
{
  static char buf[48];

  snprintf(buf, sizeof(buf), "%s:0", hb_fe_link_host());
  return buf;
}

const char *hb_fe_link_host(void)
{
  static char buf[64];

  if(!hb_fe_ipv6)
    return running ? run.addr[HB_LINK_SERVER] : "127.0.0.1";
  snprintf(buf, sizeof(buf), "[%s]", running && run.addr6[HB_LINK_SERVER][0]
           ? run.addr6[HB_LINK_SERVER] : "::1");
  return buf;
}

json_t *hb_fe_link_measure(void)
{
  char buf[8192];
  json_t *m;

  if(!running || hb_link_measure(&run, buf, sizeof(buf), 60000))
    return NULL;
  m = json_loads(buf, 0, NULL);
  note_rtt(m);
  return m;
}

double hb_fe_link_rtt_ms(void)
{
  return last_rtt;
}

json_t *hb_fe_link_stop(void)
{
  json_t *link, *st;

  if(!running)
    return NULL;
  running = 0;
  hb_link_stop(&run);
  st = json_load_file(run.stats_path, 0, NULL);
  unlink(run.stats_path);
  link = json_object();
  json_object_set(link, "configured", json_object_get(st, "configured"));
  json_object_set_new(link, "measured_at_start",
                      run.first[0] ? json_loads(run.first, 0, NULL)
                                   : json_null());
  json_object_set_new(link, "emulator", st ? st : json_null());
  json_object_set_new(link, "ip_version", json_integer(hb_fe_ipv6 ? 6 : 4));
  if(!json_object_get(link, "configured"))
    json_object_set_new(link, "configured", json_null());
  return link;
}

int hb_fe_link_strip(const char *cmd, int argc, char **argv, int keep_rate)
{
  char why[256];
  int i, n = 1, k, rest = 0;

  init();
  for(i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL, *eq;
    size_t len;
    if(rest || strncmp(a, "--", 2) || !a[2]) {
      rest = rest || !strcmp(a, "--");
      argv[n++] = argv[i];
      continue;
    }
    eq = strchr(a + 2, '=');
    len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    for(k = 0; hb_link_options[k].name; k++)
      if(strlen(hb_link_options[k].name) == len &&
         !strncmp(hb_link_options[k].name, a + 2, len))
        break;
    /* --link-rate: the link's rate where --rate means something else */
    if(len == 9 && !strncmp(a + 2, "link-rate", 9))
      for(k = 0; hb_link_options[k].name &&
                 strcmp(hb_link_options[k].name, "rate"); k++)
        ;
    else if(keep_rate && hb_link_options[k].name &&
            !strcmp(hb_link_options[k].name, "rate")) {
      argv[n++] = argv[i]; /* the engine's: its value follows as usual */
      continue;
    }
    if(!hb_link_options[k].name) {
      argv[n++] = argv[i];
      continue;
    }
    if(hb_link_options[k].has_arg) {
      if(eq)
        val = eq + 1;
      else if(i + 1 < argc)
        val = argv[++i];
      else
        hb_usage_fail(cmd, "--%s needs a value", hb_link_options[k].name);
    }
    else if(eq)
      hb_usage_fail(cmd, "--%s takes no value", hb_link_options[k].name);
    if(hb_link_parse(&cfg, hb_link_options[k].name, val, why,
                     sizeof(why)) != 1)
      hb_usage_fail(cmd, "%s", why);
  }
  argv[n] = NULL;
  return n;
}

int hb_fe_link_given(unsigned bits)
{
  init();
  return (cfg.given & bits) != 0;
}

int hb_fe_link_set(const char *name, double v)
{
  char val[32], why[256];

  init();
  snprintf(val, sizeof(val), "%.17g", v);
  return hb_link_parse(&cfg, name, val, why, sizeof(why)) == 1 ? 0 : -1;
}
