/* Declared command-line options: a command lists its options once (long
 * and short name, value kind, range, help line) and gets parsing into
 * its variables, the --help text and one-line usage errors (exit 2)
 * from the list. GNU rules, as getopt_long: options and arguments in any
 * order, "--name=value", "-nVALUE", unambiguous prefixes of long names,
 * "--" ends the options. */
#ifndef HB_OPTS_H
#define HB_OPTS_H

#include <stddef.h>
#include <stdio.h>

typedef enum hb_opt_kind {
  HB_OPT_END = 0,  /* ends the list */
  HB_OPT_FLAG,     /* int *dest = 1 */
  HB_OPT_INT,      /* long *dest: a whole number in [min, max] */
  HB_OPT_DOUBLE,   /* double *dest: a finite number in [min, max] */
  HB_OPT_SECONDS,  /* double *dest: a duration in (0, max] */
  HB_OPT_STRING,   /* const char **dest: the text */
  HB_OPT_ENUM,     /* const char **dest: one of choices (its own text) */
  HB_OPT_SIZES,    /* const char **dest: a size list, each >= min */
  HB_OPT_CALL,     /* check(value, dest, why) decides and stores */
  HB_OPT_TEXT      /* no option: its help is a line of the --help text
                    * where it stands (a heading, a note), unindented */
} hb_opt_kind;

typedef struct hb_opt {
  const char *name;           /* long name without "--", or NULL */
  int short_name;             /* its letter, or 0 */
  hb_opt_kind kind;
  void *dest;
  const char *meta;           /* the value in the help: "N", "FILE" */
  const char *help;           /* help text; '\n' continues on a new line */
  double min, max;            /* INT, DOUBLE, SECONDS (max), SIZES (min) */
  const char *const *choices; /* ENUM: NULL-terminated */
  /* CALL: 0 to accept (having stored what it wants), else why it is bad
   * in why ("'x' is not ..."); the message names the option before it,
   * as the command line did when it has both names ("-c", "--conns") */
  int (*check)(const char *value, void *dest, char *why, size_t size);
  const char *what;           /* a bad value "is not <what>" (optional) */
} hb_opt;

typedef struct hb_opts {
  const char *cmd;            /* "handshake": messages say httpsbench CMD */
  const char *head;           /* usage line(s) and description */
  const char *tail;           /* printed after the options, or NULL */
  const hb_opt *opts;         /* ended by an HB_OPT_END entry */
} hb_opts;

/* Parses argv[1..] into the options' destinations. --help / -h print
 * the help to stdout and exit 0; a bad option or value is one line on
 * stderr and exit 2. Returns the index of the first argument that is not
 * an option (argv is permuted, as by getopt_long). */
int hb_opts_parse(const hb_opts *spec, int argc, char **argv);

#define HB_OPTS_HELP (-2)

/* The same without printing or exiting (what hb_opts_parse wraps, and
 * what tests and fuzzing call): the index of the first argument that is
 * not an option; HB_OPTS_HELP for --help / -h (nothing after it parsed);
 * -1 for bad usage, with the one-line reason in why ("--seconds: 'x' is
 * not ..."; no command name). Options before a bad one are stored. */
int hb_opts_parse_r(const hb_opts *spec, int argc, char **argv, char *why,
                    size_t size);

/* The help: head, one line per option (continuations indented), tail. */
void hb_opts_help(const hb_opts *spec, FILE *f);

/* An HB_OPT_CALL check for --start-at T (load and handshake engines):
 * a Unix time in seconds, > 0 and < 1e11, into a double; why is left
 * empty (the option's 'what' names the value). */
int hb_opt_start_at(const char *v, void *dest, char *why, size_t size);

#endif
