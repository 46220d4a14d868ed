/* `--password-stdin`: one line from standard input, hashed, then wiped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "cli/user_int.h"

#define USER_PASSWORD_MAX	1024

/*
 * Reads up to a newline or EOF into BUF, a byte at a time so that no
 * stdio buffer keeps a copy. Returns the length, or -1 (err set).
 */
static ssize_t
user_read_line(int fd, char *buf, size_t len, char *err, size_t errlen)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "cannot read the password: %s",
			    strerror(errno));
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (n == len - 1) {
			snprintf(err, errlen, "password longer than %zu bytes",
			    len - 1);
			return -1;
		}
		buf[n++] = c;
	}
	OPENSSL_cleanse(&c, sizeof(c));
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

char *
user_password_stdin(const char *name, char *err, size_t errlen)
{
	struct termios	 old, quiet;
	char		 buf[USER_PASSWORD_MAX];
	char		*hash = NULL;
	ssize_t		 n;
	int		 tty;

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "password for %s: ", name);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = user_read_line(STDIN_FILENO, buf, sizeof(buf), err, errlen);
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n == 0)
		snprintf(err, errlen, "empty password on standard input");
	else if (n > 0 && (hash = passwd_hash(buf)) == NULL)
		snprintf(err, errlen, "cannot hash the password");
	OPENSSL_cleanse(buf, sizeof(buf));
	return hash;
}
