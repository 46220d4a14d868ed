/*
 * fake365 EWS impersonation with an app-only token (roles
 * full_access_as_app): the request must carry exactly one
 * ExchangeImpersonation naming a mailbox of the directory, as Exchange
 * Online insists (office365.md §2.2); that mailbox is then served and
 * logged as "impersonated".
 */
#include <stdio.h>
#include <string.h>

#include "tests/fake365/ews.h"

/* ConnectingSID children the fake resolves (it knows no SIDs). */
static const char *const imp_forms[] = {
	"PrimarySmtpAddress", "SmtpAddress", "PrincipalName", "SID",
};

int
ews_impersonate(struct ews_req *req, xmlNodePtr hdr, xmlNodePtr imp)
{
	xmlNodePtr	 sid, c, v = NULL;
	char		 addr[320];
	int		 n = 0, user;

	if (imp == NULL)
		return ews_fail(req, "ErrorInvalidExchangeImpersonationHeaderData",
		    "ExchangeImpersonation SOAP header must be present for "
		    "this type of OAuth token.");
	if (xml_next(imp, NS_T, "ExchangeImpersonation") != NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: The element "
		    "'ExchangeImpersonation' appears more than once.");
	if ((sid = xml_child(imp, NS_T, "ConnectingSID")) == NULL)
		return ews_fail(req, "ErrorInvalidExchangeImpersonationHeaderData",
		    NULL);
	XML_EACH(c, sid) {
		n++;
		for (size_t i = 0; i < NELEM(imp_forms); i++)
			if (xml_is(c, NS_T, imp_forms[i]))
				v = c;
	}
	if (n != 1 || v == NULL || *xml_text(v, addr, sizeof(addr)) == '\0')
		return ews_fail(req, "ErrorInvalidExchangeImpersonationHeaderData",
		    "ConnectingSID must hold exactly one non-empty user id.");
	json_object_set_new(req->fx->fx_log, "impersonated",
	    json_string(addr));
	json_object_set_new(req->fx->fx_log, "impersonated_by",
	    json_string((const char *)v->name));
	if (xml_is(v, NS_T, "SID") || (user = dir_user_byupn(addr)) == -1)
		return ews_fail(req, "ErrorNonExistentMailbox", "The "
		    "impersonated user has no mailbox associated with it.");
	req->user = user;
	req->fx->fx_busy = user + 1;	/* per-mailbox concurrency */
	reqlog_busy(user, 0, 1);
	snprintf(req->fx->fx_user, sizeof(req->fx->fx_user), "%s",
	    dir_user_at(user)->upn);
	return 0;
}
