/* The client listener: evhttp on `listen`, every request to forward.c. */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/rand.h>

#include "conf/conf.h"
#include "log.h"
#include "proxy/xfer.h"

/* evhttp's own limits, before a request reaches us. */
#define LISTEN_TIMEOUT_S	60

static void
listen_request_cb(struct evhttp_request *req, void *arg)
{
	xfer_start(arg, req);
}

static void
listen_drained_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;
	void		(*drained)(void *) = px->px_drained;

	if (px->px_nxfers != 0 || drained == NULL)
		return;
	px->px_drained = NULL;
	drained(px->px_drained_arg);
}

/* An evhttp bound to HOST:PORT with ewsgw's limits. */
struct evhttp *
listen_http(struct event_base *base, const char *host, unsigned port,
    uint64_t max_body, struct evhttp_bound_socket **bound, char *err,
    size_t errlen)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*b;

	if ((http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	evhttp_set_timeout(http, LISTEN_TIMEOUT_S);
	evhttp_set_max_headers_size(http, PROXY_MAX_HEADER_BYTES);
	evhttp_set_max_body_size(http, (ev_ssize_t)max_body);
	/* CONNECT and the rest never reach a callback. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD);
	if ((b = evhttp_bind_socket_with_handle(http, host,
	    (uint16_t)port)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s:%u: %s", host,
		    port, strerror(errno));
		evhttp_free(http);
		return NULL;
	}
	if (bound != NULL)
		*bound = b;
	return http;
}

struct proxy *
proxy_new(struct event_base *base, struct net_loop *net, struct auth *auth,
    const struct conf *conf, char *err, size_t errlen)
{
	struct proxy	*px;
	struct timeval	 tv;

	if ((px = calloc(1, sizeof(*px))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	px->px_base = base;
	px->px_net = net;
	px->px_auth = auth;
	px->px_conf = conf;
	TAILQ_INIT(&px->px_xfers);
	if (RAND_bytes((unsigned char *)&px->px_idprefix,
	    sizeof(px->px_idprefix)) != 1)
		px->px_idprefix = (uint32_t)getpid();
	if ((px->px_metrics = metrics_new()) == NULL ||
	    (px->px_limit = limit_new(base, conf->max_per_mailbox,
	    conf->max_streams_per_mailbox, conf->queue_timeout_ms)) == NULL ||
	    (px->px_drain_ev = event_new(base, -1, 0, listen_drained_cb,
	    px)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (conf->tls_cert != NULL && (px->px_tls = tls_new(conf->tls_cert,
	    conf->tls_key, err, errlen)) == NULL)
		goto fail;
	px->px_http = listen_http(base, conf->listen_host, conf->listen_port,
	    conf->max_body, &px->px_bound, err, errlen);
	if (px->px_http == NULL)
		goto fail;
	evhttp_set_gencb(px->px_http, listen_request_cb, px);
	if (px->px_tls != NULL) {
		evhttp_set_bevcb(px->px_http, tls_bev_cb, px->px_tls);
		tls_nodelay(evhttp_bound_socket_get_fd(px->px_bound));
	}
	tv.tv_sec = conf->client_timeout_ms / 1000;
	tv.tv_usec = (conf->client_timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(px->px_http, &tv);
	if (admin_start(px, err, errlen) == -1)
		goto fail;
	log_info("listening on %s:%u%s, admin on %s:%u", conf->listen_host,
	    conf->listen_port, px->px_tls ? " (HTTPS)" : "", conf->admin_host,
	    conf->admin_port);
	return px;
fail:
	proxy_free(px);
	return NULL;
}

void
proxy_drain(struct proxy *px, void (*drained)(void *), void *arg)
{
	if (px->px_bound != NULL) {
		evhttp_del_accept_socket(px->px_http, px->px_bound);
		px->px_bound = NULL;
	}
	px->px_drained = drained;
	px->px_drained_arg = arg;
	event_active(px->px_drain_ev, EV_TIMEOUT, 0);
}

int
proxy_reload_tls(struct proxy *px, char *err, size_t errlen)
{
	if (px->px_tls == NULL)
		return 1;
	return tls_reload(px->px_tls, err, errlen);
}

void
proxy_free(struct proxy *px)
{
	if (px == NULL)
		return;
	xfer_cut_all(px);
	if (px->px_http != NULL)
		evhttp_free(px->px_http);
	if (px->px_admin != NULL)
		evhttp_free(px->px_admin);
	tls_free(px->px_tls);
	if (px->px_drain_ev != NULL)
		event_free(px->px_drain_ev);
	metrics_free(px->px_metrics);
	limit_free(px->px_limit);
	free(px);
}
