/*
 * Whose mailbox a request reaches. With an app-only token (app mode)
 * Exchange would let the request into any mailbox of the tenant, so
 * ewsgw decides: the request is read whole with soap_read, and
 *
 *   no ExchangeImpersonation      -> ewsgw sets one to the user's own
 *                                    mailbox (body rewritten)
 *   one, naming an allowed SMTP   -> kept as sent
 *   address (own mailbox or the
 *   user's --impersonate list)
 *   anything else                 -> 403 ErrorImpersonateUserDenied,
 *                                    never forwarded
 *
 * "Anything else" is: a target off the list, a SID or a PrincipalName
 * that is not itself an allowed address, two headers, one outside
 * soap:Header, a body that cannot be read safely (DOCTYPE, entities,
 * limits), and a DistinguishedFolderId (or delegate call) naming a
 * mailbox off the list. X-AnchorMailbox follows the mailbox chosen.
 *
 * With a user's own token (delegated, ropc) Exchange Online no longer
 * honours impersonation, so a client that sends it is told why here
 * instead of getting Exchange's bare refusal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "auth/auth.h"
#include "log.h"
#include "proxy/xfer.h"

static int
imp_refuse(struct imp_verdict *v, const char *reason, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
imp_refuse(struct imp_verdict *v, const char *reason, const char *fmt, ...)
{
	va_list	 ap;

	v->iv_status = 403;
	v->iv_code = SOAP_FAULT_IMPERSONATE_DENIED;
	v->iv_reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->iv_message, sizeof(v->iv_message), fmt, ap);
	va_end(ap);
	return -1;
}

/* A failure of the gateway itself (500 with CODE). */
static int
imp_error(struct imp_verdict *v, enum soap_fault_code code,
    const char *reason, const char *message)
{
	v->iv_status = 0;
	v->iv_code = code;
	v->iv_reason = reason;
	snprintf(v->iv_message, sizeof(v->iv_message), "%s", message);
	return -1;
}

/* Delegated and ropc: a client's ExchangeImpersonation is refused. */
static int
imp_user_token(struct xfer *xf, const char *body, size_t len,
    struct imp_verdict *v)
{
	const char	*why;

	if (soap_header_impersonates(body, len, &why) <= 0)
		return 0;	/* none, or unreadable: Exchange says why */
	return imp_refuse(v, "impersonation_user_token", "ExchangeImpersonation "
	    "is not honoured by Exchange Online with a user's own token; "
	    "%s is a %s user. An admin can switch it to app mode ('ewsgw "
	    "user set %s --mode app') and allow the mailboxes it may "
	    "impersonate with --impersonate.", auth_user_name(xf->xf_user),
	    auth_mode_name(auth_user_mode(xf->xf_user)),
	    auth_user_name(xf->xf_user));
}

/* App mode: 0 when the client's own impersonation is allowed. */
static int
imp_client_target(struct xfer *xf, const struct soap_request *r,
    struct imp_verdict *v)
{
	const char	*name = auth_user_name(xf->xf_user);

	if (r->sr_form == SOAP_SID_SID)
		return imp_refuse(v, "impersonation_sid", "ExchangeImpersonation "
		    "by SID is not allowed through the gateway for %s: name "
		    "the mailbox by its SMTP address.", name);
	if (!auth_user_may_reach(xf->xf_user, r->sr_target))
		return imp_refuse(v, "impersonation_not_allowed",
		    "%s may not impersonate '%.200s' (%s): it is neither the "
		    "user's own mailbox nor on its --impersonate list.", name,
		    r->sr_target, soap_sid_form_name(r->sr_form));
	return 0;
}

/* App mode: ewsgw's own impersonation of the user's mailbox. */
static int
imp_inject(struct xfer *xf, const char *body, size_t len,
    struct imp_verdict *v)
{
	const char	*mailbox = auth_user_mailbox(xf->xf_user);
	char		*out;
	size_t		 outlen = 0;

	if ((out = soap_set_impersonation(body, len, mailbox, &outlen)) ==
	    NULL)
		return imp_error(v, SOAP_FAULT_INTERNAL, "impersonation_write",
		    "The gateway could not set ExchangeImpersonation in the "
		    "request.");
	evbuffer_drain(xf->xf_body, evbuffer_get_length(xf->xf_body));
	if (evbuffer_add(xf->xf_body, out, outlen) == -1) {
		free(out);
		return imp_error(v, SOAP_FAULT_SERVER_BUSY, "out_of_memory",
		    "The gateway ran out of memory.");
	}
	free(out);
	snprintf(xf->xf_anchor, sizeof(xf->xf_anchor), "%s", mailbox);
	log_req(LOG_LEVEL_DEBUG, xf->xf_id, "%s: ExchangeImpersonation set "
	    "to %s", auth_user_name(xf->xf_user), mailbox);
	return 0;
}

static int
imp_app(struct xfer *xf, const char *body, size_t len, struct imp_verdict *v)
{
	struct soap_request	*r;
	const char		*why, *name = auth_user_name(xf->xf_user);
	int			 ret = -1;

	if ((r = malloc(sizeof(*r))) == NULL)
		return imp_error(v, SOAP_FAULT_SERVER_BUSY, "out_of_memory",
		    "The gateway ran out of memory.");
	if (soap_read(body, len, r, &why) == -1) {
		imp_refuse(v, "impersonation_unreadable", "In app mode the "
		    "gateway reads each request to choose the mailbox, and "
		    "this one cannot be read safely: %s.", why);
		goto done;
	}
	snprintf(xf->xf_op, sizeof(xf->xf_op), "%s", r->sr_op);
	if (r->sr_misplaced > 0) {
		imp_refuse(v, "impersonation_misplaced", "ExchangeImpersonation "
		    "is only allowed directly in soap:Header.");
		goto done;
	}
	if (r->sr_nimpersonate > 1) {
		imp_refuse(v, "impersonation_twice", "The request holds %d "
		    "ExchangeImpersonation headers; at most one is allowed.",
		    r->sr_nimpersonate);
		goto done;
	}
	if (r->sr_nimpersonate == 1 && imp_client_target(xf, r, v) == -1)
		goto done;
	for (size_t i = 0; i < r->sr_nmailboxes; i++)
		if (!auth_user_may_reach(xf->xf_user, r->sr_mailboxes[i])) {
			imp_refuse(v, "mailbox_not_allowed", "%s may not "
			    "reach the mailbox '%.200s' named in the request: "
			    "it is neither the user's own mailbox nor on its "
			    "--impersonate list.", name, r->sr_mailboxes[i]);
			goto done;
		}
	if (r->sr_nimpersonate == 0) {
		ret = imp_inject(xf, body, len, v);
		goto done;
	}
	/* The client's impersonation, allowed above, goes as sent. */
	snprintf(xf->xf_anchor, sizeof(xf->xf_anchor), "%s", r->sr_target);
	log_req(LOG_LEVEL_INFO, xf->xf_id, "%s impersonates %s (%s, allowed)",
	    name, xf->xf_anchor, soap_sid_form_name(r->sr_form));
	ret = 0;
done:
	free(r);
	return ret;
}

int
impersonate_check(struct xfer *xf, struct imp_verdict *v)
{
	size_t		 len = evbuffer_get_length(xf->xf_body);
	const char	*body = (const char *)evbuffer_pullup(xf->xf_body, -1);

	memset(v, 0, sizeof(*v));
	switch (auth_user_mode(xf->xf_user)) {
	case AUTH_MODE_APP:
		return imp_app(xf, body, len, v);
	case AUTH_MODE_DELEGATED:
	case AUTH_MODE_ROPC:
		return imp_user_token(xf, body, len, v);
	default:
		return 0;	/* on-premises: Exchange decides */
	}
}
