/* Status codes and error holder shared by every module.
 *
 * Every fallible function returns one of hb_status and, on failure, fills an
 * hb_err with our words followed by the library's own message. */
#ifndef HB_ERR_H
#define HB_ERR_H

#include <stddef.h>

typedef enum hb_status {
  HB_OK = 0,
  HB_ERROR = -1,       /* operation failed; err says why */
  HB_UNSUPPORTED = -2, /* the backend lacks this primitive; err says why */
  HB_EVERIFY = -3,     /* signature or tag did not verify (not a crash) */
  HB_INTERRUPTED = -4  /* stopped by SIGINT/SIGTERM */
} hb_status;

typedef struct hb_err {
  char msg[512];
} hb_err;

/* Records a printf-style message in err (if non-NULL); returns status. */
int hb_err_set(hb_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends "; " and a printf-style detail to an existing message. */
void hb_err_append(hb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void hb_err_clear(hb_err *err);

const char *hb_status_name(int status); /* "ok", "error", "unsupported"... */

#endif
