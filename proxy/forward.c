/*
 * One client request's life: route, Basic check, token, upstream
 * exchange, streamed answer, access line. The client side is evhttp's
 * request (borrowed: the connection's close callback NULLs it); the
 * upstream side is a struct fetch (ours until done or cancelled).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"
#include "proxy/xfer.h"

#define EWS_PATH	"/EWS/Exchange.asmx"
/* What a request refused after queue_timeout is told to wait. */
#define XFER_QUEUE_BACKOFF_MS	2000
/* A write goes out only on a connection idle under this (net.h). */
#define XFER_WRITE_REUSE_IDLE_S	4

static void	xfer_authorized(struct xfer *);
static void	xfer_send(struct xfer *, const char *bearer);

static void
xfer_fail(struct xfer *xf, int status, enum soap_fault_code code,
    const char *message, const char *why, unsigned backoff_ms)
{
	if (xf->xf_req != NULL) {
		evhttp_clear_headers(
		    evhttp_request_get_output_headers(xf->xf_req));
		evhttp_add_header(evhttp_request_get_output_headers(
		    xf->xf_req), "X-Ewsgw-Request-Id", xf->xf_id);
		reply_fault(xf->xf_req, status, code, message, why,
		    backoff_ms);
	}
	xf->xf_status = status ? status : soap_fault_status(code);
	xf->xf_error = why;
	log_req(LOG_LEVEL_INFO, xf->xf_id, "%s", message);
	xfer_finish(xf);
}

/* How long the client's connection may go without traffic. */
static void
xfer_client_timeout(struct xfer *xf, unsigned ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evhttp_connection_set_timeout_tv(xf->xf_evcon, &tv);
	xf->xf_long = ms != xf->xf_px->px_conf->client_timeout_ms;
}

/* The client went away: stop everything that works for it. */
static void
xfer_client_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct xfer	*xf = arg;

	xf->xf_req = NULL;
	if (!xf->xf_started)
		xf->xf_status = 499;	/* nginx's "client closed request" */
	xf->xf_error = "client closed the connection";
	xfer_finish(xf);
}

void
xfer_finish(struct xfer *xf)
{
	struct proxy	*px = xf->xf_px;
	struct timeval	 now, d;
	struct log_access a;

	fetch_cancel(xf->xf_fetch);
	auth_wait_cancel(xf->xf_wait);
	limit_release(xf->xf_slot);
	if (xf->xf_req != NULL) {
		evhttp_connection_set_closecb(xf->xf_evcon, NULL, NULL);
		if (xf->xf_long)	/* the connection may serve more */
			xfer_client_timeout(xf, px->px_conf->client_timeout_ms);
	}

	gettimeofday(&now, NULL);
	timersub(&now, &xf->xf_start, &d);
	memset(&a, 0, sizeof(a));
	a.reqid = xf->xf_id;
	a.client = xf->xf_client;
	a.user = xf->xf_user ? auth_user_name(xf->xf_user) : NULL;
	a.mode = xf->xf_user ? auth_mode_name(auth_user_mode(xf->xf_user)) :
	    NULL;
	a.operation = xf->xf_op;
	a.status = xf->xf_status;
	a.upstream_status = (int)xf->xf_upstream_status;
	a.bytes_in = xf->xf_bytes_in;
	a.bytes_out = xf->xf_bytes_out;
	a.duration_s = d.tv_sec + d.tv_usec / 1e6;
	a.error = xf->xf_error;
	log_access(&a);
	metrics_request(px->px_metrics, xf->xf_user ? xf->xf_op : NULL,
	    xf->xf_status, a.duration_s);

	auth_user_unref(xf->xf_user);
	if (xf->xf_body != NULL)
		evbuffer_free(xf->xf_body);
	if (xf->xf_out != NULL)
		evbuffer_free(xf->xf_out);
	if (xf->xf_bearer != NULL) {
		OPENSSL_cleanse(xf->xf_bearer, strlen(xf->xf_bearer));
		free(xf->xf_bearer);
	}
	TAILQ_REMOVE(&px->px_xfers, xf, xf_entry);
	px->px_nxfers--;
	free(xf);
	if (px->px_nxfers == 0 && px->px_drained != NULL)
		event_active(px->px_drain_ev, EV_TIMEOUT, 0);
}

/* Path part of an origin-form target equals PATH, ignoring case. */
int
target_is(const char *uri, const char *path)
{
	size_t	 n = strcspn(uri, "?#");

	return n == strlen(path) && strncasecmp(uri, path, n) == 0;
}

/* Refusals that need no user: returns 1 when it answered. */
static int
xfer_refuse_early(struct evhttp_request *req)
{
	const char	*uri = evhttp_request_get_uri(req);
	const char	*via;
	enum ad_kind	 ad;

	if (uri == NULL || uri[0] != '/') {
		reply_text(req, 400, "400 Bad Request: ewsgw is not a proxy "
		    "for other hosts; send origin-form requests\n");
		return 1;
	}
	if ((ad = autodiscover_kind(uri)) == AD_NONE &&
	    !target_is(uri, EWS_PATH)) {
		reply_text(req, 404, "404 Not Found\n");
		return 1;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST &&
	    !(ad == AD_POX && evhttp_request_get_command(req) ==
	    EVHTTP_REQ_GET)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		reply_text(req, 405, "405 Method Not Allowed: EWS takes POST\n");
		return 1;
	}
	via = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Via");
	if (via != NULL && headers_via_loop(via)) {
		reply_fault(req, 0, SOAP_FAULT_INVALID_REQUEST,
		    "This request already passed through ewsgw (Via): the "
		    "gateway's upstream URL points back at itself.",
		    "request_loop", 0);
		return 1;
	}
	return 0;
}

static void
xfer_basic_cb(void *arg, enum auth_verdict verdict, struct auth_user *user)
{
	struct xfer	*xf = arg;

	xf->xf_wait = NULL;
	xf->xf_user = user;
	switch (verdict) {
	case AUTH_OK:
		xfer_authorized(xf);
		return;
	case AUTH_NO_CREDENTIALS:
	case AUTH_BAD_CREDENTIALS:
		reply_challenge(xf->xf_req);
		xf->xf_status = 401;
		xf->xf_error = verdict == AUTH_NO_CREDENTIALS ?
		    "no credentials" : "bad credentials";
		xfer_finish(xf);
		return;
	case AUTH_DISABLED:
		xfer_fail(xf, 403, SOAP_FAULT_ACCOUNT_DISABLED,
		    "This account is disabled on the gateway.",
		    "user_disabled", 0);
		return;
	case AUTH_PENDING:
	case AUTH_ERROR:
		break;
	}
	xfer_fail(xf, 0, SOAP_FAULT_SERVER_BUSY, "The gateway could not "
	    "check the credentials right now; try again shortly.",
	    "auth_busy", 2000);
}

void
xfer_start(struct proxy *px, struct evhttp_request *req)
{
	struct xfer		*xf;
	struct auth_user	*user = NULL;
	enum auth_verdict	 verdict;
	char			*addr = NULL;
	ev_uint16_t		 port = 0;

	if (xfer_refuse_early(req))
		return;
	if ((xf = calloc(1, sizeof(*xf))) == NULL ||
	    (xf->xf_body = evbuffer_new()) == NULL ||
	    (xf->xf_out = evbuffer_new()) == NULL) {
		if (xf != NULL && xf->xf_body != NULL)
			evbuffer_free(xf->xf_body);
		free(xf);
		reply_text(req, 503, "503 out of memory\n");
		return;
	}
	xf->xf_px = px;
	xf->xf_req = req;
	xf->xf_evcon = evhttp_request_get_connection(req);
	xf->xf_ad = autodiscover_kind(evhttp_request_get_uri(req));
	gettimeofday(&xf->xf_start, NULL);
	snprintf(xf->xf_id, sizeof(xf->xf_id), "%08x-%06llu",
	    px->px_idprefix, (unsigned long long)++px->px_nextid);
	evhttp_connection_get_peer(xf->xf_evcon, &addr, &port);
	snprintf(xf->xf_client, sizeof(xf->xf_client), "%s:%u",
	    addr ? addr : "?", port);
	TAILQ_INSERT_TAIL(&px->px_xfers, xf, xf_entry);
	px->px_nxfers++;
	evhttp_connection_set_closecb(xf->xf_evcon, xfer_client_closed_cb, xf);

	/* Own the body: it outlives the request if the client leaves. */
	evbuffer_add_buffer(xf->xf_body, evhttp_request_get_input_buffer(req));
	xf->xf_bytes_in = evbuffer_get_length(xf->xf_body);

	verdict = auth_check_basic(px->px_auth,
	    evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization"), &user, xfer_basic_cb, xf, &xf->xf_wait);
	if (verdict != AUTH_PENDING) {
		xf->xf_wait = NULL;
		xfer_basic_cb(xf, verdict, user);
	}
}

static void
xfer_token_cb(void *arg, enum auth_token_result result, const char *bearer,
    const char *reason)
{
	struct xfer	*xf = arg;

	xf->xf_wait = NULL;
	switch (result) {
	case AUTH_TOKEN_OK:
		if (xf->xf_ad != AD_NONE)	/* ropc: the password is good */
			autodiscover_answer(xf);
		else
			xfer_send(xf, bearer);
		return;
	case AUTH_TOKEN_NEEDS_SIGNIN:
		xfer_fail(xf, 0, SOAP_FAULT_ACCESS_DENIED, reason,
		    "needs_login", 0);
		return;
	case AUTH_TOKEN_UNAVAILABLE:
		xfer_fail(xf, 0, SOAP_FAULT_SERVER_BUSY, reason,
		    "identity_platform_unavailable", 5000);
		return;
	case AUTH_TOKEN_BAD_PASSWORD:
		/* ropc: the identity platform refused this password. */
		log_req(LOG_LEVEL_INFO, xf->xf_id, "%s", reason);
		evhttp_clear_headers(
		    evhttp_request_get_output_headers(xf->xf_req));
		reply_challenge(xf->xf_req);
		xf->xf_status = 401;
		xf->xf_error = "password refused by the identity platform";
		xfer_finish(xf);
		return;
	case AUTH_TOKEN_REFUSED:
		xfer_fail(xf, 403, SOAP_FAULT_ACCESS_DENIED, reason,
		    "password_signin_refused", 0);
		return;
	case AUTH_TOKEN_FAILED:
		break;
	}
	xfer_fail(xf, 0, SOAP_FAULT_ACCESS_DENIED, reason, "token_failed", 0);
}

/* Asks for the user's token; xfer_token_cb goes on. */
static void
xfer_token(struct xfer *xf)
{
	xf->xf_wait = auth_token_get(xf->xf_px->px_auth, xf->xf_user, NULL,
	    xfer_token_cb, xf);
	if (xf->xf_wait == NULL)
		xfer_fail(xf, 0, SOAP_FAULT_SERVER_BUSY, "The gateway could "
		    "not ask for a token right now.", "token_busy", 2000);
}

static void
xfer_authorized(struct xfer *xf)
{
	struct proxy	*px = xf->xf_px;
	const char	*body;
	size_t		 len = evbuffer_get_length(xf->xf_body);
	enum auth_mode	 mode = auth_user_mode(xf->xf_user);
	struct imp_verdict iv;

	if (xf->xf_ad != AD_NONE) {
		/* A ropc password is known good only once it got a token. */
		if (mode == AUTH_MODE_ROPC)
			xfer_token(xf);
		else
			autodiscover_answer(xf);
		return;
	}
	/* Before anything else reads the body: app mode may rewrite it. */
	if (impersonate_check(xf, &iv) == -1) {
		xfer_fail(xf, iv.iv_status, iv.iv_code, iv.iv_message,
		    iv.iv_reason, 0);
		return;
	}
	len = evbuffer_get_length(xf->xf_body);
	body = (const char *)evbuffer_pullup(xf->xf_body, -1);
	if (soap_operation(body, len, xf->xf_op, sizeof(xf->xf_op)) == -1) {
		xfer_fail(xf, 0, SOAP_FAULT_INVALID_REQUEST, "The request "
		    "body is not a SOAP 1.1 envelope with a Body element.",
		    "not_soap", 0);
		return;
	}
	if (mode == AUTH_MODE_ONPREM) {
		if (px->px_conf->onprem_ews_url == NULL)
			xfer_fail(xf, 0, SOAP_FAULT_INTERNAL, "This user is "
			    "mapped to on-premises Exchange, but [onprem] "
			    "ews_url is not set.", "onprem_unset", 0);
		else
			xfer_send(xf, NULL);
		return;
	}
	if (auth_user_backend(xf->xf_user) == AUTH_BACKEND_GRAPH) {
		xfer_fail(xf, 0, SOAP_FAULT_INTERNAL, "This user is set to "
		    "the graph backend, which this version of ewsgw does not "
		    "have yet; set it back with 'ewsgw user set NAME "
		    "--backend ews'.", "graph_unavailable", 0);
		return;
	}
	xfer_token(xf);
}

/* The client's end-to-end headers, then ours. */
static int
xfer_copy_headers(struct xfer *xf, struct fetch *f, const char *bearer)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(
	    xf->xf_req);
	struct evkeyval		*h;
	const char		*conn = evhttp_find_header(in, "Connection");
	const char		*via = evhttp_find_header(in, "Via");
	char			 buf[8192];
	int			 rc = 0;

	TAILQ_FOREACH(h, in, next) {
		if (headers_drop_request(h->key, conn) &&
		    !(bearer == NULL && strcasecmp(h->key,
		    "Authorization") == 0))
			continue;
		rc |= fetch_header(f, h->key, h->value);
	}
	snprintf(buf, sizeof(buf), "%s%s1.1 %s", via ? via : "",
	    via ? ", " : "", HEADERS_VIA_TOKEN);
	rc |= fetch_header(f, "Via", buf);
	if (xf->xf_anchor[0] != '\0')	/* app mode: the impersonated */
		rc |= fetch_header(f, "X-AnchorMailbox", xf->xf_anchor);
	else if (auth_user_mode(xf->xf_user) != AUTH_MODE_ONPREM ||
	    evhttp_find_header(in, "X-AnchorMailbox") == NULL)
		rc |= fetch_header(f, "X-AnchorMailbox",
		    auth_user_mailbox(xf->xf_user));
	else
		rc |= fetch_header(f, "X-AnchorMailbox",
		    evhttp_find_header(in, "X-AnchorMailbox"));
	if (bearer != NULL) {
		char	*v;

		if (asprintf(&v, "Bearer %s", bearer) == -1)
			return -1;
		rc |= fetch_header(f, "Authorization", v);
		OPENSSL_cleanse(v, strlen(v));
		free(v);
	}
	return rc;
}

static void	xfer_upstream_done_cb(void *, enum fetch_result, long,
		    const char *);

static const struct fetch_handlers xfer_handlers = {
	.header = stream_header_cb,
	.headers_done = stream_headers_done_cb,
	.body = stream_body_cb,
	.done = xfer_upstream_done_cb,
};

/* The mailbox whose budget a request spends: the one it reaches (in app
 * mode the impersonated one, which has a budget per caller). */
static const char *
xfer_budget_mailbox(struct xfer *xf)
{
	return xf->xf_anchor[0] != '\0' ? xf->xf_anchor :
	    auth_user_mailbox(xf->xf_user);
}

/* The mailbox's queue gave this transfer a slot, or gave up. */
static void
xfer_slot_cb(void *arg, int granted)
{
	struct xfer	*xf = arg;
	char		 msg[800];

	if (granted) {
		xfer_send(xf, xf->xf_bearer);
		return;
	}
	snprintf(msg, sizeof(msg), "Mailbox %s already has %u %s in flight "
	    "at Exchange, its per-mailbox limit (%s), and no slot came free "
	    "within queue_timeout; retry after the back-off.",
	    xfer_budget_mailbox(xf), limit_slot_max(xf->xf_slot),
	    strcmp(xf->xf_op, "GetStreamingEvents") == 0 ?
	    "GetStreamingEvents connections" : "requests",
	    strcmp(xf->xf_op, "GetStreamingEvents") == 0 ?
	    "max_streams_per_mailbox" : "max_concurrent_per_mailbox");
	xfer_fail(xf, 0, SOAP_FAULT_SERVER_BUSY, msg, "mailbox_concurrency",
	    XFER_QUEUE_BACKOFF_MS);
}

/* Holds a slot of the mailbox's budget: 1 held, 0 queued, -1 failed. */
static int
xfer_slot(struct xfer *xf, int streaming)
{
	int	 granted;

	if (xf->xf_slot != NULL)	/* the replay after a 401 keeps it */
		return 1;
	xf->xf_slot = limit_acquire(xf->xf_px->px_limit,
	    xfer_budget_mailbox(xf), streaming, xfer_slot_cb, xf,
	    &granted);
	if (xf->xf_slot == NULL)
		return -1;
	return granted;
}

static void
xfer_send(struct xfer *xf, const char *bearer)
{
	struct proxy		*px = xf->xf_px;
	const struct conf	*conf = px->px_conf;
	int			 onprem = bearer == NULL;
	int			 streaming = strcmp(xf->xf_op,
	    "GetStreamingEvents") == 0;
	struct fetch		*f;
	int			 slot;

	if (xf->xf_req == NULL) {
		xfer_finish(xf);
		return;
	}
	if (bearer != NULL && (xf->xf_bearer == NULL ||
	    strcmp(xf->xf_bearer, bearer) != 0)) {
		if (xf->xf_bearer != NULL) {
			OPENSSL_cleanse(xf->xf_bearer, strlen(xf->xf_bearer));
			free(xf->xf_bearer);
		}
		if ((xf->xf_bearer = strdup(bearer)) == NULL)
			goto fail;
	}
	if ((slot = xfer_slot(xf, streaming)) == -1)
		goto fail;
	if (slot == 0)
		return;		/* xfer_slot_cb goes on */
	f = fetch_new(px->px_net, "POST", onprem ? conf->onprem_ews_url :
	    conf->ews_url, &xfer_handlers, xf);
	if (f == NULL)
		goto fail;
	xf->xf_fetch = f;
	if (xfer_copy_headers(xf, f, bearer) == -1 ||
	    fetch_body(f, evbuffer_pullup(xf->xf_body, -1),
	    evbuffer_get_length(xf->xf_body), 0) == -1 ||
	    fetch_ca_file(f, onprem ? conf->onprem_ca_file : conf->ca_file) ==
	    -1)
		goto fail;
	fetch_timeouts(f, conf->connect_timeout_ms, streaming ?
	    conf->stream_timeout_ms : conf->upstream_timeout_ms, 0);
	if (streaming)	/* quiet between keep-alives: not idle */
		xfer_client_timeout(xf, conf->stream_timeout_ms);
	if (soap_operation_writes(xf->xf_op))
		fetch_reuse_max_idle(f, XFER_WRITE_REUSE_IDLE_S);
	if (fetch_start(f) == -1)
		goto fail;
	return;
fail:
	xfer_fail(xf, 0, SOAP_FAULT_INTERNAL, "The gateway could not start "
	    "the upstream request.", "fetch_start", 0);
}

/* A fault for an upstream exchange that failed before any answer. */
static void
xfer_upstream_fault(struct xfer *xf, enum fetch_result result,
    const char *detail)
{
	char	 msg[512];
	const char *where = auth_user_mode(xf->xf_user) == AUTH_MODE_ONPREM ?
	    "on-premises Exchange" : "Exchange Online";

	snprintf(msg, sizeof(msg), "The gateway could not get an answer "
	    "from %s: %s.", where, detail ? detail : fetch_result_str(result));
	switch (result) {
	case FETCH_ERR_TIMEOUT:
		xfer_fail(xf, 0, SOAP_FAULT_TIMEOUT, msg, "upstream_timeout",
		    0);
		return;
	case FETCH_ERR_TLS:
		xfer_fail(xf, 0, SOAP_FAULT_CONNECTION_FAILED, msg,
		    "upstream_tls", 0);
		return;
	default:
		xfer_fail(xf, 0, SOAP_FAULT_SERVER_BUSY, msg,
		    "upstream_unreachable", 5000);
		return;
	}
}

static void
xfer_upstream_done_cb(void *arg, enum fetch_result result, long status,
    const char *detail)
{
	struct xfer	*xf = arg;
	char		 msg[400];

	xf->xf_fetch = NULL;
	if (status != 0)
		xf->xf_upstream_status = status;
	if (xf->xf_req == NULL) {
		xfer_finish(xf);
		return;
	}
	if (xf->xf_rejected) {
		xf->xf_rejected = 0;
		evhttp_clear_headers(
		    evhttp_request_get_output_headers(xf->xf_req));
		if (!xf->xf_retried) {
			xf->xf_retried = 1;
			xf->xf_wait = auth_token_get(xf->xf_px->px_auth,
			    xf->xf_user, xf->xf_bearer, xfer_token_cb, xf);
			if (xf->xf_wait != NULL)
				return;
		}
		snprintf(msg, sizeof(msg), "Exchange refused the access token "
		    "for %s%s%s.", auth_user_name(xf->xf_user),
		    xf->xf_diag[0] ? ": " : "", xf->xf_diag);
		xfer_fail(xf, 0, SOAP_FAULT_ACCESS_DENIED, msg,
		    "upstream_rejected_token", 0);
		return;
	}
	if (xf->xf_started) {
		if (result == FETCH_OK)
			evhttp_send_reply_end(xf->xf_req);
		else {
			/* A cut-off body must never look complete. */
			xf->xf_error = "upstream failed mid-response";
			log_req(LOG_LEVEL_WARN, xf->xf_id, "upstream failed "
			    "mid-response: %s", detail ? detail : "");
			evhttp_connection_set_closecb(xf->xf_evcon, NULL, NULL);
			evhttp_connection_free(xf->xf_evcon);
			xf->xf_req = NULL;
		}
		xfer_finish(xf);
		return;
	}
	xfer_upstream_fault(xf, result, detail);
}

void
xfer_cut_all(struct proxy *px)
{
	struct xfer	*xf;

	while ((xf = TAILQ_FIRST(&px->px_xfers)) != NULL) {
		xf->xf_error = "gateway shutting down";
		if (xf->xf_req != NULL && !xf->xf_started) {
			reply_fault(xf->xf_req, 0, SOAP_FAULT_SERVER_BUSY,
			    "The gateway is shutting down.", "shutdown", 5000);
			xf->xf_status = 500;
		}
		xfer_finish(xf);
	}
}
