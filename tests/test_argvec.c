/* The front end's growing engine argument vectors: past any fixed size,
 * in order, NULL-terminated, copies; a missing value fails the vector. */
#include <stdio.h>
#include <string.h>

#include "../bench/frontend/argvec.h"
#include "check.h"

int main(void)
{
  hb_argv a = HB_ARGV_INIT;
  hb_err err = { "" };
  char *const *v;
  char buf[16];
  int i, ok = 1;

  CHECK(hb_argv_get(&a, &err) == NULL, "an empty vector is no command");
  for(i = 0; i < 100; i++) {
    snprintf(buf, sizeof(buf), "a%d", i);
    hb_argv_add(&a, buf);
  }
  hb_argv_addf(&a, "--n=%d", 42);
  hb_argv_opt(&a, "--tls", "1.3");
  buf[0] = 'X'; /* the vector holds copies */
  v = hb_argv_get(&a, &err);
  CHECK(v != NULL, "%s", err.msg);
  if(v) {
    for(i = 0; i < 100; i++) {
      snprintf(buf, sizeof(buf), "a%d", i);
      ok = ok && !strcmp(v[i], buf);
    }
    CHECK(ok, "the first 100 arguments, in order");
    CHECK(!strcmp(v[100], "--n=42"), "%s", v[100]);
    CHECK(!strcmp(v[101], "--tls") && !strcmp(v[102], "1.3"), "opt");
    CHECK(v[103] == NULL && a.n == 103, "terminated after 103");
  }
  hb_argv_free(&a);
  CHECK(a.n == 0 && a.v == NULL, "freed and empty");

  hb_argv_add(&a, "engine");
  hb_argv_opt(&a, "--cacert", NULL); /* a value that is not there */
  hb_argv_add(&a, "--later");
  err.msg[0] = '\0';
  CHECK(hb_argv_get(&a, &err) == NULL && err.msg[0],
        "a missing value fails the whole vector, never a silent drop");
  hb_argv_free(&a);
  return test_summary("argvec");
}
