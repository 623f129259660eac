/* Error holder: our words first, the library's message appended. */
#include "hb/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hb_err_set(hb_err *err, int status, const char *fmt, ...)
{
  va_list ap;

  if(!err)
    return status;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return status;
}

void hb_err_append(hb_err *err, const char *fmt, ...)
{
  va_list ap;
  size_t used;

  if(!err)
    return;
  used = strlen(err->msg);
  if(used && used + 2 < sizeof(err->msg)) {
    memcpy(err->msg + used, "; ", 3);
    used += 2;
  }
  if(used >= sizeof(err->msg) - 1)
    return;
  va_start(ap, fmt);
  vsnprintf(err->msg + used, sizeof(err->msg) - used, fmt, ap);
  va_end(ap);
}

void hb_err_clear(hb_err *err)
{
  if(err)
    err->msg[0] = '\0';
}

const char *hb_status_name(int status)
{
  switch(status) {
  case HB_OK: return "ok";
  case HB_UNSUPPORTED: return "unsupported";
  case HB_EVERIFY: return "verify-failed";
  case HB_INTERRUPTED: return "interrupted";
  default: return "error";
  }
}
