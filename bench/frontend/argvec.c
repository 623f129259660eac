/* Growing engine argument vectors (argvec.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argvec.h"

/* Takes ownership of s (freed on failure). */
static void push(hb_argv *a, char *s)
{
  if(a->failed || !s) {
    free(s);
    a->failed = 1;
    return;
  }
  if(a->n + 2 > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 16;
    char **v = realloc(a->v, cap * sizeof(*v));
    if(!v) {
      free(s);
      a->failed = 1;
      return;
    }
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

void hb_argv_add(hb_argv *a, const char *s)
{
  push(a, s ? strdup(s) : NULL);
}

void hb_argv_opt(hb_argv *a, const char *opt, const char *value)
{
  hb_argv_add(a, opt);
  hb_argv_add(a, value);
}

void hb_argv_addf(hb_argv *a, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  int len;

  va_start(ap, fmt);
  len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(len >= 0 && (s = malloc((size_t)len + 1)) != NULL) {
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
  }
  push(a, s);
}

void hb_argv_add_all(hb_argv *a, char *const list[])
{
  size_t i;

  for(i = 0; list && list[i]; i++)
    hb_argv_add(a, list[i]);
}

char *const *hb_argv_get(const hb_argv *a, hb_err *err)
{
  if(a->failed || !a->v) {
    hb_err_set(err, HB_ERROR, "out of memory building an engine's "
               "argument vector");
    return NULL;
  }
  return a->v;
}

void hb_argv_free(hb_argv *a)
{
  size_t i;

  for(i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  memset(a, 0, sizeof(*a));
}
