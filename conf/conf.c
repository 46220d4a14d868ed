/*
 * Loading the configuration file: one inih handler reads every key through
 * the table in conf_keys.c into a fresh struct conf, which is then checked
 * as a whole. The first problem found is reported as "FILE:LINE: reason".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>

#include <ini.h>

#include "log.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

#define CONF_VALUE_SHOWN	80	/* bytes of a bad value quoted back */

/* One conf_load in progress. */
struct conf_parse {
	struct conf	*conf;
	FILE		*fp;
	int		 lineno;	/* of the line the reader handed out */
	int		*seen;		/* per key: the line setting it, or 0 */
	int		 read_errno;
	int		 errline;	/* of the first error; 0: none yet */
	int		 failed;
	char		 err[512];
};

static int __attribute__((format(printf, 3, 4)))
conf_error(struct conf_parse *p, int line, const char *fmt, ...)
{
	va_list	 ap;

	if (p->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->errline = line;
	p->failed = 1;
	return 0;
}

/*
 * inih's line reader (fgets in shape). It counts lines, so the handler
 * knows where it is; stops at the first error; refuses NUL bytes and lines
 * longer than inih's buffer (inih would read the rest as a line of its
 * own); and drops indentation (inih would append an indented line to the
 * value before it).
 */
static char *
conf_read_line(char *str, int num, void *arg)
{
	struct conf_parse	*p = arg;
	size_t			 n = 0, skip;
	int			 ch = EOF;

	if (p->failed)
		return NULL;
	while (n + 1 < (size_t)num && (ch = getc(p->fp)) != EOF) {
		str[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (ferror(p->fp)) {
		p->read_errno = errno;
		return NULL;
	}
	if (n == 0)
		return NULL;
	str[n] = '\0';
	p->lineno++;
	if (memchr(str, '\0', n) != NULL) {
		conf_error(p, p->lineno, "NUL byte in line");
		return NULL;
	}
	if (ch != '\n' && ch != EOF && (ch = getc(p->fp)) != EOF) {
		conf_error(p, p->lineno, "line too long (at most %d characters)",
		    num - 3);
		return NULL;
	}
	skip = strspn(str, " \t");
	memmove(str, str + skip, n - skip + 1);
	return str;
}

static int
conf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_parse	*p = arg;
	const struct conf_key	*k;
	char			 why[256], *v = NULL;
	size_t			 i, n;

	if (*section == '\0')
		return conf_error(p, p->lineno, "key '%s' outside any section",
		    name);
	if (!conf_section_known(section))
		return conf_error(p, p->lineno, "unknown section [%s]",
		    section);
	if ((k = conf_key_byname(section, name)) == NULL)
		return conf_error(p, p->lineno, "unknown key '%s' in [%s]",
		    name, section);
	i = (size_t)(k - conf_keys);
	if (p->seen[i] != 0)
		return conf_error(p, p->lineno, "duplicate key '%s' in [%s] "
		    "(first set on line %d)", k->key, k->section, p->seen[i]);
	p->seen[i] = p->lineno;

	/* key = "value" means value, as most INI readers have it. */
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		if ((v = strndup(value + 1, n - 2)) == NULL)
			return conf_error(p, p->lineno, "out of memory");
		value = v;
	}
	if (conf_value_set(p->conf, k, value, why, sizeof(why)) == -1)
		conf_error(p, p->lineno, "bad value for %s: '%.*s%s' (%s)",
		    k->key, CONF_VALUE_SHOWN, value,
		    strlen(value) > CONF_VALUE_SHOWN ? "..." : "", why);
	free(v);
	return !p->failed;
}

/* The line that set FIELD (a pointer into C), or 0 for a default. */
static int
conf_line_of(const struct conf_parse *p, const void *field)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if ((const char *)p->conf + conf_keys[i].off == field)
			return p->seen[i];
	return 0;
}

/*
 * A key file others can read is refused (httpd check_file_secrecy); group
 * access is left alone for the usual root:ssl-cert 0640. A file that is
 * not there yet is for whoever opens it to report.
 */
static void
conf_check_secrets(struct conf_parse *p)
{
	const char	*path;
	struct stat	 st;

	for (size_t i = 0; i < conf_nkeys && !p->failed; i++) {
		if (!(conf_keys[i].flags & CONF_F_SECRET) ||
		    (path = conf_value_text(p->conf, &conf_keys[i])) == NULL ||
		    stat(path, &st) == -1)
			continue;
		if (st.st_mode & S_IRWXO)
			conf_error(p, p->seen[i], "%s %s is open to others "
			    "(mode %04o); chmod o-rwx %s", conf_keys[i].key,
			    path, (unsigned)(st.st_mode & 07777), path);
	}
}

/* The rules that tie keys together. */
static void
conf_validate(struct conf_parse *p)
{
	const struct conf	*c = p->conf;

	conf_check_secrets(p);
	if (p->failed)
		return;
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		conf_error(p, conf_line_of(p, c->tls_cert ? &c->tls_cert :
		    &c->tls_key), "tls_cert and tls_key go together: set "
		    "both or neither");
	else if (c->client_key_file != NULL && c->client_cert_file == NULL)
		conf_error(p, conf_line_of(p, &c->client_key_file),
		    "client_key_file is set but client_cert_file is not");
	else if (c->client_secret_file != NULL && c->client_cert_file != NULL)
		conf_error(p, conf_line_of(p, &c->client_cert_file),
		    "set client_secret_file or client_cert_file, not both");
	else if (c->listen_port == c->admin_port &&
	    strcmp(c->listen_host, c->admin_host) == 0)
		conf_error(p, MAX(conf_line_of(p, &c->listen_host),
		    conf_line_of(p, &c->admin_host)),
		    "admin_listen is the same address as listen");
}

/* A conf with the table's defaults, or NULL (out of memory). */
static struct conf *
conf_new(void)
{
	struct conf	*c;
	char		 why[256];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (size_t i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].def == NULL)
			continue;
		if (conf_value_set(c, &conf_keys[i], conf_keys[i].def, why,
		    sizeof(why)) == -1) {
			conf_free(c);
			return NULL;
		}
	}
	return c;
}

struct conf *
conf_defaults(void)
{
	struct conf	*c;

	if ((c = conf_new()) == NULL)
		fatalx("conf: cannot build the defaults");
	return c;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf_parse	 p;
	struct conf		*ret = NULL;
	int			 rc;

	memset(&p, 0, sizeof(p));
	if ((p.fp = fopen(path, "r")) == NULL) {
		conf_error(&p, 0, "%s", strerror(errno));
		goto done;
	}
	if ((p.seen = calloc(conf_nkeys, sizeof(*p.seen))) == NULL ||
	    (p.conf = conf_new()) == NULL) {
		conf_error(&p, 0, "out of memory");
		goto done;
	}
	rc = ini_parse_stream(conf_read_line, &p, conf_handler, &p);
	if (rc > 0 && (!p.failed || rc < p.errline)) {
		p.failed = 0;
		conf_error(&p, rc, "expected [section] or key = value");
	} else if (rc == -2)
		conf_error(&p, 0, "out of memory");
	if (p.read_errno != 0)
		conf_error(&p, 0, "%s", strerror(p.read_errno));
	if (!p.failed)
		conf_validate(&p);
	if (!p.failed && (p.conf->path = strdup(path)) == NULL)
		conf_error(&p, 0, "out of memory");
	if (!p.failed) {
		ret = p.conf;
		p.conf = NULL;
	}
done:
	if (p.failed) {
		if (p.errline > 0)
			snprintf(err, errlen, "%s:%d: %s", path, p.errline,
			    p.err);
		else
			snprintf(err, errlen, "%s: %s", path, p.err);
	}
	conf_free(p.conf);
	free(p.seen);
	if (p.fp != NULL)
		fclose(p.fp);
	return ret;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < conf_nkeys; i++)
		conf_value_clear(c, &conf_keys[i]);
	free(c->path);
	free(c);
}

const char *
conf_path(const char *arg)
{
	const char	*env;

	if (arg != NULL && *arg != '\0')
		return arg;
	if ((env = getenv(CONF_ENV)) != NULL && *env != '\0')
		return env;
	return CONF_DEFAULT_PATH;
}

char *
conf_identity_url(const struct conf *c, const char *endpoint)
{
	char	*url;
	int	 n;

	if (c->tenant_id == NULL || *c->tenant_id == '\0' ||
	    c->authority == NULL)
		return NULL;
	n = (int)strlen(c->authority);
	while (n > 0 && c->authority[n - 1] == '/')
		n--;
	if (asprintf(&url, "%.*s/%s/oauth2/v2.0/%s", n, c->authority,
	    c->tenant_id, endpoint) == -1)
		return NULL;
	return url;
}
