/* Allocation where fault injection reaches: the report writer (jansson's
 * allocations, through hb_json_malloc) and the server's connection path.
 *
 * In a build with HB_FAULT_INJECT (cmake -DHB_FAULT_INJECT=ON; CI's
 * sanitizer build) every hb_malloc/hb_calloc/hb_realloc/hb_strdup call is
 * counted and the Nth one fails as if memory were exhausted: N from
 * HB_FAIL_ALLOC=N in the environment (read at start; the process then
 * prints "hb_fault: ..." on stderr at exit, saying whether call N was
 * reached) or from hb_fault_set. Only that one call fails, so a test can
 * try N = 1, 2, ... until the operation no longer reaches it. In other
 * builds they are malloc & co., inline: no cost. */
#ifndef HB_ALLOC_H
#define HB_ALLOC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef HB_FAULT_INJECT
void *hb_malloc(size_t n);
void *hb_calloc(size_t n, size_t size);
void *hb_realloc(void *p, size_t n);
char *hb_strdup(const char *s);

/* Fail call n from now on (0: none), counting from 1 again. */
void hb_fault_set(unsigned long n);
/* Calls counted since hb_fault_set (or the start). */
unsigned long hb_fault_calls(void);
/* 1 when the call chosen has failed. */
int hb_fault_hit(void);
#else
static inline void *hb_malloc(size_t n) { return malloc(n); }
static inline void *hb_calloc(size_t n, size_t size)
{
  return calloc(n, size);
}
static inline void *hb_realloc(void *p, size_t n) { return realloc(p, n); }
static inline char *hb_strdup(const char *s) { return strdup(s); }
#endif

/* jansson's allocator in every program that links this (installed at
 * start): hb_malloc, and a failure is remembered, since jansson then
 * drops a member or an element without a word (json_object_set_new
 * returns -1 and the caller rarely looks). hb_report_write refuses to
 * write a report while hb_json_oom() is set. */
void *hb_json_malloc(size_t n);
int hb_json_oom(void);
/* Forgets a failure (tests, between attempts). */
void hb_json_oom_clear(void);

#endif
