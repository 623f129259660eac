/* What every fuzz target shares: the libFuzzer entry point and a check
 * that aborts (a finding: libFuzzer saves the input) when a property the
 * callers rely on does not hold. The same targets link into
 * run_inputs.c for ctest (gcc, no libFuzzer), which replays the seeds and
 * the regression inputs. */
#ifndef HB_FUZZ_H
#define HB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ASSERT(c) do { \
    if(!(c)) { \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
              #c); \
      abort(); \
    } \
  } while(0)

/* p[0..n) lies inside buf[0..len) */
static inline int fz_inside(const char *p, size_t n, const char *buf,
                            size_t len)
{
  return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

/* A copy in a heap block of its own, so ASan sees a read past its end
 * (libFuzzer's buffer is one already; the copies are prefixes). */
static inline char *fz_dup(const void *p, size_t n)
{
  char *d = malloc(n ? n : 1);

  if(!d)
    abort();
  if(n)
    memcpy(d, p, n);
  return d;
}

/* n bytes and a NUL, in a heap block of exactly that size. */
static inline char *fz_str(const void *p, size_t n)
{
  char *d = malloc(n + 1);

  if(!d)
    abort();
  if(n)
    memcpy(d, p, n);
  d[n] = 0;
  return d;
}

/* Command lines from fuzz bytes: argv[0] is prog, then each NUL-ended
 * piece of data (the last one may end at size), FZ_MAX_ARGS at most,
 * each in a heap block of its own (fz_str); argv[argc] is NULL. argv and
 * orig hold FZ_MAX_ARGS + 2 pointers: orig keeps them in their first
 * order (parsers permute argv) for fz_argv_free. Returns argc. */
#define FZ_MAX_ARGS 48

static inline int fz_argv(const char *prog, const uint8_t *data,
                          size_t size, char **argv, char **orig)
{
  size_t pos = 0;
  int argc = 1;

  argv[0] = fz_dup(prog, strlen(prog) + 1);
  while(pos < size && argc <= FZ_MAX_ARGS) {
    const uint8_t *nul = memchr(data + pos, 0, size - pos);
    size_t len = nul ? (size_t)(nul - data - pos) : size - pos;

    argv[argc++] = fz_str(data + pos, len);
    pos += len + 1;
  }
  argv[argc] = NULL;
  memcpy(orig, argv, (size_t)(argc + 1) * sizeof(*argv));
  return argc;
}

static inline void fz_argv_free(char **orig, int argc)
{
  int i;

  for(i = 0; i < argc; i++)
    free(orig[i]);
}

#endif
