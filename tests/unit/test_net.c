/*
 * net/: fetches against servers in this process, on the same event base:
 * an evhttp server for well-behaved exchanges and a scripted raw server
 * (bufferevents) for stalls, interim responses and a large chunked body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/bufferevent_ssl.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "net/net.h"

#define BIG_BYTES		(64u * 1024 * 1024)
#define BIG_CHUNK_BYTES		(64u * 1024)
#define PAUSE_EVERY_BYTES	(1024u * 1024)
#define TEST_TIMEOUT_MS		10000u
#define MAX_PEERS		64

/* One connection to the raw server. */
struct rconn {
	struct tnet		*rc_t;
	struct bufferevent	*rc_bev;
	int			 rc_big;	/* streaming the big body */
	size_t			 rc_sent;
	LIST_ENTRY(rconn)	 rc_entry;
};

struct tnet {
	struct event_base	*base;
	struct evhttp		*http;
	struct evconnlistener	*raw;
	struct net_loop		*nl;
	char			 url[64];	/* evhttp server */
	char			 raw_url[64];	/* raw server */
	LIST_HEAD(, rconn)	 rconns;
	size_t			 big_total;
	uint16_t		 peers[MAX_PEERS];	/* /count peer ports */
	int			 npeers;
	int			 nrequests;
};

/* What one test fetch saw. */
struct tfetch {
	struct tnet		*t;
	struct fetch		*f;
	struct event		*resume_ev;
	struct evbuffer		*hdrs;		/* "name=value\n" lines */
	struct evbuffer		*body;
	int			 nheaders;
	long			 hdr_status;
	int			 hdrs_done;
	int			 hdrs_after_done;
	int			 ndone;
	enum fetch_result	 result;
	long			 status;
	char			 detail[512];
	/* streaming */
	int			 check_pattern;
	size_t			 received;
	size_t			 mismatches;
	int			 body_calls;
	size_t			 pause_every;
	size_t			 since_resume;
	int			 paused;
	int			 just_resumed;
	int			 npauses;
	int			 calls_while_paused;
	size_t			 max_held;	/* re-offered after a resume */
	size_t			 max_call;
	/* misbehaviour on request */
	int			 cancel_in_header;
	int			 cancel_in_body;
	int			 cancel_in_hdrs_done;
	int			 cancel_in_done;
	int			 abort_in_body;
	int			 abort_after_resume;
	int			 cancelled;
	int			 calls_after_cancel;
};

/* evhttp server */

static void
srv_echo(struct tnet *t, struct evhttp_request *req)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const char		*v, *m;
	struct evbuffer		*buf = evbuffer_new();

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:	m = "GET"; break;
	case EVHTTP_REQ_POST:	m = "POST"; break;
	case EVHTTP_REQ_PUT:	m = "PUT"; break;
	case EVHTTP_REQ_DELETE:	m = "DELETE"; break;
	default:		m = "other"; break;
	}
	evhttp_add_header(out, "X-Method", m);
	evhttp_add_header(out, "X-One", "1");
	evhttp_add_header(out, "X-Two", "  two words  ");
	v = evhttp_find_header(in, "X-Req");
	evhttp_add_header(out, "X-Req-Echo", v != NULL ? v : "none");
	v = evhttp_find_header(in, "Content-Type");
	evhttp_add_header(out, "X-CT", v != NULL ? v : "none");
	v = evhttp_find_header(in, "Expect");
	evhttp_add_header(out, "X-Expect", v != NULL ? v : "none");
	evbuffer_add_buffer(buf, evhttp_request_get_input_buffer(req));
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}

static void
srv_count(struct tnet *t, struct evhttp_request *req)
{
	char		*addr;
	ev_uint16_t	 port;
	int		 i;

	evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr,
	    &port);
	for (i = 0; i < t->npeers; i++)
		if (t->peers[i] == port)
			break;
	if (i == t->npeers && t->npeers < MAX_PEERS)
		t->peers[t->npeers++] = port;
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
srv_cb(struct evhttp_request *req, void *arg)
{
	struct tnet	*t = arg;
	const char	*uri = evhttp_request_get_uri(req);
	struct evbuffer	*buf;

	t->nrequests++;
	if (uri != NULL && strcmp(uri, "/echo") == 0)
		srv_echo(t, req);
	else if (uri != NULL && strcmp(uri, "/count") == 0)
		srv_count(t, req);
	else {
		buf = evbuffer_new();
		evbuffer_add_printf(buf, "nope");
		evhttp_send_reply(req, 404, "Not Found", buf);
		evbuffer_free(buf);
	}
}

/* raw server */

static void
rconn_free(struct rconn *rc)
{
	LIST_REMOVE(rc, rc_entry);
	bufferevent_free(rc->rc_bev);
	free(rc);
}

static void
rconn_big_more(struct rconn *rc)
{
	struct evbuffer	*out = bufferevent_get_output(rc->rc_bev);
	unsigned char	 chunk[BIG_CHUNK_BYTES];
	size_t		 n, i;

	if (rc->rc_sent >= rc->rc_t->big_total) {
		evbuffer_add_printf(out, "0\r\n\r\n");
		rc->rc_big = 0;
		return;
	}
	n = rc->rc_t->big_total - rc->rc_sent;
	if (n > sizeof(chunk))
		n = sizeof(chunk);
	for (i = 0; i < n; i++)
		chunk[i] = (rc->rc_sent + i) % 251;
	evbuffer_add_printf(out, "%zx\r\n", n);
	evbuffer_add(out, chunk, n);
	evbuffer_add_printf(out, "\r\n");
	rc->rc_sent += n;
}

static void
rconn_write_cb(struct bufferevent *bev, void *arg)
{
	struct rconn	*rc = arg;

	if (rc->rc_big)
		rconn_big_more(rc);
}

/* Scripted answers, by path. */
static void
rconn_answer(struct rconn *rc, const char *path)
{
	struct evbuffer	*out = bufferevent_get_output(rc->rc_bev);

	if (strcmp(path, "/hang") == 0)
		return;
	if (strcmp(path, "/stall") == 0)
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 100\r\n\r\nhello");
	else if (strcmp(path, "/interim") == 0)
		evbuffer_add_printf(out, "HTTP/1.1 100 Continue\r\n"
		    "X-Interim: 1\r\n\r\n"
		    "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
		    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n"
		    "X-Final:\tyes \r\nX-Empty:\r\n\r\nok");
	else if (strcmp(path, "/trailer") == 0)
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\nTrailer: X-Trail\r\n\r\n"
		    "2\r\nok\r\n0\r\nX-Trail: t\r\n\r\n");
	else if (strcmp(path, "/empty") == 0)
		evbuffer_add_printf(out, "HTTP/1.1 204 No Content\r\n"
		    "X-Empty-Body: 1\r\n\r\n");
	else if (strcmp(path, "/big") == 0) {
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n");
		rc->rc_big = 1;
		rc->rc_sent = 0;
		rconn_big_more(rc);
	} else
		evbuffer_add_printf(out, "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\n\r\n");
}

static void
rconn_read_cb(struct bufferevent *bev, void *arg)
{
	struct rconn		*rc = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 end;
	char			*line, path[128];

	for (;;) {
		end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (end.pos == -1)
			return;
		line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF);
		evbuffer_drain(in, end.pos + 4 - (line ? strlen(line) + 2 :
		    0));
		if (line == NULL || sscanf(line, "%*s %127s", path) != 1)
			strcpy(path, "/");
		free(line);
		rconn_answer(rc, path);
	}
}

static void
rconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		rconn_free(arg);
}

static void
raw_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct tnet	*t = arg;
	struct rconn	*rc;

	rc = calloc(1, sizeof(*rc));
	assert_non_null(rc);
	rc->rc_t = t;
	rc->rc_bev = bufferevent_socket_new(t->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(rc->rc_bev);
	LIST_INSERT_HEAD(&t->rconns, rc, rc_entry);
	bufferevent_setcb(rc->rc_bev, rconn_read_cb, rconn_write_cb,
	    rconn_event_cb, rc);
	bufferevent_enable(rc->rc_bev, EV_READ | EV_WRITE);
}

/* TLS in front of the raw server: ARG is the struct tls_srv. */
struct tls_srv {
	struct tnet		*t;
	SSL_CTX			*ctx;
};

static void
tls_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct tls_srv	*ts = arg;
	struct tnet	*t = ts->t;
	struct rconn	*rc;
	SSL		*ssl;

	rc = calloc(1, sizeof(*rc));
	assert_non_null(rc);
	assert_non_null(ssl = SSL_new(ts->ctx));
	rc->rc_t = t;
	rc->rc_bev = bufferevent_openssl_socket_new(t->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(rc->rc_bev);
	LIST_INSERT_HEAD(&t->rconns, rc, rc_entry);
	bufferevent_setcb(rc->rc_bev, rconn_read_cb, rconn_write_cb,
	    rconn_event_cb, rc);
	bufferevent_enable(rc->rc_bev, EV_READ | EV_WRITE);
}

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A self-signed certificate for 127.0.0.1; the PEM goes to PATH. */
static SSL_CTX *
tls_ctx_new(char *path)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	SSL_CTX		*ctx;
	FILE		*fp;
	int		 fd;

	assert_non_null(key = EVP_EC_gen("P-256"));
	assert_non_null(x = X509_new());
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"ewsgw test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(x, NID_subject_alt_name, "IP:127.0.0.1");
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	assert_non_null(ctx = SSL_CTX_new(TLS_server_method()));
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static uint16_t
fd_port(evutil_socket_t fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

static int
setup(void **state)
{
	struct tnet			*t;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;

	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	LIST_INIT(&t->rconns);
	t->big_total = BIG_BYTES;
	assert_non_null(t->base = event_base_new());
	assert_non_null(t->http = evhttp_new(t->base));
	evhttp_set_gencb(t->http, srv_cb, t);
	bs = evhttp_bind_socket_with_handle(t->http, "127.0.0.1", 0);
	assert_non_null(bs);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%u",
	    fd_port(evhttp_bound_socket_get_fd(bs)));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->raw = evconnlistener_new_bind(t->base, raw_accept_cb, t,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	assert_non_null(t->raw);
	snprintf(t->raw_url, sizeof(t->raw_url), "http://127.0.0.1:%u",
	    fd_port(evconnlistener_get_fd(t->raw)));
	assert_non_null(t->nl = net_loop_new(t->base));
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tnet	*t = *state;
	struct rconn	*rc;

	net_loop_free(t->nl);
	while ((rc = LIST_FIRST(&t->rconns)) != NULL)
		rconn_free(rc);
	evconnlistener_free(t->raw);
	evhttp_free(t->http);
	event_base_free(t->base);
	free(t);
	return 0;
}

/* running the loop */

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	*(int *)arg = 1;
}

/* Runs the loop until *FLAG or MS pass; returns the ms taken. */
static long
run_until(struct tnet *t, const int *flag, unsigned ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 }, a, b;
	struct event	*ev;
	int		 expired = 0;

	gettimeofday(&a, NULL);
	ev = evtimer_new(t->base, deadline_cb, &expired);
	evtimer_add(ev, &tv);
	while (!*flag && !expired)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(ev);
	gettimeofday(&b, NULL);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_usec - a.tv_usec) / 1000;
}

static void
run_for(struct tnet *t, unsigned ms)
{
	int	 never = 0;

	run_until(t, &never, ms);
}

/* the test client */

static int
tf_header_cb(void *arg, long status, const char *name, const char *value)
{
	struct tfetch	*tf = arg;

	if (tf->cancelled)
		tf->calls_after_cancel++;
	if (tf->hdrs_done)
		tf->hdrs_after_done++;
	tf->nheaders++;
	tf->hdr_status = status;
	evbuffer_add_printf(tf->hdrs, "%s=%s\n", name, value);
	if (tf->cancel_in_header) {
		fetch_cancel(tf->f);
		tf->cancelled = 1;
	}
	return 0;
}

static int
tf_headers_done_cb(void *arg, long status)
{
	struct tfetch	*tf = arg;

	if (tf->cancelled)
		tf->calls_after_cancel++;
	tf->hdrs_done++;
	if (tf->cancel_in_hdrs_done) {
		fetch_cancel(tf->f);
		tf->cancelled = 1;
	}
	return 0;
}

static void
tf_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tfetch	*tf = arg;

	tf->paused = 0;
	tf->just_resumed = 1;
	tf->since_resume = 0;
	fetch_resume(tf->f);
}

static int
tf_body_cb(void *arg, const char *data, size_t len)
{
	struct tfetch	*tf = arg;
	struct timeval	 tv = { 0, 1000 };
	size_t		 i;

	if (tf->cancelled)
		tf->calls_after_cancel++;
	if (tf->paused)
		tf->calls_while_paused++;
	tf->body_calls++;
	if (len > tf->max_call)
		tf->max_call = len;
	if (tf->just_resumed) {
		tf->just_resumed = 0;
		if (len > tf->max_held)
			tf->max_held = len;
		if (tf->abort_after_resume)
			return FETCH_BODY_ABORT;
	}
	if (tf->cancel_in_body) {
		fetch_cancel(tf->f);
		tf->cancelled = 1;
		return FETCH_BODY_OK;
	}
	if (tf->abort_in_body)
		return FETCH_BODY_ABORT;
	if (tf->pause_every > 0 && tf->since_resume >= tf->pause_every) {
		tf->paused = 1;
		tf->npauses++;
		evtimer_add(tf->resume_ev, &tv);
		return FETCH_BODY_PAUSE;
	}
	if (tf->check_pattern) {
		for (i = 0; i < len; i++)
			if ((unsigned char)data[i] !=
			    (tf->received + i) % 251)
				tf->mismatches++;
	} else
		evbuffer_add(tf->body, data, len);
	tf->received += len;
	tf->since_resume += len;
	return FETCH_BODY_OK;
}

static void
tf_done_cb(void *arg, enum fetch_result r, long status, const char *detail)
{
	struct tfetch	*tf = arg;

	if (tf->cancelled)
		tf->calls_after_cancel++;
	tf->ndone++;
	tf->result = r;
	tf->status = status;
	snprintf(tf->detail, sizeof(tf->detail), "%s", detail);
	if (tf->cancel_in_done)
		fetch_cancel(tf->f);
	tf->f = NULL;
}

static const struct fetch_handlers tf_handlers = {
	.header = tf_header_cb,
	.headers_done = tf_headers_done_cb,
	.body = tf_body_cb,
	.done = tf_done_cb,
};

static void
tf_init(struct tfetch *tf, struct tnet *t)
{
	memset(tf, 0, sizeof(*tf));
	tf->t = t;
	tf->hdrs = evbuffer_new();
	tf->body = evbuffer_new();
	tf->resume_ev = evtimer_new(t->base, tf_resume_cb, tf);
	tf->result = -1;
}

static void
tf_clean(struct tfetch *tf)
{
	evbuffer_free(tf->hdrs);
	evbuffer_free(tf->body);
	event_free(tf->resume_ev);
}

/* A new fetch of BASE PATH, not started. */
static struct fetch *
tf_new(struct tfetch *tf, const char *method, const char *base,
    const char *path)
{
	char	 url[256];

	snprintf(url, sizeof(url), "%s%s", base, path);
	tf->f = fetch_new(tf->t->nl, method, url, &tf_handlers, tf);
	assert_non_null(tf->f);
	fetch_timeouts(tf->f, TEST_TIMEOUT_MS, TEST_TIMEOUT_MS, 0);
	return tf->f;
}

static void
tf_run(struct tfetch *tf)
{
	assert_int_equal(fetch_start(tf->f), 0);
	run_until(tf->t, &tf->ndone, TEST_TIMEOUT_MS + 2000);
	assert_int_equal(tf->ndone, 1);
}

/* Waits for TF's cancel, then checks that no callback followed it. */
static void
tf_wait_cancelled(struct tfetch *tf)
{
	run_until(tf->t, &tf->cancelled, 5000);
	assert_true(tf->cancelled);
	run_for(tf->t, 100);
	assert_int_equal(tf->calls_after_cancel, 0);
	assert_int_equal(tf->ndone, 0);
}

/* Header NAME's value as the handler saw it, or NULL (static buffer). */
static const char *
tf_hdr(struct tfetch *tf, const char *name)
{
	static char	 val[256];
	char		 key[128], *s, *p, *e;
	size_t		 len = evbuffer_get_length(tf->hdrs);

	s = calloc(1, len + 1);
	evbuffer_copyout(tf->hdrs, s, len);
	snprintf(key, sizeof(key), "%s=", name);
	for (p = s; p != NULL && *p != '\0'; p = e ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (strncasecmp(p, key, strlen(key)) == 0) {
			snprintf(val, sizeof(val), "%.*s",
			    (int)((e ? e : p + strlen(p)) - p - strlen(key)),
			    p + strlen(key));
			free(s);
			return val;
		}
	}
	free(s);
	return NULL;
}

static char *
tf_body_str(struct tfetch *tf)
{
	static char	 buf[4096];
	size_t		 n = evbuffer_get_length(tf->body);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	evbuffer_copyout(tf->body, buf, n);
	buf[n] = '\0';
	return buf;
}

/* tests */

static void
test_get(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->url, "/echo");
	assert_int_equal(fetch_header(tf.f, "X-Req", "abc"), 0);
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_int_equal(tf.status, 200);
	assert_string_equal(tf.detail, fetch_result_str(FETCH_OK));
	assert_int_equal(tf.hdr_status, 200);
	assert_int_equal(tf.hdrs_done, 1);
	assert_int_equal(tf.hdrs_after_done, 0);
	assert_string_equal(tf_hdr(&tf, "X-Method"), "GET");
	assert_string_equal(tf_hdr(&tf, "X-One"), "1");
	assert_string_equal(tf_hdr(&tf, "X-Two"), "two words");
	assert_string_equal(tf_hdr(&tf, "X-Req-Echo"), "abc");
	assert_string_equal(tf_hdr(&tf, "X-CT"), "none");
	assert_string_equal(tf_hdr(&tf, "Content-Length"), "0");
	assert_int_equal(tf.received, 0);
	tf_clean(&tf);
}

static void
test_post(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	char		 body[] = "hello, world";
	int		 copy;

	for (copy = 0; copy <= 1; copy++) {
		tf_init(&tf, t);
		tf_new(&tf, "POST", t->url, "/echo");
		assert_int_equal(fetch_header(tf.f, "Content-Type",
		    "text/xml; charset=utf-8"), 0);
		assert_int_equal(fetch_body(tf.f, body, strlen(body), copy),
		    0);
		tf_run(&tf);
		assert_int_equal(tf.result, FETCH_OK);
		assert_int_equal(tf.status, 200);
		assert_string_equal(tf_hdr(&tf, "X-Method"), "POST");
		assert_string_equal(tf_hdr(&tf, "X-CT"),
		    "text/xml; charset=utf-8");
		assert_string_equal(tf_hdr(&tf, "X-Expect"), "none");
		assert_string_equal(tf_body_str(&tf), body);
		tf_clean(&tf);
	}
}

/* A big body must not bring 100-continue, nor curl's form type. */
static void
test_post_large_put(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	size_t		 len = 3u * 1024 * 1024;
	char		*body = malloc(len);

	assert_non_null(body);
	memset(body, 'x', len);
	tf_init(&tf, t);
	tf_new(&tf, "PUT", t->url, "/echo");
	assert_int_equal(fetch_body(tf.f, body, len, 1), 0);
	memset(body, 'y', len);		/* the copy is what goes */
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_string_equal(tf_hdr(&tf, "X-Method"), "PUT");
	assert_string_equal(tf_hdr(&tf, "X-Expect"), "none");
	assert_string_equal(tf_hdr(&tf, "X-CT"), "none");
	assert_int_equal(tf.received, len);
	assert_int_equal(evbuffer_get_length(tf.body), len);
	assert_non_null(evbuffer_pullup(tf.body, -1));
	assert_int_equal(*(char *)evbuffer_pullup(tf.body, -1), 'x');
	tf_clean(&tf);
	free(body);
}

static void
test_status_404(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->url, "/missing");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_int_equal(tf.status, 404);
	assert_int_equal(tf.hdr_status, 404);
	assert_string_equal(tf_body_str(&tf), "nope");
	tf_clean(&tf);
}

static void
test_interim_skipped(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->raw_url, "/interim");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_int_equal(tf.status, 201);
	assert_null(tf_hdr(&tf, "X-Interim"));
	assert_null(tf_hdr(&tf, "Link"));
	assert_string_equal(tf_hdr(&tf, "X-Final"), "yes");
	assert_string_equal(tf_hdr(&tf, "X-Empty"), "");
	assert_int_equal(tf.nheaders, 3);
	assert_string_equal(tf_body_str(&tf), "ok");
	tf_clean(&tf);
}

static void
test_trailer_and_empty(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->raw_url, "/trailer");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_string_equal(tf_body_str(&tf), "ok");
	assert_null(tf_hdr(&tf, "X-Trail"));
	assert_int_equal(tf.hdrs_after_done, 0);
	tf_clean(&tf);

	/* No body: headers_done still runs, once, before done. */
	tf_init(&tf, t);
	tf_new(&tf, "GET", t->raw_url, "/empty");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_OK);
	assert_int_equal(tf.status, 204);
	assert_int_equal(tf.hdrs_done, 1);
	assert_string_equal(tf_hdr(&tf, "X-Empty-Body"), "1");
	assert_int_equal(tf.body_calls, 0);
	tf_clean(&tf);
}

static void
test_big_paused(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf.check_pattern = 1;
	tf.pause_every = PAUSE_EVERY_BYTES;
	tf_new(&tf, "GET", t->raw_url, "/big");
	fetch_timeouts(tf.f, 5000, 120000, 5000);
	assert_int_equal(fetch_start(tf.f), 0);
	run_until(t, &tf.ndone, 120000);
	assert_int_equal(tf.ndone, 1);
	assert_int_equal(tf.result, FETCH_OK);
	assert_int_equal(tf.received, BIG_BYTES);
	assert_int_equal(tf.mismatches, 0);
	assert_int_equal(tf.calls_while_paused, 0);
	assert_true(tf.npauses >= (int)(BIG_BYTES / PAUSE_EVERY_BYTES) - 1);
	/* What curl held for us while paused, offered again on resume. */
	assert_true(tf.max_held <= 64 * 1024);
	print_message("big: %zu bytes, %d pauses, held at most %zu bytes "
	    "while paused, largest call %zu\n", tf.received, tf.npauses,
	    tf.max_held, tf.max_call);
	tf_clean(&tf);
}

static void
test_abort_after_resume(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf.check_pattern = 1;
	tf.pause_every = 1;
	tf.abort_after_resume = 1;
	tf_new(&tf, "GET", t->raw_url, "/big");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_ABORTED);
	assert_int_equal(tf.status, 200);
	assert_int_equal(tf.npauses, 1);
	tf_clean(&tf);
}

static void
test_abort_in_body(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	tf_init(&tf, t);
	tf.abort_in_body = 1;
	tf_new(&tf, "GET", t->raw_url, "/big");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_ABORTED);
	assert_int_equal(tf.body_calls, 1);
	run_for(t, 50);
	assert_int_equal(tf.ndone, 1);
	tf_clean(&tf);
}

static void
test_connect_refused(void **state)
{
	struct tnet		*t = *state;
	struct tfetch		 tf;
	struct sockaddr_in	 sin;
	char			 base[64];
	int			 fd;

	/* A port that was just free: nothing listens there. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", fd_port(fd));
	close(fd);

	tf_init(&tf, t);
	tf_new(&tf, "GET", base, "/");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_CONNECT);
	assert_int_equal(tf.status, 0);
	assert_int_equal(tf.hdrs_done, 0);
	assert_true(strncmp(tf.detail, fetch_result_str(FETCH_ERR_CONNECT),
	    strlen(fetch_result_str(FETCH_ERR_CONNECT))) == 0);
	tf_clean(&tf);
}

static void
test_total_timeout(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	long		 ms;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->raw_url, "/hang");
	fetch_timeouts(tf.f, 1000, 300, 0);
	assert_int_equal(fetch_start(tf.f), 0);
	ms = run_until(t, &tf.ndone, 5000);
	assert_int_equal(tf.ndone, 1);
	assert_int_equal(tf.result, FETCH_ERR_TIMEOUT);
	assert_true(ms >= 290 && ms < 2000);
	assert_int_equal(tf.status, 0);
	tf_clean(&tf);
}

static void
test_idle_timeout(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	long		 ms;

	tf_init(&tf, t);
	tf_new(&tf, "GET", t->raw_url, "/stall");
	fetch_timeouts(tf.f, 1000, 0, 1000);
	assert_int_equal(fetch_start(tf.f), 0);
	ms = run_until(t, &tf.ndone, 8000);
	assert_int_equal(tf.ndone, 1);
	assert_int_equal(tf.result, FETCH_ERR_TIMEOUT);
	assert_int_equal(tf.status, 200);
	assert_string_equal(tf_body_str(&tf), "hello");
	print_message("idle: %ld ms\n", ms);
	assert_true(ms >= 900 && ms < 8000);
	tf_clean(&tf);
}

static void
test_cancel_in_callbacks(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;

	/* From the body callback, mid-stream. */
	tf_init(&tf, t);
	tf.cancel_in_body = 1;
	tf_new(&tf, "GET", t->raw_url, "/big");
	assert_int_equal(fetch_start(tf.f), 0);
	tf_wait_cancelled(&tf);
	assert_int_equal(tf.body_calls, 1);
	tf_clean(&tf);

	/* From the header callback. */
	tf_init(&tf, t);
	tf.cancel_in_header = 1;
	tf_new(&tf, "GET", t->url, "/echo");
	assert_int_equal(fetch_start(tf.f), 0);
	tf_wait_cancelled(&tf);
	assert_int_equal(tf.nheaders, 1);
	tf_clean(&tf);

	/* From headers_done, before a body and with no body at all. */
	tf_init(&tf, t);
	tf.cancel_in_hdrs_done = 1;
	tf_new(&tf, "GET", t->url, "/echo");
	assert_int_equal(fetch_body(tf.f, "abc", 3, 0), 0);
	assert_int_equal(fetch_start(tf.f), 0);
	tf_wait_cancelled(&tf);
	assert_int_equal(tf.body_calls, 0);
	tf_clean(&tf);

	tf_init(&tf, t);
	tf.cancel_in_hdrs_done = 1;
	tf_new(&tf, "GET", t->raw_url, "/empty");
	assert_int_equal(fetch_start(tf.f), 0);
	tf_wait_cancelled(&tf);
	assert_int_equal(tf.hdrs_done, 1);
	tf_clean(&tf);

	/* From done: a no-op. */
	tf_init(&tf, t);
	tf.cancel_in_done = 1;
	tf_new(&tf, "GET", t->url, "/echo");
	tf_run(&tf);
	run_for(t, 50);
	assert_int_equal(tf.ndone, 1);
	tf_clean(&tf);
}

static void
cancel_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tfetch	*tf = arg;

	fetch_cancel(tf->f);
	tf->cancelled = 1;
}

static void
test_cancel_outside(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	struct timeval	 tv = { 0, 30000 };
	struct event	*ev;
	struct fetch	*f;

	/* While streaming. */
	tf_init(&tf, t);
	tf.check_pattern = 1;
	t->big_total = 1024u * 1024 * 1024;
	tf_new(&tf, "GET", t->raw_url, "/big");
	assert_int_equal(fetch_start(tf.f), 0);
	ev = evtimer_new(t->base, cancel_cb, &tf);
	evtimer_add(ev, &tv);
	tf_wait_cancelled(&tf);
	assert_true(tf.received > 0);
	event_free(ev);
	tf_clean(&tf);

	/* While paused. */
	tf_init(&tf, t);
	tf.pause_every = 1;
	tf.check_pattern = 1;
	tf_new(&tf, "GET", t->raw_url, "/big");
	assert_int_equal(fetch_start(tf.f), 0);
	run_until(t, &tf.paused, 5000);
	assert_true(tf.paused);
	event_del(tf.resume_ev);
	fetch_cancel(tf.f);
	tf.cancelled = 1;
	tf_wait_cancelled(&tf);
	tf_clean(&tf);

	/* Before it starts, and twice from the loop: freed, no callback. */
	tf_init(&tf, t);
	f = tf_new(&tf, "GET", t->url, "/echo");
	fetch_cancel(f);
	fetch_cancel(NULL);
	tf_clean(&tf);
}

static void
test_free_loop_running(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf, tf2;

	tf_init(&tf, t);
	tf_init(&tf2, t);
	tf_new(&tf, "GET", t->raw_url, "/hang");
	assert_int_equal(fetch_start(tf.f), 0);
	tf2.pause_every = 1;
	tf2.check_pattern = 1;
	tf_new(&tf2, "GET", t->raw_url, "/big");
	assert_int_equal(fetch_start(tf2.f), 0);
	run_until(t, &tf2.paused, 5000);
	event_del(tf2.resume_ev);
	tf_new(&tf, "GET", t->url, "/echo");	/* never started */
	net_loop_free(t->nl);
	t->nl = NULL;
	run_for(t, 50);
	assert_int_equal(tf.ndone + tf2.ndone, 0);
	tf_clean(&tf);
	tf_clean(&tf2);
}

struct simple_res {
	int			 ndone;
	enum fetch_result	 result;
	long			 status;
	char			 body[256];
	size_t			 len;
	int			 nul;
};

static void
simple_cb(void *arg, enum fetch_result r, long status, const char *body,
    size_t len, const char *detail)
{
	struct simple_res	*sr = arg;

	sr->ndone++;
	sr->result = r;
	sr->status = status;
	sr->len = len;
	sr->nul = body[len] == '\0';
	snprintf(sr->body, sizeof(sr->body), "%s", body);
}

static void
test_simple(void **state)
{
	struct tnet		*t = *state;
	struct simple_res	 sr;
	const char		*hdrs[] = { "X-Req: from simple", NULL };
	char			 url[128], body[64];
	struct fetch		*f;

	memset(&sr, 0, sizeof(sr));
	snprintf(url, sizeof(url), "%s/echo", t->url);
	strcpy(body, "grant_type=secret");
	f = fetch_simple(t->nl, url, "application/x-www-form-urlencoded",
	    body, hdrs, 1024, 5000, NULL, simple_cb, &sr);
	assert_non_null(f);
	memset(body, 0, sizeof(body));
	run_until(t, &sr.ndone, 6000);
	assert_int_equal(sr.ndone, 1);
	assert_int_equal(sr.result, FETCH_OK);
	assert_int_equal(sr.status, 200);
	assert_string_equal(sr.body, "grant_type=secret");
	assert_int_equal(sr.len, strlen("grant_type=secret"));
	assert_true(sr.nul);

	/* GET with nothing to collect: "" and 0. */
	memset(&sr, 0, sizeof(sr));
	f = fetch_simple(t->nl, url, NULL, NULL, NULL, 1024, 5000, NULL,
	    simple_cb, &sr);
	assert_non_null(f);
	run_until(t, &sr.ndone, 6000);
	assert_int_equal(sr.result, FETCH_OK);
	assert_int_equal(sr.len, 0);
	assert_true(sr.nul);

	/* Cancelled: no callback, state freed with the fetch. */
	memset(&sr, 0, sizeof(sr));
	f = fetch_simple(t->nl, url, NULL, NULL, NULL, 1024, 5000, NULL,
	    simple_cb, &sr);
	fetch_cancel(f);
	run_for(t, 50);
	assert_int_equal(sr.ndone, 0);

	/* Bad header line. */
	hdrs[0] = "no colon";
	assert_null(fetch_simple(t->nl, url, NULL, NULL, hdrs, 1024, 5000,
	    NULL, simple_cb, &sr));
}

static void
test_simple_toobig(void **state)
{
	struct tnet		*t = *state;
	struct simple_res	 sr;
	char			 url[128], *body;

	/* Chunked: caught in the body. */
	memset(&sr, 0, sizeof(sr));
	snprintf(url, sizeof(url), "%s/big", t->raw_url);
	assert_non_null(fetch_simple(t->nl, url, NULL, NULL, NULL, 1000,
	    5000, NULL, simple_cb, &sr));
	run_until(t, &sr.ndone, 6000);
	assert_int_equal(sr.ndone, 1);
	assert_int_equal(sr.result, FETCH_ERR_TOOBIG);

	/* With a Content-Length: caught in the headers. */
	memset(&sr, 0, sizeof(sr));
	snprintf(url, sizeof(url), "%s/echo", t->url);
	body = calloc(1, 5000);
	memset(body, 'z', 4999);
	assert_non_null(fetch_simple(t->nl, url, "text/plain", body, NULL,
	    4998, 5000, NULL, simple_cb, &sr));
	free(body);
	run_until(t, &sr.ndone, 6000);
	assert_int_equal(sr.ndone, 1);
	assert_int_equal(sr.result, FETCH_ERR_TOOBIG);
	assert_int_equal(sr.status, 200);
}

#define NCONCURRENT	50

static void
test_concurrent(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf[NCONCURRENT];
	char		 body[NCONCURRENT][32];
	int		 i, ndone = 0, all = 0;
	struct timeval	 a, b;

	gettimeofday(&a, NULL);
	for (i = 0; i < NCONCURRENT; i++) {
		tf_init(&tf[i], t);
		tf_new(&tf[i], "POST", t->url, "/echo");
		snprintf(body[i], sizeof(body[i]), "body %d", i);
		assert_int_equal(fetch_body(tf[i].f, body[i],
		    strlen(body[i]), 0), 0);
		assert_int_equal(fetch_start(tf[i].f), 0);
	}
	while (!all) {
		run_for(t, 10);
		for (ndone = 0, i = 0; i < NCONCURRENT; i++)
			ndone += tf[i].ndone;
		gettimeofday(&b, NULL);
		all = ndone == NCONCURRENT || b.tv_sec - a.tv_sec > 10;
	}
	for (i = 0; i < NCONCURRENT; i++) {
		assert_int_equal(tf[i].ndone, 1);
		assert_int_equal(tf[i].result, FETCH_OK);
		assert_string_equal(tf_body_str(&tf[i]), body[i]);
		tf_clean(&tf[i]);
	}
}

static void
test_reuse(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	int		 i;

	for (i = 0; i < 5; i++) {
		tf_init(&tf, t);
		tf_new(&tf, "GET", t->url, "/count");
		tf_run(&tf);
		assert_int_equal(tf.result, FETCH_OK);
		tf_clean(&tf);
	}
	assert_int_equal(t->nrequests, 5);
	assert_int_equal(t->npeers, 1);
}

static void
test_bad_input(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	struct fetch	*f;

	tf_init(&tf, t);
	assert_null(fetch_new(t->nl, "GE T", "http://x/", &tf_handlers,
	    &tf));
	f = tf_new(&tf, "GET", t->url, "/echo");
	assert_int_equal(fetch_header(f, "X-A", "a\r\nX-B: b"), -1);
	assert_int_equal(fetch_header(f, "X A", "a"), -1);
	assert_int_equal(fetch_header(f, "", "a"), -1);
	assert_int_equal(fetch_body(f, NULL, 3, 0), -1);
	assert_int_equal(fetch_start(f), 0);
	assert_int_equal(fetch_start(f), -1);
	assert_int_equal(fetch_header(f, "X-Late", "a"), -1);
	run_until(t, &tf.ndone, 5000);
	assert_int_equal(tf.result, FETCH_OK);
	assert_string_equal(fetch_result_str(FETCH_ERR_TIMEOUT), "timed out");
	assert_string_equal(fetch_result_str(99), "unknown");
	tf_clean(&tf);
}

static void
test_tls(void **state)
{
	struct tnet		*t = *state;
	struct tfetch		 tf;
	struct tls_srv		 ts;
	struct evconnlistener	*l;
	struct sockaddr_in	 sin;
	char			 pem[] = "/tmp/test_net_ca.XXXXXX", base[64];
	int			 i;

	ts.t = t;
	ts.ctx = tls_ctx_new(pem);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = evconnlistener_new_bind(t->base, tls_accept_cb, &ts,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	assert_non_null(l);
	snprintf(base, sizeof(base), "https://127.0.0.1:%u",
	    fd_port(evconnlistener_get_fd(l)));

	/* Not trusted by the system bundle. */
	tf_init(&tf, t);
	tf_new(&tf, "GET", base, "/interim");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_TLS);
	assert_int_equal(tf.status, 0);
	tf_clean(&tf);

	/* Trusted with its certificate as the CA file, twice over. */
	for (i = 0; i < 2; i++) {
		tf_init(&tf, t);
		tf_new(&tf, "GET", base, "/interim");
		assert_int_equal(fetch_ca_file(tf.f, pem), 0);
		tf_run(&tf);
		assert_int_equal(tf.result, FETCH_OK);
		assert_int_equal(tf.status, 201);
		assert_string_equal(tf_body_str(&tf), "ok");
		tf_clean(&tf);
	}

	/* A connection verified with that file is not lent to others. */
	tf_init(&tf, t);
	tf_new(&tf, "GET", base, "/interim");
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_TLS);
	tf_clean(&tf);

	/* A CA file that is not there. */
	tf_init(&tf, t);
	tf_new(&tf, "GET", base, "/interim");
	assert_int_equal(fetch_ca_file(tf.f, "/nonexistent/ca.pem"), 0);
	tf_run(&tf);
	assert_int_equal(tf.result, FETCH_ERR_TLS);
	tf_clean(&tf);

	unlink(pem);
	evconnlistener_free(l);
	SSL_CTX_free(ts.ctx);
}

/* At debug level, headers are logged with credentials redacted. */
static void
test_trace_redacts(void **state)
{
	struct tnet	*t = *state;
	struct tfetch	 tf;
	char		 path[] = "/tmp/test_net.XXXXXX", buf[65536];
	int		 fd, saved;
	ssize_t		 n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	log_init(LOG_LEVEL_DEBUG, 0);
	tf_init(&tf, t);
	tf_new(&tf, "POST", t->url, "/echo");
	fetch_header(tf.f, "Authorization", "Bearer s3cr3t-token");
	fetch_header(tf.f, "Cookie", "session=c00kie");
	fetch_body(tf.f, "b0dy-bytes", 10, 0);
	tf_run(&tf);
	log_init(LOG_LEVEL_INFO, 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(tf.result, FETCH_OK);
	assert_non_null(strstr(buf, "Authorization: [redacted]"));
	assert_non_null(strstr(buf, "Cookie: [redacted]"));
	assert_non_null(strstr(buf, "X-Method: POST"));
	assert_null(strstr(buf, "s3cr3t"));
	assert_null(strstr(buf, "c00kie"));
	assert_null(strstr(buf, "b0dy"));
	tf_clean(&tf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_large_put, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_status_404, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interim_skipped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_trailer_and_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_big_paused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort_after_resume, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort_in_body, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_total_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_in_callbacks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_outside, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_loop_running, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simple_toobig, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_redacts, setup,
		    teardown),
	};

	/* The servers here write to peers that went away. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
