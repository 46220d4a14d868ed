/*
 * fetch_simple: a whole small exchange on top of struct fetch, the
 * response body collected into a buffer capped at creation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "log.h"
#include "net/net_int.h"

struct fetch_simple {
	fetch_simple_cb	 s_cb;
	void		*s_arg;		/* borrowed */
	char		*s_buf;		/* may hold tokens: wiped on free */
	size_t		 s_len;
	size_t		 s_size;
	size_t		 s_max;		/* cap on s_len */
	int		 s_toobig;
};

static void
fetch_simple_free(void *arg)
{
	struct fetch_simple	*s = arg;

	if (s->s_buf != NULL) {
		OPENSSL_cleanse(s->s_buf, s->s_size);
		free(s->s_buf);
	}
	free(s);
}

static int
fetch_simple_header_cb(void *arg, long status, const char *name,
    const char *value)
{
	struct fetch_simple	*s = arg;
	unsigned long long	 n;
	char			*end;

	/* Refuse early what could not fit anyway. */
	if (strcasecmp(name, "Content-Length") == 0) {
		errno = 0;
		n = strtoull(value, &end, 10);
		if (end != value && *end == '\0' &&
		    (errno == ERANGE || n > s->s_max)) {
			s->s_toobig = 1;
			return -1;
		}
	}
	return 0;
}

/* Room for LEN more bytes and the NUL; the old buffer is wiped. */
static int
fetch_simple_grow(struct fetch_simple *s, size_t len)
{
	size_t	 need = s->s_len + len + 1, size;
	char	*buf;

	if (need <= s->s_size)
		return 0;
	/* need <= s_max + 1: the body callback checked the cap. */
	size = s->s_size <= SIZE_MAX / 2 ? s->s_size * 2 : need;
	if (size < 1024)
		size = 1024;
	if (size < need)
		size = need;
	if (s->s_max < SIZE_MAX && size > s->s_max + 1)
		size = s->s_max + 1;
	if ((buf = malloc(size)) == NULL)
		return -1;
	if (s->s_buf != NULL) {
		memcpy(buf, s->s_buf, s->s_len);
		OPENSSL_cleanse(s->s_buf, s->s_size);
		free(s->s_buf);
	}
	s->s_buf = buf;
	s->s_size = size;
	return 0;
}

static int
fetch_simple_body_cb(void *arg, const char *data, size_t len)
{
	struct fetch_simple	*s = arg;

	if (len > s->s_max - s->s_len) {
		s->s_toobig = 1;
		return FETCH_BODY_ABORT;
	}
	if (fetch_simple_grow(s, len) == -1)
		return FETCH_BODY_ABORT;
	memcpy(s->s_buf + s->s_len, data, len);
	s->s_len += len;
	return FETCH_BODY_OK;
}

static void
fetch_simple_done_cb(void *arg, enum fetch_result r, long status,
    const char *detail)
{
	struct fetch_simple	*s = arg;

	if (s->s_toobig) {
		r = FETCH_ERR_TOOBIG;
		detail = fetch_result_str(r);
	}
	if (s->s_buf != NULL)
		s->s_buf[s->s_len] = '\0';
	s->s_cb(s->s_arg, r, status, s->s_buf != NULL ? s->s_buf : "",
	    s->s_len, detail);
}

/* One "Name: value" line as a request header. */
static int
fetch_simple_add_line(struct fetch *f, const char *line)
{
	const char	*colon;
	char		*name;
	int		 rv;

	if ((colon = strchr(line, ':')) == NULL)
		return -1;
	if ((name = strndup(line, colon - line)) == NULL)
		return -1;
	colon++;
	while (*colon == ' ' || *colon == '\t')
		colon++;
	rv = fetch_header(f, name, colon);
	free(name);
	return rv;
}

struct fetch *
fetch_simple(struct net_loop *nl, const char *url, const char *content_type,
    const char *body, const char *const *headers, size_t max_bytes,
    unsigned timeout_ms, const char *ca_file, fetch_simple_cb cb, void *arg)
{
	static const struct fetch_handlers h = {
		.header = fetch_simple_header_cb,
		.body = fetch_simple_body_cb,
		.done = fetch_simple_done_cb,
	};
	struct fetch_simple	*s;
	struct fetch		*f;
	size_t			 i;

	if (cb == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("fetch_simple");
		return NULL;
	}
	s->s_cb = cb;
	s->s_arg = arg;
	s->s_max = max_bytes;
	if ((f = fetch_new(nl, body != NULL ? "POST" : "GET", url, &h, s)) ==
	    NULL) {
		free(s);
		return NULL;
	}
	/* From here on S goes with F, whichever way F ends. */
	fetch_on_free(f, fetch_simple_free, s);
	if (body != NULL && content_type != NULL &&
	    fetch_header(f, "Content-Type", content_type) == -1)
		goto fail;
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		if (fetch_simple_add_line(f, headers[i]) == -1)
			goto fail;
	if (body != NULL && fetch_body(f, body, strlen(body), 1) == -1)
		goto fail;
	fetch_timeouts(f, timeout_ms, timeout_ms, 0);
	if (fetch_ca_file(f, ca_file) == -1 || fetch_start(f) == -1)
		goto fail;
	return f;
 fail:
	log_warnx("fetch_simple: cannot set up the request");
	fetch_cancel(f);
	return NULL;
}
