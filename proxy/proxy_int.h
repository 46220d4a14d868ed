/* proxy/ internals shared between its files. */
#ifndef EWSGW_PROXY_INT_H
#define EWSGW_PROXY_INT_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

#include "proxy/proxy.h"
#include "soap/soap.h"

struct evbuffer;
struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
struct evkeyvalq;
struct fetch;
struct auth_user;
struct auth_wait;
struct metrics;
struct limit;
struct limit_slot;

/* Client output above this pauses the upstream transfer. */
#define PROXY_HIWAT_BYTES	(256 * 1024)
/* Budget for a request's headers, all of them together. */
#define PROXY_MAX_HEADER_BYTES	(64 * 1024)

struct xfer;
TAILQ_HEAD(xfer_list, xfer);

struct proxy {
	struct event_base		*px_base;
	struct net_loop			*px_net;
	struct auth			*px_auth;
	const struct conf		*px_conf;
	struct metrics			*px_metrics;
	struct evhttp			*px_http;
	struct evhttp_bound_socket	*px_bound;
	struct evhttp			*px_admin;
	struct tls			*px_tls;	/* NULL: plain http */
	struct limit			*px_limit;
	struct xfer_list		 px_xfers;
	unsigned			 px_nxfers;
	uint64_t			 px_nextid;
	uint32_t			 px_idprefix;
	void				(*px_drained)(void *);
	void				*px_drained_arg;
	struct event			*px_drain_ev;
};

/* forward.c: one client request's life. */
void	xfer_start(struct proxy *, struct evhttp_request *);
/* Cuts every transfer (shutdown). */
void	xfer_cut_all(struct proxy *);

/* autodiscover.c: which Autodiscover flavour a request target (path
 * case-insensitive, query ignored) asks for. */
enum ad_kind {
	AD_NONE,
	AD_POX,		/* /autodiscover/autodiscover.xml */
	AD_SOAP,	/* /autodiscover/autodiscover.svc */
};
enum ad_kind	 autodiscover_kind(const char *uri);

/* forward.c: the path part of origin-form target URI equals PATH,
 * ignoring case. */
int	target_is(const char *uri, const char *path);

/* reply.c: answers ewsgw writes itself. */
/* A SOAP fault; STATUS 0 means the code's own (500). */
void	reply_fault(struct evhttp_request *, int status,
	    enum soap_fault_code, const char *message, const char *reason,
	    unsigned backoff_ms);
/* 401 with WWW-Authenticate: Basic realm="ewsgw". */
void	reply_challenge(struct evhttp_request *);
void	reply_text(struct evhttp_request *, int status, const char *text);
/* LEN bytes of XML as text/xml; charset=utf-8. */
void	reply_xml(struct evhttp_request *, int status, const char *xml,
	    size_t len);

/* headers.c: which headers cross the gateway. */
/* Nonzero when NAME is hop-by-hop, or listed in CONNECTION (the value of
 * the message's Connection header, may be NULL). */
int	headers_is_hop(const char *name, const char *connection);
/* Nonzero when a client request header NAME must not go upstream. */
int	headers_drop_request(const char *name, const char *connection);
/* Nonzero when an upstream response header NAME must not reach the
 * client. */
int	headers_drop_response(const char *name, const char *connection);
/* Nonzero when a Via header value shows this gateway already handled the
 * request. */
int	headers_via_loop(const char *via);
#define HEADERS_VIA_TOKEN	"ewsgw"

/* listen.c: an evhttp bound to HOST:PORT with ewsgw's limits; NULL +
 * err. *BOUND (may be NULL) receives the listening socket's handle. */
struct evhttp	*listen_http(struct event_base *, const char *host,
		    unsigned port, uint64_t max_body,
		    struct evhttp_bound_socket **bound, char *err,
		    size_t errlen);

/* limit.c: per-mailbox concurrency toward Exchange. */
/* Runs once for a slot that did not come at once: GRANTED 1 when it is
 * now held, 0 when queue_timeout ran out (release the slot either way). */
typedef void	(*limit_cb)(void *arg, int granted);
/* New limiter: MAX ordinary and MAX_STREAMS streaming requests per
 * mailbox, waiting WAIT_MS at most for a slot. NULL on failure. */
struct limit	*limit_new(struct event_base *, unsigned max,
		    unsigned max_streams, unsigned wait_ms);
/* Frees the limiter; every slot must be released first. NULL ok. */
void		 limit_free(struct limit *);
/*
 * A slot of MAILBOX's budget (STREAM: GetStreamingEvents'). *GRANTED is
 * 1 when it is held now (CB never runs); else it is queued and CB runs
 * later, from the loop. Returns a new slot, or NULL when out of memory.
 */
struct limit_slot *limit_acquire(struct limit *, const char *mailbox,
		    int stream, limit_cb cb, void *arg, int *granted);
/* Gives the slot back or leaves the queue; its CB will not run. NULL ok. */
void		 limit_release(struct limit_slot *);
/* The limit of the slot's budget. */
unsigned	 limit_slot_max(const struct limit_slot *);

/* cookie.c: Set-Cookie for a client on plain http. */
/* VALUE without the attributes a plain-http client on another host would
 * refuse the cookie for (Secure, Domain, SameSite=None); new string, or
 * NULL when out of memory. */
char		*cookie_plain_http(const char *value);

/* tls.c: HTTPS on `listen` (tls_cert, tls_key). */
struct tls;
struct bufferevent;
/* Loads CERT (full chain) and KEY, both borrowed; NULL with a one-line
 * reason (missing, unreadable, not PEM, key not the certificate's). */
struct tls	*tls_new(const char *cert, const char *key, char *err,
		    size_t errlen);
/* Builds a new context from the same files and uses it for new
 * connections: 0, or -1 with the reason (the old one stays). */
int		 tls_reload(struct tls *, char *err, size_t errlen);
void		 tls_free(struct tls *);	/* NULL ok */
/* evhttp's bufferevent callback: a server-side TLS bufferevent. */
struct bufferevent *tls_bev_cb(struct event_base *, void *tls);
/* TCP_NODELAY on listening socket FD, for the connections it accepts. */
void		 tls_nodelay(int fd);

/* admin.c: the admin listener. */
int	admin_start(struct proxy *, char *err, size_t errlen);

/* metrics.c */
struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);
/* One finished request: OPERATION may be NULL ("-"). */
void		 metrics_request(struct metrics *, const char *operation,
		    int status, double seconds);
/* Prometheus text for everything, with auth's gauges; new string. */
char		*metrics_render(struct metrics *, struct auth *, size_t *len);

#endif
