/*
 * The loopback listener of `ewsgw login --browser` (RFC 8252 §7.3): when
 * redirect_uri is http://localhost[:PORT]/..., ewsgw itself is where the
 * browser lands. evhttp on the sign-in's event base, only while the
 * sign-in runs. The page the browser gets echoes nothing it was sent.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "auth/login_int.h"
#include "log.h"

#define LISTEN_TIMEOUT_S	30	/* an idle browser connection */
#define LISTEN_DELIVER_S	2	/* if the page never finishes sending */

static const char listen_page_fmt[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>ewsgw sign-in</title></head><body>\n<h1>%s</h1>\n<p>%s</p>\n"
    "</body></html>\n";

static void
listen_page(struct evhttp_request *req, int status, const char *title,
    const char *text)
{
	struct evbuffer	*buf;

	if ((buf = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_printf(buf, listen_page_fmt, title, text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Not Found",
	    buf);
	evbuffer_free(buf);
}

/* The page went out (or the fallback timer ran): hand the redirect over
 * from the loop, never from inside evhttp, which may free the listener. */
static void
listen_deliver_cb(int fd, short events, void *arg)
{
	struct auth_login	*lg = arg;
	struct login_browser	*lb = lg->lg_browser;
	struct login_redirect	 r;

	if (!lb->lb_got_set)
		return;
	evtimer_del(lb->lb_deliver);
	lb->lb_got_set = 0;
	r = lb->lb_got;
	memset(&lb->lb_got, 0, sizeof(lb->lb_got));
	login_browser_got(lg, &r);
}

static void
listen_sent_cb(struct evhttp_request *req, void *arg)
{
	struct login_browser	*lb = arg;

	event_active(lb->lb_deliver, EV_TIMEOUT, 0);
}

static void
listen_request_cb(struct evhttp_request *req, void *arg)
{
	struct auth_login	*lg = arg;
	struct login_browser	*lb = lg->lg_browser;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char		*query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct login_redirect	 r;
	struct timeval		 tv = { LISTEN_DELIVER_S, 0 };
	char			 q[LOGIN_LINE_MAX];

	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, lb->lb_path) != 0 || query == NULL ||
	    (size_t)snprintf(q, sizeof(q), "?%s", query) >= sizeof(q) ||
	    login_redirect_parse(q, &r) == -1) {
		listen_page(req, 404, "Not found", "This is ewsgw waiting "
		    "for a sign-in's redirect; this address is not it.");
		explicit_bzero(q, sizeof(q));
		return;
	}
	explicit_bzero(q, sizeof(q));
	if (lb->lb_got_set || lb->lb_code != NULL) {
		login_redirect_clear(&r);
		listen_page(req, 200, "Already received", "ewsgw already has "
		    "this sign-in's answer. You can close this window.");
		return;
	}
	lb->lb_got = r;
	lb->lb_got_set = 1;
	evhttp_request_set_on_complete_cb(req, listen_sent_cb, lb);
	evtimer_add(lb->lb_deliver, &tv);
	listen_page(req, 200, "Sign-in answer received", "ewsgw received "
	    "the identity platform's answer; the terminal shows the outcome. "
	    "You can close this window.");
}

int
login_listen(struct auth_login *lg, const char *host, int port,
    const char *path, int *bound, char *err, size_t errlen)
{
	struct login_browser		*lb = lg->lg_browser;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);

	snprintf(lb->lb_path, sizeof(lb->lb_path), "%s", path);
	if ((lb->lb_http = evhttp_new(lg->lg_base)) == NULL ||
	    (lb->lb_deliver = evtimer_new(lg->lg_base, listen_deliver_cb,
	    lg)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	evhttp_set_allowed_methods(lb->lb_http, EVHTTP_REQ_GET);
	evhttp_set_timeout(lb->lb_http, LISTEN_TIMEOUT_S);
	evhttp_set_gencb(lb->lb_http, listen_request_cb, lg);
	if ((bs = evhttp_bind_socket_with_handle(lb->lb_http, host,
	    (ev_uint16_t)port)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s:%d for the "
		    "browser's redirect (redirect_uri): %s", host, port,
		    strerror(errno));
		return -1;
	}
	*bound = port;
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &sslen) == 0 &&
	    ss.ss_family == AF_INET)
		*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	log_debug("waiting for the browser's redirect on %s:%d%s", host,
	    *bound, path);
	return 0;
}

void
login_listen_free(struct login_browser *lb)
{
	if (lb->lb_http != NULL)
		evhttp_free(lb->lb_http);
	if (lb->lb_deliver != NULL)
		event_free(lb->lb_deliver);
	login_redirect_clear(&lb->lb_got);
	lb->lb_http = NULL;
	lb->lb_deliver = NULL;
}
