/* Key-exchange groups: one table of names for every backend, the server,
 * the clients and the front end (lib/tls/groups.c).
 *
 * A group has our name (the one reports print: "p256"), its IANA TLS
 * NamedGroup id, and aliases; names match case-insensitively, so
 * "P-256", "secp256r1" and "prime256v1" are all p256. A backend maps the
 * ids to its library's constants and answers HB_UNSUPPORTED, with the
 * reason, for a group of the table its library lacks; a name outside the
 * table is an error before any library sees it. */
#ifndef HB_TLS_GROUPS_H
#define HB_TLS_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "hb/err.h"

#define HB_GROUPS_MAX 16 /* items in one colon list */

typedef struct hb_group {
  const char *name;          /* ours, as reports print it */
  uint16_t id;               /* IANA TLS NamedGroup */
  const char *aliases[4];    /* other spellings, NULL-terminated */
} hb_group;

/* IANA ids of the table's groups, for the backends' maps. */
enum {
  HB_GROUP_P256 = 23, HB_GROUP_P384 = 24, HB_GROUP_P521 = 25,
  HB_GROUP_X25519 = 29, HB_GROUP_X448 = 30,
  HB_GROUP_FFDHE2048 = 256, HB_GROUP_FFDHE3072 = 257,
  HB_GROUP_FFDHE4096 = 258, HB_GROUP_FFDHE6144 = 259,
  HB_GROUP_FFDHE8192 = 260,
  /* hybrid post-quantum: ML-KEM (FIPS 203) with a classical group */
  HB_GROUP_P256MLKEM768 = 0x11EB, HB_GROUP_X25519MLKEM768 = 0x11EC,
  HB_GROUP_P384MLKEM1024 = 0x11ED,
  /* pre-standard Kyber drafts (BoringSSL 14) */
  HB_GROUP_X25519KYBER768 = 0x6399, HB_GROUP_P256KYBER768 = 0xFE32,
  /* round-3 Kyber768 with P-384 at the Open Quantum Safe code point, as
   * wolfSSL 5.7 offers it (P384_KYBER_LEVEL3) */
  HB_GROUP_P384KYBER768 = 0x2F3C
};

/* Our names, for help texts and errors: "x25519, p256, ...". */
extern const char hb_groups_known[];

/* The group called name (len bytes; name or alias, any case), or NULL. */
const hb_group *hb_group_find(const char *name, size_t len);

/* The group with IANA id, or NULL. */
const hb_group *hb_group_by_id(unsigned id);

/* Our name of IANA id, "" when the table lacks it. */
const char *hb_group_name(unsigned id);

/* Parses a colon list ("x25519:P-256") into out[0 .. *n), in its order
 * (the order of preference); a group listed twice counts once, where it
 * first appears. HB_ERROR, with err, for an unknown name, an empty item
 * ("x25519::p256", a leading or trailing colon), an empty list or more
 * than max items. */
int hb_groups_parse(const char *list, const hb_group **out, size_t max,
                    size_t *n, hb_err *err);

#endif
