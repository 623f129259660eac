/* The crypto suite of an engine: runs one case of the list
 * (hb/crypto_cases.h) through the linked backend's crypto table. */
#ifndef HB_CRYPTO_SUITE_H
#define HB_CRYPTO_SUITE_H

#include "hb/crypto_cases.h"
#include "hb/harness.h"

/* Runs one case through the table; rates[opts->repetitions] receives
 * samples in the case's unit (bytes/s when bytes > 0, else ops/s). */
int hb_crypto_run_case(const hb_crypto_ops *ops, const hb_crypto_case *c,
                       const hb_bench_opts *opts, double *rates,
                       hb_err *err);

/* Frees keys cached between cases (key generation is not timed). */
void hb_crypto_suite_cleanup(const hb_crypto_ops *ops);

#endif
