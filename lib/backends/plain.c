/* The plain-TCP engine's backend: no crypto, the core's TCP transport. */
#include "hb/backend.h"

const hb_backend hb_linked_backend = { "plain", "TCP", NULL, &hb_plain_tls,
                                       "the kernel's TCP" };
