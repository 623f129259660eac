/* Why a TLS table lacks an optional feature, in words for reports and
 * "unsupported" results. The libraries' own limits, as Debian 12 builds
 * them; README.md ("Library gaps") says the same. */
#include <string.h>

#include "hb/tls.h"

const char *hb_tls_early_data_gap(const hb_tls_ops *ops)
{
  if(ops->supports & HB_TLS_SUP_EARLY_DATA)
    return "";
  if(!strcmp(ops->name, "mbedtls"))
    return "mbedTLS 2.28 has no TLS 1.3, so no 0-RTT early data";
  if(!strcmp(ops->name, "wolfssl"))
    return "Debian's wolfSSL is built without WOLFSSL_EARLY_DATA: no "
           "0-RTT early data";
  if(!strcmp(ops->name, "plain"))
    return "plain TCP has no TLS, so no early data";
  return "no 0-RTT early data in this backend";
}
