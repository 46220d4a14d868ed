/*
 * The subcommands of the ewsgw binary. Each gets the arguments after its
 * name (argv[0] is the subcommand) and the config path from -c; each
 * returns the process exit status: 0 ok, 1 failure (one line on stderr),
 * 2 usage error.
 */
#ifndef EWSGW_CLI_H
#define EWSGW_CLI_H

int	cli_serve(int argc, char **argv, const char *conf_arg);
int	cli_user(int argc, char **argv, const char *conf_arg);
int	cli_login(int argc, char **argv, const char *conf_arg);
int	cli_check(int argc, char **argv, const char *conf_arg);

/* Loads the config named by -c / $EWSGW_CONFIG / the default, printing
 * "ewsgw: FILE:LINE: reason" on failure. NULL on failure. */
struct conf;
struct conf	*cli_conf_load(const char *conf_arg);

#endif
