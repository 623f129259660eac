/* Minimal test helpers: CHECK records a failure and goes on, so one run
 * reports every broken case; test_summary() prints the closing line and
 * returns the exit status. */
#ifndef HB_TEST_CHECK_H
#define HB_TEST_CHECK_H

#include <stdio.h>

static int test_failures;
static int test_checks;

#define CHECK(cond, ...)                                          \
  do {                                                            \
    test_checks++;                                                \
    if(!(cond)) {                                                 \
      test_failures++;                                            \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                               \
      fputc('\n', stderr);                                        \
    }                                                             \
  } while(0)

static inline int test_summary(const char *name)
{
  printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
  return test_failures ? 1 : 0;
}

#endif
