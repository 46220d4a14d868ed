/* proxy/ internal: struct xfer, one client request in flight. */
#ifndef EWSGW_PROXY_XFER_H
#define EWSGW_PROXY_XFER_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

#include "proxy/proxy_int.h"

struct evhttp_connection;

struct xfer {
	TAILQ_ENTRY(xfer)	 xf_entry;
	struct proxy		*xf_px;
	/* Borrowed from evhttp; NULLed when the client goes away. */
	struct evhttp_request	*xf_req;
	struct evhttp_connection *xf_evcon;
	char			 xf_id[32];
	char			 xf_client[64];
	struct timeval		 xf_start;

	struct auth_user	*xf_user;	/* a reference */
	struct auth_wait	*xf_wait;	/* Basic check or token */
	struct fetch		*xf_fetch;	/* the upstream exchange */
	struct limit_slot	*xf_slot;	/* the mailbox's, held/queued */
	struct evbuffer		*xf_body;	/* request body, moved in */
	struct evbuffer		*xf_out;	/* staging for one chunk */
	char			*xf_bearer;	/* secret: wiped on free */
	char			 xf_op[SOAP_OPERATION_MAX];
	/* app mode: the mailbox impersonated ("" otherwise) */
	char			 xf_anchor[SOAP_ADDR_MAX];

	int			 xf_status;	/* sent to the client */
	long			 xf_upstream_status;
	int			 xf_started;	/* reply line sent */
	int			 xf_paused;	/* upstream paused by us */
	int			 xf_rejected;	/* upstream said 401 */
	int			 xf_retried;	/* the one replay is used */
	int			 xf_ad;		/* enum ad_kind */
	int			 xf_long;	/* client timeout raised */
	char			 xf_diag[200];	/* x-ms-diagnostics of a 401 */
	char			 xf_upconn[256]; /* upstream Connection list */
	uint64_t		 xf_bytes_in;
	uint64_t		 xf_bytes_out;
	const char		*xf_error;	/* static text for the log */
};

/* stream.c: the upstream response toward the client. */
int	stream_header_cb(void *arg, long status, const char *name,
	    const char *value);
int	stream_headers_done_cb(void *arg, long status);
int	stream_body_cb(void *arg, const char *data, size_t len);

/* forward.c: what stream.c hands back. */
/* Ends the transfer: logs it and frees it. */
void	xfer_finish(struct xfer *);

/* autodiscover.c: answers an Autodiscover request whose Basic check
 * passed (xf_user set), then finishes the transfer. */
void	autodiscover_answer(struct xfer *);

/* impersonate.c: whose mailbox a request reaches. */
struct imp_verdict {
	int			 iv_status;	/* 403, or 0: the code's own */
	enum soap_fault_code	 iv_code;
	const char		*iv_reason;	/* static GatewayReason token */
	char			 iv_message[512];
};
/*
 * Applies the impersonation policy of XF's user (module comment of
 * impersonate.c). 0: forward; in app mode xf_anchor is then set and
 * xf_body may hold a rewritten request. -1: refuse with V; nothing may
 * reach Exchange.
 */
int	impersonate_check(struct xfer *, struct imp_verdict *v);

#endif
