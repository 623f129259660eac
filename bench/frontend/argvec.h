/* Engine argument vectors built by the front end: they grow as arguments
 * are added, and a failure to grow makes the whole vector fail (never an
 * argument silently dropped). Every added string is copied. */
#ifndef HB_ARGVEC_H
#define HB_ARGVEC_H

#include <stddef.h>

#include "hb/err.h"

typedef struct hb_argv {
  char **v;     /* NULL-terminated after every successful add */
  size_t n;     /* arguments, the terminator not counted */
  size_t cap;
  int failed;   /* an allocation failed: the vector is unusable */
} hb_argv;

#define HB_ARGV_INIT { NULL, 0, 0, 0 }

/* Appends a copy of s (NULL counts as a failure: a missing value). */
void hb_argv_add(hb_argv *a, const char *s);

/* Appends an option and its value: "--tls", "1.3". */
void hb_argv_opt(hb_argv *a, const char *opt, const char *value);

/* Appends a formatted argument. */
void hb_argv_addf(hb_argv *a, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Appends every string of a NULL-terminated list (list may be NULL). */
void hb_argv_add_all(hb_argv *a, char *const list[]);

/* The NULL-terminated vector for exec, or NULL with err set when any
 * add failed. Owned by a. */
char *const *hb_argv_get(const hb_argv *a, hb_err *err);

/* Frees the copies and the vector; a is empty again. */
void hb_argv_free(hb_argv *a);

#endif
