/*
 * One outbound HTTP exchange: a curl easy handle on a net_loop, with the
 * response handed to the caller as status, header lines and body bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "log.h"
#include "net/net_int.h"

/* RFC 9110 token: a method or a header name. */
static int
fetch_is_token(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("!#$%&'*+-.^_`|~", s[i]) != NULL))
			return 0;
	return 1;
}

static int
fetch_is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static void
fetch_free(struct fetch *f)
{
	struct net_loop		*nl = f->f_loop;
	struct curl_slist	*l;

	TAILQ_REMOVE(&nl->nl_fetches, f, f_entry);
	if (f->f_on_free != NULL)
		f->f_on_free(f->f_on_free_arg);
	curl_easy_cleanup(f->f_easy);
	/* Request headers may carry a bearer token. */
	for (l = f->f_headers; l != NULL; l = l->next)
		OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(f->f_headers);
	if (f->f_body_copy != NULL) {
		OPENSSL_cleanse(f->f_body_copy, f->f_body_len);
		free(f->f_body_copy);
	}
	free(f->f_method);
	free(f);
}

static void
fetch_leave_multi(struct fetch *f)
{
	struct net_loop	*nl = f->f_loop;

	if (f->f_reaping) {
		TAILQ_REMOVE(&nl->nl_reap, f, f_reap_entry);
		f->f_reaping = 0;
	}
	if (f->f_in_multi) {
		curl_multi_remove_handle(nl->nl_multi, f->f_easy);
		f->f_in_multi = 0;
	}
}

void
fetch_destroy(struct fetch *f)
{
	fetch_leave_multi(f);
	fetch_free(f);
}

void
fetch_finish(struct fetch *f, CURLcode code)
{
	enum fetch_result	 r;
	char			 detail[64 + CURL_ERROR_SIZE];

	fetch_leave_multi(f);
	f->f_state = FETCH_ENDING;
	r = net_result_bycode(code, f->f_aborted);
	if (r == FETCH_OK && !f->f_hdrs_done) {
		f->f_hdrs_done = 1;
		if (f->f_h.headers_done != NULL &&
		    f->f_h.headers_done(f->f_arg, f->f_status) == -1)
			r = FETCH_ERR_ABORTED;
	}
	/* fetch_cancel inside headers_done turns us DEAD: no done(). */
	if (f->f_state == FETCH_ENDING && f->f_h.done != NULL) {
		if (r != FETCH_OK && r != FETCH_ERR_ABORTED &&
		    f->f_errbuf[0] != '\0')
			snprintf(detail, sizeof(detail), "%s: %s",
			    fetch_result_str(r), f->f_errbuf);
		else
			snprintf(detail, sizeof(detail), "%s",
			    fetch_result_str(r));
		f->f_h.done(f->f_arg, r, f->f_status, detail);
	}
	fetch_free(f);
}

void
fetch_on_free(struct fetch *f, void (*fn)(void *), void *arg)
{
	f->f_on_free = fn;
	f->f_on_free_arg = arg;
}

/* "HTTP/1.1 200 OK" or "HTTP/2 200": the code, or -1. */
static long
fetch_parse_status(const char *line, size_t len)
{
	size_t	 i = 5;
	long	 code = 0;
	int	 digits;

	while (i < len && line[i] != ' ')
		i++;
	while (i < len && line[i] == ' ')
		i++;
	for (digits = 0; i < len && digits < 3; i++, digits++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		code = code * 10 + (line[i] - '0');
	}
	if (digits != 3 || (i < len && line[i] != ' '))
		return -1;
	return code;
}

/* One "Name: value" line of a final response to the header handler. */
static int
fetch_header_field(struct fetch *f, const char *line, size_t len)
{
	const char	*colon;
	char		*copy, *name, *value, *end;
	int		 rv;

	/* Obsolete line folding and junk without a colon are dropped. */
	if (fetch_is_ws(line[0]) ||
	    (colon = memchr(line, ':', len)) == NULL || colon == line)
		return 0;
	if (f->f_h.header == NULL)
		return 0;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	name = copy;
	copy[colon - line] = '\0';
	value = copy + (colon - line) + 1;
	while (fetch_is_ws(*value))
		value++;
	end = value + strlen(value);
	while (end > value && fetch_is_ws(end[-1]))
		*--end = '\0';
	rv = f->f_h.header(f->f_arg, f->f_status, name, value);
	free(copy);
	return rv == -1 ? -1 : 0;
}

/* One header line as curl hands it over (with CRLF): 0, or -1 to abort. */
static int
fetch_header_line(struct fetch *f, const char *line, size_t len)
{
	long	 code;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		if ((code = fetch_parse_status(line, len)) == -1)
			return 0;
		/* A new response: 1xx headers are skipped, not passed on. */
		f->f_interim = code >= 100 && code < 200;
		if (!f->f_interim)
			f->f_status = code;
		return 0;
	}
	/* Trailers after the body are not passed on. */
	if (len == 0 || f->f_interim || f->f_hdrs_done || f->f_status == 0)
		return 0;
	return fetch_header_field(f, line, len);
}

static size_t
fetch_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * n;

	if (f->f_state != FETCH_RUNNING)
		return 0;
	if (fetch_header_line(f, buf, len) == -1) {
		f->f_aborted = 1;
		return 0;
	}
	return f->f_state == FETCH_RUNNING ? len : 0;
}

static size_t
fetch_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * n;
	int		 rv = FETCH_BODY_OK;

	if (f->f_state != FETCH_RUNNING)
		return CURL_WRITEFUNC_ERROR;
	if (!f->f_hdrs_done) {
		f->f_hdrs_done = 1;
		if (f->f_h.headers_done != NULL &&
		    f->f_h.headers_done(f->f_arg, f->f_status) == -1)
			rv = FETCH_BODY_ABORT;
		if (f->f_state != FETCH_RUNNING)
			return CURL_WRITEFUNC_ERROR;
	}
	if (rv == FETCH_BODY_OK && f->f_h.body != NULL)
		rv = f->f_h.body(f->f_arg, data, len);
	if (f->f_state != FETCH_RUNNING)
		return CURL_WRITEFUNC_ERROR;
	switch (rv) {
	case FETCH_BODY_OK:
		return len;
	case FETCH_BODY_PAUSE:
		f->f_paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	default:
		f->f_aborted = 1;
		return CURL_WRITEFUNC_ERROR;
	}
}

struct fetch *
fetch_new(struct net_loop *nl, const char *method, const char *url,
    const struct fetch_handlers *h, void *arg)
{
	struct fetch	*f;
	CURL		*e;

	if (nl == NULL || method == NULL || url == NULL || h == NULL ||
	    !fetch_is_token(method, strlen(method))) {
		log_warnx("fetch: bad request method or URL");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warn("fetch");
		return NULL;
	}
	f->f_loop = nl;
	f->f_h = *h;
	f->f_arg = arg;
	f->f_state = FETCH_NEW;
	f->f_id = ++nl->nl_nextid;
	TAILQ_INSERT_TAIL(&nl->nl_fetches, f, f_entry);
	if ((f->f_method = strdup(method)) == NULL ||
	    (f->f_easy = e = curl_easy_init()) == NULL)
		goto fail;
	if (curl_easy_setopt(e, CURLOPT_PRIVATE, f) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->f_errbuf) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) !=
	    CURLE_OK ||
	    /* wait for a multiplexable HTTP/2 connection, not open more */
	    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, f) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, f) != CURLE_OK)
		goto fail;
	if (log_enabled(LOG_LEVEL_DEBUG) &&
	    (curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, net_trace_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_DEBUGDATA, f) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L) != CURLE_OK))
		goto fail;
	return f;
 fail:
	log_warnx("fetch: cannot set up a transfer");
	fetch_free(f);
	return NULL;
}

int
fetch_header(struct fetch *f, const char *name, const char *value)
{
	struct curl_slist	*l;
	char			*line = NULL;
	int			 ret = -1;

	if (f->f_state != FETCH_NEW || name == NULL || value == NULL ||
	    !fetch_is_token(name, strlen(name)) ||
	    strpbrk(value, "\r\n") != NULL)
		goto done;
	/* "Name;" is curl's way to send a header with an empty value. */
	if ((*value == '\0' ? asprintf(&line, "%s;", name) :
	    asprintf(&line, "%s: %s", name, value)) == -1) {
		line = NULL;
		goto done;
	}
	if ((l = curl_slist_append(f->f_headers, line)) == NULL)
		goto done;
	f->f_headers = l;
	/* curl adds these itself unless we do. */
	if (strcasecmp(name, "Content-Type") == 0)
		f->f_has_ctype = 1;
	else if (strcasecmp(name, "Accept") == 0)
		f->f_has_accept = 1;
	ret = 0;
 done:
	if (line != NULL) {
		OPENSSL_cleanse(line, strlen(line));
		free(line);
	}
	return ret;
}

int
fetch_body(struct fetch *f, const void *data, size_t len, int copy)
{
	if (f->f_state != FETCH_NEW || (data == NULL && len > 0))
		return -1;
	if (f->f_body_copy != NULL) {
		OPENSSL_cleanse(f->f_body_copy, f->f_body_len);
		free(f->f_body_copy);
		f->f_body_copy = NULL;
	}
	f->f_body = data;
	if (copy) {
		if ((f->f_body_copy = malloc(len > 0 ? len : 1)) == NULL) {
			f->f_body = NULL;
			f->f_has_body = 0;
			return -1;
		}
		if (len > 0)
			memcpy(f->f_body_copy, data, len);
		f->f_body = f->f_body_copy;
	}
	f->f_body_len = len;
	f->f_has_body = 1;
	return 0;
}

void
fetch_timeouts(struct fetch *f, unsigned connect_ms, unsigned total_ms,
    unsigned idle_ms)
{
	curl_easy_setopt(f->f_easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)connect_ms);
	curl_easy_setopt(f->f_easy, CURLOPT_TIMEOUT_MS, (long)total_ms);
	/* Under 1 byte/s for that long; a paused transfer is exempt. */
	curl_easy_setopt(f->f_easy, CURLOPT_LOW_SPEED_LIMIT,
	    idle_ms > 0 ? 1L : 0L);
	curl_easy_setopt(f->f_easy, CURLOPT_LOW_SPEED_TIME,
	    (long)((idle_ms + 999ULL) / 1000));
}

void
fetch_reuse_max_idle(struct fetch *f, unsigned seconds)
{
	curl_easy_setopt(f->f_easy, CURLOPT_MAXAGE_CONN, (long)seconds);
}

int
fetch_ca_file(struct fetch *f, const char *path)
{
	if (f->f_state != FETCH_NEW)
		return -1;
	char	*system_dir = NULL;

	if (path == NULL)
		return 0;
	if (curl_easy_setopt(f->f_easy, CURLOPT_CAINFO, path) != CURLE_OK)
		return -1;
	/*
	 * Keep trusting the system's CAs too: with OpenSSL, curl uses both
	 * CAINFO and CAPATH. Setting CAPATH also keeps this store out of
	 * curl's shared CA cache, and connections are only reused between
	 * fetches with the same CA settings.
	 */
	if (curl_easy_getinfo(f->f_easy, CURLINFO_CAPATH, &system_dir) ==
	    CURLE_OK && system_dir != NULL &&
	    curl_easy_setopt(f->f_easy, CURLOPT_CAPATH, system_dir) !=
	    CURLE_OK)
		return -1;
	return 0;
}

/* Method, body and the header list, set once just before the start. */
static int
fetch_prepare(struct fetch *f)
{
	CURL		*e = f->f_easy;
	const char	*extra[3];
	size_t		 n = 0, i;
	int		 post = strcmp(f->f_method, "POST") == 0;
	struct curl_slist *l;

	extra[n++] = "Expect:";
	if (!f->f_has_ctype && (f->f_has_body || post))
		extra[n++] = "Content-Type:";
	if (!f->f_has_accept)
		extra[n++] = "Accept:";
	for (i = 0; i < n; i++) {
		if ((l = curl_slist_append(f->f_headers, extra[i])) == NULL)
			return -1;
		f->f_headers = l;
	}
	if (curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->f_headers) !=
	    CURLE_OK)
		return -1;
	/* A custom HEAD would wait for a body that never comes. */
	if (strcmp(f->f_method, "HEAD") == 0) {
		if (f->f_has_body ||
		    curl_easy_setopt(e, CURLOPT_NOBODY, 1L) != CURLE_OK)
			return -1;
		return 0;
	}
	if (f->f_has_body || post) {
		if (curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)f->f_body_len) != CURLE_OK ||
		    curl_easy_setopt(e, CURLOPT_POSTFIELDS,
		    f->f_body != NULL ? f->f_body : "") != CURLE_OK)
			return -1;
	}
	if (post || (strcmp(f->f_method, "GET") == 0 && !f->f_has_body))
		return 0;
	return curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->f_method) ==
	    CURLE_OK ? 0 : -1;
}

int
fetch_start(struct fetch *f)
{
	if (f->f_state != FETCH_NEW || fetch_prepare(f) == -1) {
		log_warnx("fetch %lu: cannot prepare the request", f->f_id);
		return -1;
	}
	if (curl_multi_add_handle(f->f_loop->nl_multi, f->f_easy) !=
	    CURLM_OK) {
		log_warnx("fetch %lu: cannot start", f->f_id);
		return -1;
	}
	f->f_in_multi = 1;
	f->f_state = FETCH_RUNNING;
	return 0;
}

void
fetch_resume(struct fetch *f)
{
	CURLcode	 rc;

	if (f == NULL || f->f_state != FETCH_RUNNING || !f->f_paused)
		return;
	f->f_paused = 0;
	rc = curl_easy_pause(f->f_easy, CURLPAUSE_CONT);
	/*
	 * curl returns a write callback's error from the bytes it held, but
	 * does not end the transfer for it: the reaper does.
	 */
	if (rc != CURLE_OK && f->f_state == FETCH_RUNNING) {
		f->f_reap_code = rc;
		net_loop_reap(f->f_loop, f);
	}
}

void
fetch_cancel(struct fetch *f)
{
	if (f == NULL)
		return;
	switch (f->f_state) {
	case FETCH_NEW:
		fetch_destroy(f);
		break;
	case FETCH_RUNNING:
		f->f_state = FETCH_DEAD;
		net_loop_reap(f->f_loop, f);
		break;
	case FETCH_ENDING:
		/* fetch_finish frees it when the callback returns. */
		f->f_state = FETCH_DEAD;
		break;
	case FETCH_DEAD:
		break;
	}
}
