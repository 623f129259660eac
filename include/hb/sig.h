/* Signals: SIGINT/SIGTERM set a flag that long loops poll, so a run stops
 * between measurements and still writes a valid report. SIGPIPE is ignored
 * (a peer that goes away is an EPIPE error, not a crash). */
#ifndef HB_SIG_H
#define HB_SIG_H

void hb_signals_install(void);
int hb_interrupted(void);       /* the signal number, or 0 */

#endif
