/*
 * The upstream response streamed toward the client with backpressure:
 * while the client's output buffer holds PROXY_HIWAT_BYTES or more, the
 * curl transfer is paused, and it resumes when that buffer drains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "conf/conf.h"
#include "net/net.h"
#include "proxy/xfer.h"

static void	stream_connection_note(struct xfer *, const char *);

int
stream_header_cb(void *arg, long status, const char *name,
    const char *value)
{
	struct xfer		*xf = arg;
	struct evkeyvalq	*out;

	if (xf->xf_req == NULL)
		return -1;
	if (status == 401 && xf->xf_bearer != NULL) {
		/* Not for the client: the token was refused. */
		if (strcasecmp(name, "x-ms-diagnostics") == 0)
			snprintf(xf->xf_diag, sizeof(xf->xf_diag), "%s",
			    value);
		return 0;
	}
	out = evhttp_request_get_output_headers(xf->xf_req);
	if (strcasecmp(name, "Connection") == 0)
		stream_connection_note(xf, value);
	if (headers_drop_response(name, NULL))
		return 0;
	if (strcasecmp(name, "Set-Cookie") == 0 &&
	    xf->xf_px->px_conf->tls_cert == NULL) {
		char	*plain = cookie_plain_http(value);

		if (plain == NULL)
			return -1;
		evhttp_add_header(out, name, plain);
		free(plain);
		return 0;
	}
	evhttp_add_header(out, name, value);
	return 0;
}

/* Keeps the upstream's Connection list: the headers it names are
 * hop-by-hop too, and go once all headers are in. */
static void
stream_connection_note(struct xfer *xf, const char *value)
{
	size_t	 have = strlen(xf->xf_upconn);

	snprintf(xf->xf_upconn + have, sizeof(xf->xf_upconn) - have, "%s%s",
	    have ? "," : "", value);
}

/* Removes every header the upstream's Connection header named. */
static void
stream_drop_connection_listed(struct xfer *xf, struct evkeyvalq *out)
{
	char	 list[sizeof(xf->xf_upconn)];
	char	*name, *save = NULL;

	memcpy(list, xf->xf_upconn, sizeof(list));
	for (name = strtok_r(list, " \t,", &save); name != NULL;
	    name = strtok_r(NULL, " \t,", &save))
		while (evhttp_remove_header(out, name) == 0)
			;
}

int
stream_headers_done_cb(void *arg, long status)
{
	struct xfer		*xf = arg;
	struct evkeyvalq	*out;

	xf->xf_upstream_status = status;
	if (xf->xf_req == NULL)
		return -1;
	if (status == 401 && xf->xf_bearer != NULL) {
		xf->xf_rejected = 1;
		return -1;	/* forward.c refreshes and replays once */
	}
	out = evhttp_request_get_output_headers(xf->xf_req);
	stream_drop_connection_listed(xf, out);
	if (status == 401)	/* on-prem: offer Basic, never the others */
		evhttp_add_header(out, "WWW-Authenticate",
		    "Basic realm=\"ewsgw\"");
	evhttp_add_header(out, "X-Ewsgw-Request-Id", xf->xf_id);
	xf->xf_status = (int)status;
	xf->xf_started = 1;
	evhttp_send_reply_start(xf->xf_req, (int)status, NULL);
	return 0;
}

/* The client took everything queued: let curl go on. */
static void
stream_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct xfer	*xf = arg;

	if (!xf->xf_paused || xf->xf_fetch == NULL)
		return;
	xf->xf_paused = 0;		/* first: resume may pause again */
	fetch_resume(xf->xf_fetch);
}

int
stream_body_cb(void *arg, const char *data, size_t len)
{
	struct xfer	*xf = arg;
	struct evbuffer	*output;

	if (xf->xf_req == NULL)
		return FETCH_BODY_ABORT;
	output = bufferevent_get_output(
	    evhttp_connection_get_bufferevent(xf->xf_evcon));
	if (evbuffer_get_length(output) >= PROXY_HIWAT_BYTES) {
		xf->xf_paused = 1;
		return FETCH_BODY_PAUSE;
	}
	if (evbuffer_add(xf->xf_out, data, len) == -1)
		return FETCH_BODY_ABORT;
	xf->xf_bytes_out += len;
	evhttp_send_reply_chunk_with_cb(xf->xf_req, xf->xf_out,
	    stream_drained_cb, xf);
	return FETCH_BODY_OK;
}
