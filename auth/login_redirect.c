/*
 * What the browser's redirect carries back to `ewsgw login --browser`
 * (office365.md §1.5): `?code=...&state=...` or `?error=...&
 * error_description=AADSTS...`, pasted by the admin or received by the
 * loopback listener; and whether a redirect URI is a loopback one.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "auth/login_int.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Hosts the browser reaches on this machine; the first is what we bind. */
static const struct {
	const char	*name;
	const char	*bind;
} login_loopback_hosts[] = {
	{ "localhost", "127.0.0.1" },
	{ "127.0.0.1", "127.0.0.1" },
};

void
login_redirect_clear(struct login_redirect *r)
{
	auth_secret_free(r->code);
	free(r->state);
	free(r->error);
	free(r->error_description);
	memset(r, 0, sizeof(*r));
}

/* A new copy of Q's NAME, or NULL when absent or empty; -1 out of memory. */
static int
login_redirect_take(struct evkeyvalq *q, const char *name, char **out)
{
	const char	*v = evhttp_find_header(q, name);

	if (v == NULL || *v == '\0')
		return 0;
	return (*out = strdup(v)) != NULL ? 0 : -1;
}

/* The query (or fragment) of a pasted URL: the part after '?' or '#',
 * up to a '#'; a bare "code=..." is a query already. */
static char *
login_redirect_query(const char *s, size_t len)
{
	const char	*q;
	size_t		 n;

	if ((q = memchr(s, '?', len)) != NULL ||
	    (q = memchr(s, '#', len)) != NULL)
		q++;
	else if (strncmp(s, "code=", 5) == 0 || strncmp(s, "error=", 6) == 0)
		q = s;
	else
		return NULL;
	n = len - (size_t)(q - s);
	if (memchr(q, '#', n) != NULL)
		n = (size_t)((const char *)memchr(q, '#', n) - q);
	return strndup(q, n);
}

int
login_redirect_parse(const char *input, struct login_redirect *r)
{
	struct evkeyvalq	 q;
	char			*query = NULL;
	size_t			 len;
	int			 ret = -1;

	memset(r, 0, sizeof(*r));
	TAILQ_INIT(&q);
	while (isspace((unsigned char)*input))
		input++;
	len = strlen(input);
	while (len > 0 && isspace((unsigned char)input[len - 1]))
		len--;
	if (len == 0)
		return -1;
	if ((query = login_redirect_query(input, len)) == NULL) {
		/* a code alone: printable, no spaces or separators */
		for (size_t i = 0; i < len; i++)
			if (!isgraph((unsigned char)input[i]) ||
			    strchr("&=?#/", input[i]) != NULL)
				return -1;
		if ((r->code = strndup(input, len)) == NULL)
			return -1;
		r->bare = 1;
		return 0;
	}
	if (evhttp_parse_query_str(query, &q) == -1 ||
	    login_redirect_take(&q, "code", &r->code) == -1 ||
	    login_redirect_take(&q, "state", &r->state) == -1 ||
	    login_redirect_take(&q, "error", &r->error) == -1 ||
	    login_redirect_take(&q, "error_description",
	    &r->error_description) == -1)
		goto done;
	if (r->code != NULL || r->error != NULL)
		ret = 0;
 done:
	/* the query held the code: wipe evhttp's copies too */
	for (struct evkeyval *kv = TAILQ_FIRST(&q); kv != NULL;
	    kv = TAILQ_NEXT(kv, next))
		explicit_bzero(kv->value, strlen(kv->value));
	evhttp_clear_headers(&q);
	if (query != NULL)
		auth_secret_free(query);
	if (ret == -1)
		login_redirect_clear(r);
	return ret;
}

int
login_loopback(const char *uri, char *host, size_t hostlen, int *port,
    char *path, size_t pathlen)
{
	struct evhttp_uri	*u;
	const char		*scheme, *h, *p;
	int			 ret = 0;

	if ((u = evhttp_uri_parse(uri)) == NULL)
		return 0;
	scheme = evhttp_uri_get_scheme(u);
	h = evhttp_uri_get_host(u);
	p = evhttp_uri_get_path(u);
	if (scheme == NULL || strcasecmp(scheme, "http") != 0 || h == NULL)
		goto done;
	for (size_t i = 0; i < NITEMS(login_loopback_hosts); i++) {
		if (strcasecmp(h, login_loopback_hosts[i].name) != 0)
			continue;
		snprintf(host, hostlen, "%s", login_loopback_hosts[i].bind);
		snprintf(path, pathlen, "%s", p != NULL && *p != '\0' ? p :
		    "/");
		*port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) :
		    0;
		ret = 1;
		break;
	}
 done:
	evhttp_uri_free(u);
	return ret;
}
