/* What the machine is: CPU, crypto-relevant flags, memory, kernel, OS. */
#ifndef HB_ENVINFO_H
#define HB_ENVINFO_H

#include <jansson.h>

/* The report's "environment" object (new reference). */
json_t *hb_env_json(void);

#endif
