/*
 * Autodiscover, answered by the gateway itself (office365.md 4.2-4.5):
 * POX /autodiscover/autodiscover.xml and SOAP GetUserSettings at
 * /autodiscover/autodiscover.svc, after the same Basic check as EWS
 * (forward.c). Every answer names the gateway's own EWS URL, with the
 * scheme, host and port the client used to reach it, and only for the
 * mailboxes the authenticated user may reach: its own and, in app mode,
 * those on its allow-list.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "log.h"
#include "proxy/xfer.h"

#define AD_HOST_MAX	256

static const struct {
	const char	*path;
	enum ad_kind	 kind;
	const char	*op;		/* for the access line and metrics */
} ad_routes[] = {
	{ "/autodiscover/autodiscover.xml", AD_POX, "Autodiscover" },
	{ "/autodiscover/autodiscover.svc", AD_SOAP, "GetUserSettings" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

enum ad_kind
autodiscover_kind(const char *uri)
{
	for (size_t i = 0; i < NELEM(ad_routes); i++)
		if (target_is(uri, ad_routes[i].path))
			return ad_routes[i].kind;
	return AD_NONE;
}

/* Nonzero when HOST is a host[:port] or [v6]:port fit to put in a URL. */
static int
ad_host_ok(const char *host)
{
	size_t	 n = strlen(host);

	if (n == 0 || n >= AD_HOST_MAX)
		return 0;
	for (const char *p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
			return 0;
	return 1;
}

/* The gateway's EWS URL as this client reaches it; *SERVER gets the host
 * part as sent. */
static void
ad_ews_url(struct xfer *xf, char *url, size_t len, char *server,
    size_t slen)
{
	struct proxy	*px = xf->xf_px;
	const char	*host = evhttp_find_header(
	    evhttp_request_get_input_headers(xf->xf_req), "Host");
	const char	*lh = px->px_conf->listen_host;
	char		 own[AD_HOST_MAX];

	if (host == NULL || !ad_host_ok(host)) {
		snprintf(own, sizeof(own), "%s%s%s:%u", strchr(lh, ':') ?
		    "[" : "", lh, strchr(lh, ':') ? "]" : "",
		    px->px_conf->listen_port);
		host = own;
	}
	snprintf(url, len, "%s://%s/EWS/Exchange.asmx", px->px_tls ?
	    "https" : "http", host);
	snprintf(server, slen, "%.*s", (int)(host[0] == '[' ?
	    strcspn(host, "]") + 1 : strcspn(host, ":")), host);
}

static void
ad_reply(struct xfer *xf, int status, char *xml, size_t len)
{
	if (xml == NULL) {
		reply_text(xf->xf_req, 500, "500 out of memory\n");
		xf->xf_status = 500;
		xf->xf_error = "out of memory";
		return;
	}
	reply_xml(xf->xf_req, status, xml, len);
	xf->xf_status = status;
	xf->xf_bytes_out = len;
	free(xml);
}

static void
ad_pox(struct xfer *xf, const char *body, size_t blen, const char *url,
    const char *server)
{
	struct soap_ad_request	*q;
	size_t			 len = 0;
	char			*xml;

	if ((q = malloc(sizeof(*q))) == NULL) {
		ad_reply(xf, 500, NULL, 0);
		return;
	}
	if (evhttp_request_get_command(xf->xf_req) != EVHTTP_REQ_POST ||
	    soap_ad_read(body, blen, 0, q) == -1) {
		/* Exchange's answer to a GET or an unreadable body. */
		xf->xf_error = "not a POX Autodiscover request";
		xml = soap_ad_pox_error(600, "Invalid Request", &len);
		ad_reply(xf, evhttp_request_get_command(xf->xf_req) ==
		    EVHTTP_REQ_POST ? 400 : 200, xml, len);
	} else if (q->schema[0] != '\0' &&
	    strcmp(q->schema, SOAP_NS_AD_OUTLOOK) != 0) {
		xf->xf_error = "response schema not available";
		xml = soap_ad_pox_error(601, "Provider is not available", &len);
		ad_reply(xf, 200, xml, len);
	} else if (!auth_user_may_reach(xf->xf_user, q->users[0])) {
		xf->xf_error = "address not mapped for this user";
		xml = soap_ad_pox_error(500, "The e-mail address cannot be "
		    "found.", &len);
		ad_reply(xf, 200, xml, len);
	} else {
		/* The mapped spelling of the user's own address. */
		if (strcasecmp(q->users[0], auth_user_mailbox(xf->xf_user)) ==
		    0)
			snprintf(q->users[0], sizeof(q->users[0]), "%s",
			    auth_user_mailbox(xf->xf_user));
		xml = soap_ad_pox_settings(q->users[0], url, server,
		    xf->xf_px->px_tls != NULL, &len);
		ad_reply(xf, 200, xml, len);
	}
	free(q);
}

static void
ad_soap(struct xfer *xf, const char *body, size_t blen, const char *url)
{
	struct soap_ad_request	*q;
	const char		*urls[SOAP_AD_USERS_MAX];
	const char		*top = NULL;
	char			 msg[160] = "", *xml;
	size_t			 len = 0;

	if ((q = malloc(sizeof(*q))) == NULL) {
		ad_reply(xf, 500, NULL, 0);
		return;
	}
	if (soap_ad_read(body, blen, 1, q) == -1) {
		top = "InvalidRequest";
		snprintf(msg, sizeof(msg), "The request is not a SOAP "
		    "Autodiscover request ewsgw can read.");
	} else if (strcmp(q->op, "GetUserSettingsRequestMessage") != 0) {
		top = "InvalidRequest";
		snprintf(msg, sizeof(msg), "ewsgw answers GetUserSettings "
		    "only, not %s.", q->op);
	} else if (q->nusers == 0 || q->nsettings == 0) {
		top = "InvalidRequest";
		snprintf(msg, sizeof(msg), "GetUserSettings needs at least "
		    "one user and one setting.");
	}
	for (size_t i = 0; top == NULL && i < q->nusers; i++) {
		urls[i] = auth_user_may_reach(xf->xf_user, q->users[i]) ?
		    url : NULL;
		if (urls[i] == NULL)
			xf->xf_error = "address not mapped for this user";
	}
	if (top != NULL)
		xf->xf_error = "bad GetUserSettings request";
	xml = soap_ad_soap_answer(q, urls, top, msg, &len);
	ad_reply(xf, top ? 400 : 200, xml, len);
	free(q);
}

void
autodiscover_answer(struct xfer *xf)
{
	const char	*body;
	size_t		 blen = evbuffer_get_length(xf->xf_body);
	char		 url[AD_HOST_MAX + 64], server[AD_HOST_MAX];

	for (size_t i = 0; i < NELEM(ad_routes); i++)
		if ((int)ad_routes[i].kind == xf->xf_ad)
			snprintf(xf->xf_op, sizeof(xf->xf_op), "%s",
			    ad_routes[i].op);
	if (xf->xf_req == NULL) {
		xfer_finish(xf);
		return;
	}
	body = (const char *)evbuffer_pullup(xf->xf_body, -1);
	ad_ews_url(xf, url, sizeof(url), server, sizeof(server));
	if (xf->xf_ad == AD_POX)
		ad_pox(xf, body, blen, url, server);
	else
		ad_soap(xf, body, blen, url);
	xfer_finish(xf);
}
