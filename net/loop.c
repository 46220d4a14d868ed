/*
 * One curl multi handle driven by libevent, after curl's hiperfifo.c:
 * curl tells us which sockets to watch and when to time out; libevent
 * tells curl when a socket is ready or the timer fired.
 */
#include <stdlib.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "log.h"
#include "net/net_int.h"

/* One socket curl asked us to watch (curl_multi_assign'ed to it). */
struct net_sock {
	struct event		 ns_ev;		/* assigned from the start */
	LIST_ENTRY(net_sock)	 ns_entry;
};

static int	net_curl_inited;

/* Completes every transfer curl reports finished. */
static void
net_loop_check_done(struct net_loop *nl)
{
	CURLMsg		*msg;
	struct fetch	*f;
	int		 left;

	while ((msg = curl_multi_info_read(nl->nl_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		f = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&f);
		if (f == NULL)
			continue;
		/* A cancelled fetch stays in the multi until reaped. */
		if (f->f_state == FETCH_RUNNING)
			fetch_finish(f, msg->data.result);
	}
}

static void
net_sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_loop	*nl = arg;
	int		 action = 0, running;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(nl->nl_multi, fd, action, &running);
	net_loop_check_done(nl);
}

static void
net_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_loop	*nl = arg;
	int		 running;

	curl_multi_socket_action(nl->nl_multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	net_loop_check_done(nl);
}

static void
net_sock_free(struct net_sock *ns)
{
	if (ns == NULL)
		return;
	event_del(&ns->ns_ev);
	LIST_REMOVE(ns, ns_entry);
	free(ns);
}

/* CURLMOPT_SOCKETFUNCTION: watch S for what curl asks, or stop. */
static int
net_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct net_loop	*nl = userp;
	struct net_sock	*ns = socketp;
	short		 kind;

	/* curl forgets its socketp for S itself after a REMOVE. */
	if (what == CURL_POLL_REMOVE) {
		net_sock_free(ns);
		return 0;
	}
	if (ns == NULL) {
		if ((ns = calloc(1, sizeof(*ns))) == NULL) {
			log_warn("net: socket watch");
			return -1;
		}
		LIST_INSERT_HEAD(&nl->nl_socks, ns, ns_entry);
		curl_multi_assign(nl->nl_multi, s, ns);
	} else
		event_del(&ns->ns_ev);
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	event_assign(&ns->ns_ev, nl->nl_base, s, kind, net_sock_event_cb, nl);
	if (event_add(&ns->ns_ev, NULL) == -1) {
		log_warnx("net: event_add on socket %d failed", (int)s);
		return -1;
	}
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: only re-arms our one timer. */
static int
net_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct net_loop	*nl = userp;
	struct timeval	 tv;

	if (timeout_ms < 0) {
		evtimer_del(nl->nl_timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(nl->nl_timer, &tv);
}

/* Zero-delay event: frees cancelled fetches, completes failed ones. */
static void
net_reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_loop	*nl = arg;
	struct fetch	*f;

	while ((f = TAILQ_FIRST(&nl->nl_reap)) != NULL) {
		TAILQ_REMOVE(&nl->nl_reap, f, f_reap_entry);
		f->f_reaping = 0;
		if (f->f_state == FETCH_DEAD)
			fetch_destroy(f);
		else
			fetch_finish(f, f->f_reap_code);
	}
}

void
net_loop_reap(struct net_loop *nl, struct fetch *f)
{
	if (f->f_reaping)
		return;
	f->f_reaping = 1;
	TAILQ_INSERT_TAIL(&nl->nl_reap, f, f_reap_entry);
	event_active(nl->nl_reaper, 0, 0);
}

struct net_loop *
net_loop_new(struct event_base *base)
{
	struct net_loop	*nl = NULL;

	if (!net_curl_inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_warnx("net: curl_global_init failed");
			return NULL;
		}
		net_curl_inited = 1;
	}
	if ((nl = calloc(1, sizeof(*nl))) == NULL) {
		log_warn("net: loop");
		return NULL;
	}
	nl->nl_base = base;
	TAILQ_INIT(&nl->nl_fetches);
	TAILQ_INIT(&nl->nl_reap);
	LIST_INIT(&nl->nl_socks);
	if ((nl->nl_timer = evtimer_new(base, net_timer_event_cb, nl)) ==
	    NULL ||
	    (nl->nl_reaper = event_new(base, -1, 0, net_reaper_cb, nl)) ==
	    NULL ||
	    (nl->nl_multi = curl_multi_init()) == NULL) {
		log_warnx("net: cannot set up the curl loop");
		goto fail;
	}
	curl_multi_setopt(nl->nl_multi, CURLMOPT_SOCKETFUNCTION, net_sock_cb);
	curl_multi_setopt(nl->nl_multi, CURLMOPT_SOCKETDATA, nl);
	curl_multi_setopt(nl->nl_multi, CURLMOPT_TIMERFUNCTION, net_timer_cb);
	curl_multi_setopt(nl->nl_multi, CURLMOPT_TIMERDATA, nl);
	/*
	 * No per-host connection cap: HTTP/2 exchanges share one connection
	 * (fetches set PIPEWAIT), HTTP/1.1 needs one per exchange in flight;
	 * the callers bound how many run at once.
	 */
	curl_multi_setopt(nl->nl_multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	return nl;
 fail:
	net_loop_free(nl);
	return NULL;
}

void
net_loop_free(struct net_loop *nl)
{
	struct fetch	*f;
	struct net_sock	*ns;

	if (nl == NULL)
		return;
	/* multi-event.c order: easy handles out, multi, then events. */
	while ((f = TAILQ_FIRST(&nl->nl_fetches)) != NULL)
		fetch_destroy(f);
	if (nl->nl_multi != NULL)
		curl_multi_cleanup(nl->nl_multi);
	/* curl closes its sockets in cleanup; this only catches stragglers. */
	while ((ns = LIST_FIRST(&nl->nl_socks)) != NULL)
		net_sock_free(ns);
	if (nl->nl_timer != NULL)
		event_free(nl->nl_timer);
	if (nl->nl_reaper != NULL)
		event_free(nl->nl_reaper);
	free(nl);
}
