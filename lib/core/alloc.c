/* Allocation with fault injection in test builds (hb/alloc.h). */
#include "hb/alloc.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int json_failed;

void *hb_json_malloc(size_t n)
{
  void *p = hb_malloc(n);

  if(!p)
    atomic_store(&json_failed, 1);
  return p;
}

int hb_json_oom(void)
{
  return atomic_load(&json_failed);
}

void hb_json_oom_clear(void)
{
  atomic_store(&json_failed, 0);
}

#ifdef HB_FAULT_INJECT
static atomic_ulong calls, fail_at;
static atomic_int hit;

/* counts the call; 1 when this one is to fail */
static int fail_now(void)
{
  unsigned long n = atomic_fetch_add(&calls, 1) + 1;

  if(n != atomic_load(&fail_at))
    return 0;
  atomic_store(&hit, 1);
  return 1;
}

void *hb_malloc(size_t n)
{
  return fail_now() ? NULL : malloc(n);
}

void *hb_calloc(size_t n, size_t size)
{
  return fail_now() ? NULL : calloc(n, size);
}

void *hb_realloc(void *p, size_t n)
{
  return fail_now() ? NULL : realloc(p, n);
}

char *hb_strdup(const char *s)
{
  return fail_now() ? NULL : strdup(s);
}

void hb_fault_set(unsigned long n)
{
  atomic_store(&fail_at, n);
  atomic_store(&calls, 0);
  atomic_store(&hit, 0);
}

unsigned long hb_fault_calls(void)
{
  return atomic_load(&calls);
}

int hb_fault_hit(void)
{
  return atomic_load(&hit);
}

static void fault_report(void)
{
  unsigned long at = atomic_load(&fail_at);

  fprintf(stderr, "hb_fault: %lu allocations counted; call %lu %s\n",
          atomic_load(&calls), at, atomic_load(&hit) ? "failed"
          : "was not reached");
}
#endif

__attribute__((constructor)) static void alloc_init(void)
{
#ifdef HB_FAULT_INJECT
  const char *e = getenv("HB_FAIL_ALLOC");

  if(e && *e) {
    char *end;
    unsigned long n = strtoul(e, &end, 10);
    if(!*end && n) {
      hb_fault_set(n);
      atexit(fault_report);
    }
  }
#endif
  json_set_alloc_funcs(hb_json_malloc, free);
}
