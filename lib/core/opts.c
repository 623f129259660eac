/* Declared command-line options (hb/opts.h), on top of getopt_long. */
#include "hb/opts.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"

#define OPTS_MAX 64
#define HELP_COL 27  /* where the help text starts */

/* getopt's value for option i: its letter, or 256 + i */
static int opt_val(const hb_opt *o, int i)
{
  return o->short_name ? o->short_name : 256 + i;
}

/* The name a message gives o: for an option with both names, the one
 * the command line used ("-c" or "--connections"; typed is the token
 * that named it, or NULL), else the one it has. */
static void opt_name(const hb_opt *o, const char *typed, char *buf,
                     size_t size)
{
  if(o->name && !(o->short_name && typed && strncmp(typed, "--", 2)))
    snprintf(buf, size, "--%s", o->name);
  else
    snprintf(buf, size, "-%c", o->short_name);
}

/* "x25519, p256 or p384" */
static void choices_text(const char *const *c, char *buf, size_t size)
{
  size_t i, n, len = 0;

  for(n = 0; c[n]; n++)
    ;
  buf[0] = '\0';
  for(i = 0; i < n && len < size; i++) {
    snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : i + 1 == n
             ? " or " : ", ", c[i]);
    len = strlen(buf);
  }
}

/* A bad value: why says so (0 when it could say nothing better). */
static int bad_value(const hb_opt *o, const char *typed, const char *v,
                     const char *why, char *out, size_t size)
{
  char name[64], what[256];

  opt_name(o, typed, name, sizeof(name));
  if(why && why[0])
    snprintf(out, size, "%s: %s", name, why);
  else if(o->what)
    snprintf(out, size, "%s: '%s' is not %s", name, v, o->what);
  else
    switch(o->kind) {
    case HB_OPT_INT:
      snprintf(out, size, "%s: '%s' is not a whole number in %.0f..%.0f",
               name, v, o->min, o->max);
      break;
    case HB_OPT_DOUBLE:
      snprintf(out, size, "%s: '%s' is not a number in %g..%g", name, v,
               o->min, o->max);
      break;
    case HB_OPT_SECONDS:
      snprintf(out, size, "%s: '%s' is not a duration (0 < s <= %g)",
               name, v, o->max);
      break;
    case HB_OPT_ENUM:
      choices_text(o->choices, what, sizeof(what));
      snprintf(out, size, "%s: '%s' is not %s", name, v, what);
      break;
    default:
      snprintf(out, size, "%s: bad value '%s'", name, v);
    }
  return -1;
}

/* Stores v in o's destination; -1 with why when it is not a value of
 * o's kind (the destination then keeps what it had). typed: the token
 * that named the option, for the message. */
static int store(const hb_opt *o, const char *typed, const char *v,
                 char *out, size_t size)
{
  char why[512] = "";

  switch(o->kind) {
  case HB_OPT_FLAG:
    *(int *)o->dest = 1;
    return 0;
  case HB_OPT_INT:
    if(hb_parse_int(v, (long)o->min, (long)o->max, (long *)o->dest))
      return bad_value(o, typed, v, NULL, out, size);
    return 0;
  case HB_OPT_DOUBLE: {
    char *end;
    double d = strtod(v, &end);
    if(!*v || *end || !isfinite(d) || d < o->min || d > o->max)
      return bad_value(o, typed, v, NULL, out, size);
    *(double *)o->dest = d;
    return 0;
  }
  case HB_OPT_SECONDS:
    if(hb_parse_seconds(v, o->max, (double *)o->dest))
      return bad_value(o, typed, v, NULL, out, size);
    return 0;
  case HB_OPT_STRING:
    *(const char **)o->dest = v;
    return 0;
  case HB_OPT_ENUM: {
    size_t i;
    for(i = 0; o->choices[i]; i++)
      if(!strcmp(v, o->choices[i])) {
        *(const char **)o->dest = o->choices[i];
        return 0;
      }
    return bad_value(o, typed, v, NULL, out, size);
  }
  case HB_OPT_SIZES: {
    size_t sizes[HB_MAX_SIZES];
    int n;
    if(hb_parse_size_list(v, (size_t)o->min, sizes, HB_MAX_SIZES, &n, why,
                          sizeof(why)))
      return bad_value(o, typed, v, why, out, size);
    *(const char **)o->dest = v;
    return 0;
  }
  case HB_OPT_CALL:
    if(o->check(v, o->dest, why, sizeof(why)))
      return bad_value(o, typed, v, why, out, size);
    return 0;
  case HB_OPT_TEXT:
  case HB_OPT_END:
    break;
  }
  return bad_value(o, typed, v, NULL, out, size);
}

int hb_opts_parse_r(const hb_opts *spec, int argc, char **argv, char *why,
                    size_t size)
{
  struct option longopts[OPTS_MAX + 2];
  char shorts[3 * OPTS_MAX + 4];
  size_t ns = 0, nl = 0;
  const char *typed;
  int i, opt;

  shorts[ns++] = ':'; /* a missing value is ':', not an unknown option */
  shorts[ns++] = 'h';
  for(i = 0; i < OPTS_MAX && spec->opts[i].kind != HB_OPT_END; i++) {
    const hb_opt *o = &spec->opts[i];
    int arg = o->kind == HB_OPT_FLAG ? no_argument : required_argument;
    if(o->kind == HB_OPT_TEXT)
      continue;
    if(o->name) {
      longopts[nl].name = o->name;
      longopts[nl].has_arg = arg;
      longopts[nl].flag = NULL;
      longopts[nl].val = opt_val(o, i);
      nl++;
    }
    if(o->short_name) {
      shorts[ns++] = (char)o->short_name;
      if(arg == required_argument)
        shorts[ns++] = ':';
    }
  }
  shorts[ns] = '\0';
  longopts[nl].name = "help";
  longopts[nl].has_arg = no_argument;
  longopts[nl].flag = NULL;
  longopts[nl].val = 'h';
  memset(&longopts[nl + 1], 0, sizeof(longopts[0]));
  opterr = 0;
  /* 0, not 1: glibc then forgets a cluster ("-qZ") a previous parse
   * stopped in, which would otherwise point into that parse's argv */
  optind = 0;
  while((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
    const hb_opt *o = NULL;
    if(opt == 'h')
      return HB_OPTS_HELP;
    for(i = 0; spec->opts[i].kind != HB_OPT_END; i++)
      if(spec->opts[i].kind != HB_OPT_TEXT &&
         opt_val(&spec->opts[i], i) == opt) {
        o = &spec->opts[i];
        break;
      }
    if(!o) {
      hb_getopt_why(opt, argv, why, size);
      hb_one_line(why);
      return -1;
    }
    /* the token naming the option: the one before a separate value
     * (getopt sets optarg NULL for a flag, never equal to a token) */
    typed = optind >= 2 && optarg == argv[optind - 1] ? argv[optind - 2]
            : argv[optind - 1];
    if(store(o, typed, optarg, why, size)) {
      hb_one_line(why);
      return -1;
    }
  }
  return optind;
}

int hb_opts_parse(const hb_opts *spec, int argc, char **argv)
{
  char why[700];
  int rc = hb_opts_parse_r(spec, argc, argv, why, sizeof(why));

  if(rc == HB_OPTS_HELP) {
    hb_opts_help(spec, stdout);
    exit(0);
  }
  if(rc < 0)
    hb_usage_fail(spec->cmd, "%s", why);
  return rc;
}

void hb_opts_help(const hb_opts *spec, FILE *f)
{
  const hb_opt *o;

  fputs(spec->head, f);
  for(o = spec->opts; o->kind != HB_OPT_END; o++) {
    char left[128];
    const char *h = o->help, *nl;
    int len;

    if(!h)
      continue; /* undocumented: kept for old command lines */
    if(o->kind == HB_OPT_TEXT) {
      fprintf(f, "%s\n", h);
      continue;
    }
    if(o->name && o->short_name)
      len = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name,
                     o->name);
    else if(o->name)
      len = snprintf(left, sizeof(left), "  --%s", o->name);
    else
      len = snprintf(left, sizeof(left), "  -%c", o->short_name);
    if(o->meta && len > 0 && (size_t)len < sizeof(left))
      snprintf(left + len, sizeof(left) - (size_t)len, " %s", o->meta);
    len = (int)strlen(left);
    if(len >= HELP_COL - 1)
      fprintf(f, "%s\n%*s", left, HELP_COL, "");
    else
      fprintf(f, "%-*s", HELP_COL, left);
    for(;;) {
      nl = strchr(h, '\n');
      if(!nl) {
        fprintf(f, "%s\n", h);
        break;
      }
      fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COL, "");
      h = nl + 1;
    }
  }
  if(spec->tail)
    fputs(spec->tail, f);
}

int hb_opt_start_at(const char *v, void *dest, char *why, size_t size)
{
  double t;

  (void)why;
  (void)size;
  if(hb_parse_seconds(v, 1e11, &t) || t >= 1e11)
    return -1;
  *(double *)dest = t;
  return 0;
}
