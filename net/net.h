/*
 * Outbound HTTP on the event loop: one curl multi handle driven by
 * libevent (curl hiperfifo.c), and struct fetch, one outbound exchange
 * with header/body callbacks. Knows nothing of users or SOAP. Both the
 * proxy and the identity-platform calls use it; so do the CLI commands,
 * which run their own event base.
 */
#ifndef EWSGW_NET_H
#define EWSGW_NET_H

#include <stddef.h>

struct event_base;
struct net_loop;
struct fetch;

/*
 * New loop on BASE (borrowed, must outlive the loop); NULL on failure.
 * The first call also runs curl_global_init (not thread-safe: make it
 * from the main thread before any other thread starts).
 */
struct net_loop	*net_loop_new(struct event_base *base);
/* Cancels every fetch still running or not yet started (no callbacks),
 * then frees. Not from inside a fetch callback. NULL ok. */
void		 net_loop_free(struct net_loop *);

enum fetch_result {
	FETCH_OK,		/* a whole response was received */
	FETCH_ERR_DNS,
	FETCH_ERR_CONNECT,	/* refused, unreachable */
	FETCH_ERR_TLS,		/* handshake or certificate */
	FETCH_ERR_TIMEOUT,	/* connect, total or idle */
	FETCH_ERR_IO,		/* send/receive failed mid-way */
	FETCH_ERR_TOOBIG,	/* fetch_simple: response over its cap */
	FETCH_ERR_ABORTED,	/* a callback asked to stop */
	FETCH_ERR_INTERNAL,
};
/* A short constant text for a result ("connection refused", ...). */
const char	*fetch_result_str(enum fetch_result);

/* What a body callback returns. */
#define FETCH_BODY_OK		0
#define FETCH_BODY_PAUSE	1	/* keep these bytes; call fetch_resume */
#define FETCH_BODY_ABORT	2

struct fetch_handlers {
	/*
	 * One response header (status already known), end-to-end or not:
	 * filtering is the caller's job. Interim 1xx responses are skipped.
	 * Return 0, or -1 to abort the transfer.
	 */
	int	(*header)(void *arg, long status, const char *name,
		    const char *value);
	/* All headers are in: before the first body byte, or at the end
	 * when there is no body. Return 0 or -1 to abort. */
	int	(*headers_done)(void *arg, long status);
	/* Body bytes as they arrive: FETCH_BODY_OK/PAUSE/ABORT. When it
	 * returns PAUSE the same bytes are offered again after resume. */
	int	(*body)(void *arg, const char *data, size_t len);
	/*
	 * Exactly once per started fetch, unless cancelled first. STATUS is
	 * the last HTTP status seen (0 when none). DETAIL is a short text
	 * safe for logs (never a URL query, header value or body).
	 * The fetch is freed right after this returns: do not touch it.
	 */
	void	(*done)(void *arg, enum fetch_result, long status,
		    const char *detail);
};

/*
 * New fetch of METHOD URL; nothing is sent until fetch_start. Handlers
 * are copied; ARG is borrowed. NULL on failure.
 */
struct fetch	*fetch_new(struct net_loop *, const char *method,
		    const char *url, const struct fetch_handlers *, void *arg);
/* Adds a request header; VALUE is copied. 0 / -1. */
int		 fetch_header(struct fetch *, const char *name,
		    const char *value);
/*
 * The request body. With COPY the bytes are copied (and wiped when freed,
 * for secrets); without, they are borrowed until done or cancel.
 */
int		 fetch_body(struct fetch *, const void *data, size_t len,
		    int copy);
/*
 * Timeouts in ms (0 = none; a 0 connect is curl's 300 s): connect; whole
 * transfer; no byte for IDLE. IDLE is curl's low-speed check (under 1
 * byte/s, averaged over up to 5 s), so it fires up to ~5 s late after a
 * burst; it does not run while the transfer is paused.
 */
void		 fetch_timeouts(struct fetch *, unsigned connect_ms,
		    unsigned total_ms, unsigned idle_ms);
/* An extra CA bundle (PEM) to trust besides the system's CA directory;
 * copied. NULL = the system default only. */
int		 fetch_ca_file(struct fetch *, const char *path);
/*
 * Reuses a pooled connection only if it has been idle under SECONDS
 * (curl's default is 118). libcurl resends a request, once, when it
 * went out on a reused connection that closed before any response byte
 * (a server closing an idle connection as the request arrives); keeping
 * idle connections young makes that rarer for requests that must not
 * run twice. Before fetch_start.
 */
void		 fetch_reuse_max_idle(struct fetch *, unsigned seconds);
/* Starts the transfer; callbacks never run inside this call. 0 / -1;
 * on -1 the fetch is still the caller's to fetch_cancel. */
int		 fetch_start(struct fetch *);
/* Resumes a transfer whose body callback returned FETCH_BODY_PAUSE; the
 * body callback may run (and pause again) inside this call. */
void		 fetch_resume(struct fetch *);
/* Stops the transfer: no callback runs after this; the fetch is freed
 * from a zero-delay event. NULL ok. Safe inside its own callbacks. */
void		 fetch_cancel(struct fetch *);

/*
 * A whole small exchange (identity platform, probes): POST (BODY != NULL,
 * copied and wiped on free) or GET, response collected up to MAX_BYTES.
 * CB runs once with the collected body (borrowed for the call, NUL
 * terminated) unless the fetch is cancelled. CONTENT_TYPE may be NULL.
 * HEADERS is NULL or a NULL-terminated list of "Name: value" lines.
 */
typedef void	 (*fetch_simple_cb)(void *arg, enum fetch_result, long status,
		    const char *body, size_t len, const char *detail);
struct fetch	*fetch_simple(struct net_loop *, const char *url,
		    const char *content_type, const char *body,
		    const char *const *headers, size_t max_bytes,
		    unsigned timeout_ms, const char *ca_file,
		    fetch_simple_cb cb, void *arg);

#endif
