/* Entry points of the engine's subcommands (argv[0] is the subcommand).
 * Each uses hb_linked_backend and returns the process exit status. */
#ifndef HB_SUITES_H
#define HB_SUITES_H

int hb_server_main(int argc, char **argv); /* servers/: `server` */
int hb_load_main(int argc, char **argv);   /* clients/: `load` */
int hb_handshake_main(int argc, char **argv); /* clients/: `handshake` */

#endif
