/* The key-exchange group table and its colon-list parser
 * (include/hb/tls_groups.h). */
#include <string.h>
#include <strings.h>

#include "hb/tls_groups.h"

static const hb_group groups[] = {
  { "x25519", HB_GROUP_X25519, { "curve25519", NULL } },
  { "p256", HB_GROUP_P256, { "secp256r1", "prime256v1", "p-256", NULL } },
  { "p384", HB_GROUP_P384, { "secp384r1", "p-384", NULL } },
  { "p521", HB_GROUP_P521, { "secp521r1", "p-521", NULL } },
  { "x448", HB_GROUP_X448, { "curve448", NULL } },
  { "ffdhe2048", HB_GROUP_FFDHE2048, { NULL } },
  { "ffdhe3072", HB_GROUP_FFDHE3072, { NULL } },
  { "ffdhe4096", HB_GROUP_FFDHE4096, { NULL } },
  { "ffdhe6144", HB_GROUP_FFDHE6144, { NULL } },
  { "ffdhe8192", HB_GROUP_FFDHE8192, { NULL } },
  { "x25519mlkem768", HB_GROUP_X25519MLKEM768, { NULL } },
  { "p256mlkem768", HB_GROUP_P256MLKEM768, { "secp256r1mlkem768", NULL } },
  { "p384mlkem1024", HB_GROUP_P384MLKEM1024,
    { "secp384r1mlkem1024", NULL } },
  { "x25519kyber768", HB_GROUP_X25519KYBER768,
    { "x25519kyber768draft00", NULL } },
  { "p256kyber768", HB_GROUP_P256KYBER768, { NULL } },
  { "p384kyber768", HB_GROUP_P384KYBER768,
    { "p384_kyber768", "p384_kyber_level3", NULL } }
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

const char hb_groups_known[] = "x25519, p256, p384, p521, x448, "
  "ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192, "
  "x25519mlkem768, p256mlkem768, p384mlkem1024, x25519kyber768, "
  "p256kyber768, p384kyber768";

static int same(const char *word, const char *name, size_t len)
{
  return strlen(word) == len && !strncasecmp(word, name, len);
}

const hb_group *hb_group_find(const char *name, size_t len)
{
  size_t i, k;

  for(i = 0; i < NGROUPS; i++) {
    if(same(groups[i].name, name, len))
      return &groups[i];
    for(k = 0; groups[i].aliases[k]; k++)
      if(same(groups[i].aliases[k], name, len))
        return &groups[i];
  }
  return NULL;
}

const hb_group *hb_group_by_id(unsigned id)
{
  size_t i;

  for(i = 0; i < NGROUPS; i++)
    if(groups[i].id == id)
      return &groups[i];
  return NULL;
}

const char *hb_group_name(unsigned id)
{
  const hb_group *g = hb_group_by_id(id);

  return g ? g->name : "";
}

int hb_groups_parse(const char *list, const hb_group **out, size_t max,
                    size_t *n, hb_err *err)
{
  const char *p = list;
  const hb_group *g;
  size_t len, items = 0, k, got = 0;

  *n = 0; /* and so it stays on failure */
  if(!list || !*list)
    return hb_err_set(err, HB_ERROR, "empty group list");
  for(;;) {
    len = strcspn(p, ":");
    if(!len)
      return hb_err_set(err, HB_ERROR, "empty item in group list '%s'",
                        list);
    if(++items > max)
      return hb_err_set(err, HB_ERROR, "more than %zu groups in '%s'", max,
                        list);
    g = hb_group_find(p, len);
    if(!g)
      return hb_err_set(err, HB_ERROR, "unknown group '%.*s' (known: %s)",
                        (int)(len < 64 ? len : 64), p, hb_groups_known);
    for(k = 0; k < got && out[k] != g; k++)
      ;
    if(k == got)
      out[got++] = g;
    p += len;
    if(!*p) {
      *n = got;
      return HB_OK;
    }
    p++; /* the colon; what follows must be an item */
  }
}
