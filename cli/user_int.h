/* Between the files of `ewsgw user` (cli/user*.c); nothing else uses it. */
#ifndef EWSGW_USER_INT_H
#define EWSGW_USER_INT_H

#include <stddef.h>

struct conf;
struct store;

/*
 * Prints all users to stdout: an aligned table, or with JSON an array of
 * objects (name, mailbox, mode, backend, enabled, token, ...). Backends
 * left to the config show the config's. 0 / -1 with a reason in err.
 */
int	user_list_print(struct store *, const struct conf *, int json,
	    char *err, size_t errlen);

/*
 * Reads one line from standard input (prompting without echo when it is
 * a terminal), hashes it with passwd_hash and wipes it. Returns the new
 * hash (free with auth_secret_free) or NULL with a reason in err.
 */
char	*user_password_stdin(const char *name, char *err, size_t errlen);

#endif
