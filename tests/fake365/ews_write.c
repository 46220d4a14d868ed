/*
 * fake365 EWS response writing with libxml2's xmlTextWriter: the
 * envelope with ServerVersionInfo as Exchange Online sends it, response
 * messages with their ResponseClass, SOAP faults shaped like EXO's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

static const struct ews_code {
	const char	*code;
	const char	*klass;		/* ResponseClass */
	const char	*text;		/* MessageText */
} ews_codes[] = {
	{ "NoError", "Success", NULL },
	{ "ErrorNameResolutionMultipleResults", "Warning",
	    "Multiple results were found." },
	{ "ErrorNameResolutionNoResults", "Error", "No results were found." },
	{ "ErrorItemNotFound", "Error",
	    "The specified object was not found in the store., The process "
	    "failed to get the correct properties." },
	{ "ErrorFolderNotFound", "Error",
	    "The specified folder could not be found in the store." },
	{ "ErrorInvalidIdMalformed", "Error", "Id is malformed." },
	{ "ErrorInvalidIdEmpty", "Error", "Id must be non-empty." },
	{ "ErrorCannotFindFileAttachment", "Error",
	    "The request attachment cannot be found." },
	{ "ErrorInvalidAttachmentId", "Error", "The attachment ID is invalid." },
	{ "ErrorAccessDenied", "Error",
	    "Access is denied. Check credentials and try again." },
	{ "ErrorServerBusy", "Error",
	    "The server cannot service this request right now. Try again "
	    "later." },
	{ "ErrorInvalidServerVersion", "Error",
	    "The specified server version is invalid." },
	{ "ErrorNonExistentMailbox", "Error",
	    "The SMTP address has no mailbox associated with it." },
	{ "ErrorInvalidRequest", "Error", "The request is invalid." },
	{ "ErrorSchemaValidation", "Error",
	    "The request failed schema validation." },
	{ "ErrorInvalidExchangeImpersonationHeaderData", "Error",
	    "ExchangeImpersonation SOAP header must be present for this type "
	    "of OAuth token." },
	{ "ErrorImpersonateUserDenied", "Error",
	    "The account does not have permission to impersonate the "
	    "requested user." },
	{ "ErrorInvalidPagingMaxRows", "Error",
	    "The specified paging MaxRows value is invalid." },
	{ "ErrorCalendarViewRangeTooBig", "Error",
	    "The calendar view range is too big." },
	{ "ErrorUnsupportedTypeForConversion", "Error",
	    "The destination format is not supported for this id." },
	{ "ErrorSubscriptionNotFound", "Error",
	    "The specified subscription was not found." },
	{ "ErrorSubscriptionAccessDenied", "Error",
	    "You aren't allowed to access the subscription." },
	{ "ErrorExpiredSubscription", "Error",
	    "The subscription has expired." },
	{ "ErrorInvalidWatermark", "Error", "Watermark is invalid." },
	{ "ErrorInvalidSubscriptionRequest", "Error",
	    "The subscription request is invalid." },
	{ "ErrorInvalidPushSubscriptionUrl", "Error",
	    "The push subscription URL is invalid." },
	{ "ErrorExceededSubscriptionCount", "Error",
	    "You have exceeded the maximum number of subscriptions." },
	{ "ErrorInternalServerError", "Error",
	    "An internal server error occurred. The operation failed." },
};

static const char *const ews_rights_elems[] = {
	"t:CreateAssociated", "t:CreateContents", "t:CreateHierarchy",
	"t:Delete", "t:Modify", "t:Read", "t:ViewPrivateItems",
};

static const struct ews_code *
ews_code(const char *code)
{
	for (size_t i = 0; i < NELEM(ews_codes); i++)
		if (strcmp(ews_codes[i].code, code) == 0)
			return &ews_codes[i];
	return &ews_codes[NELEM(ews_codes) - 1];
}

const char *
ews_code_text(const char *code)
{
	return ews_code(code)->text;
}

void
ews_iso(time_t t, char *out, size_t len)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
ews_parse_time(const char *s, time_t *t)
{
	struct tm	 tm;
	char		 sign;
	int		 n = 0, oh, om;
	time_t		 base;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.')
		s += 1 + strspn(s + 1, "0123456789");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((base = timegm(&tm)) == -1)
		return -1;
	if (*s == '\0' || strcmp(s, "Z") == 0) {
		*t = base;
		return 0;
	}
	if (sscanf(s, "%c%2d:%2d%n", &sign, &oh, &om, &n) != 3 ||
	    s[n] != '\0' || (sign != '+' && sign != '-'))
		return -1;
	*t = base - (sign == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
	return 0;
}

/* Exchange Online 15.20, or on-premises Exchange Server 2019 CU14. */
static int
ews_server_version(xmlTextWriterPtr w, int onprem)
{
	W(xmlTextWriterStartElement(w, XC("h:ServerVersionInfo")));
	W(xmlTextWriterWriteAttribute(w, XC("MajorVersion"),
	    XC("15")));
	W(xmlTextWriterWriteAttribute(w, XC("MinorVersion"),
	    XC(onprem ? "2" : "20")));
	W(xmlTextWriterWriteAttribute(w, XC("MajorBuildNumber"),
	    XC(onprem ? "1544" : "8769")));
	W(xmlTextWriterWriteAttribute(w, XC("MinorBuildNumber"),
	    XC(onprem ? "4" : "35")));
	W(xmlTextWriterWriteAttribute(w, XC("Version"),
	    XC(onprem ? "Exchange2016" : "V2018_01_08")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:h"), XC(NS_T)));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:xsd"),
	    XC("http://www.w3.org/2001/XMLSchema")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:xsi"),
	    XC("http://www.w3.org/2001/XMLSchema-instance")));
	return xmlTextWriterEndElement(w);
}

int
ews_begin(struct ews_req *req)
{
	char	 name[96];

	if ((req->buf = xmlBufferCreate()) == NULL ||
	    (req->w = xmlNewTextWriterMemory(req->buf, 0)) == NULL)
		return -1;
	W(xmlTextWriterStartDocument(req->w, NULL, "utf-8", NULL));
	W(xmlTextWriterStartElement(req->w, XC("s:Envelope")));
	W(xmlTextWriterWriteAttribute(req->w, XC("xmlns:s"),
	    XC(NS_SOAP)));
	W(xmlTextWriterStartElement(req->w, XC("s:Header")));
	W(ews_server_version(req->w, req->onprem));
	W(xmlTextWriterEndElement(req->w));
	W(xmlTextWriterStartElement(req->w, XC("s:Body")));
	snprintf(name, sizeof(name), "m:%sResponse", req->opname);
	W(xmlTextWriterStartElement(req->w, XC(name)));
	W(xmlTextWriterWriteAttribute(req->w, XC("xmlns:m"),
	    XC(NS_M)));
	W(xmlTextWriterWriteAttribute(req->w, XC("xmlns:t"),
	    XC(NS_T)));
	return xmlTextWriterStartElement(req->w, XC("m:ResponseMessages"));
}

static int
ews_msg_start(struct ews_req *req, const struct ews_code *c)
{
	char	 name[96];

	snprintf(name, sizeof(name), "m:%sResponseMessage", req->opname);
	W(xmlTextWriterStartElement(req->w, XC(name)));
	W(xmlTextWriterWriteAttribute(req->w, XC("ResponseClass"),
	    XC(c->klass)));
	if (c->text != NULL)
		W(ews_elem(req, "m:MessageText", c->text));
	W(ews_elem(req, "m:ResponseCode", c->code));
	if (c->text != NULL)
		W(ews_elem(req, "m:DescriptiveLinkKey", "0"));
	return 0;
}

int
ews_msg(struct ews_req *req, const char *code)
{
	return ews_msg_start(req, ews_code(code));
}

int
ews_msg_backoff(struct ews_req *req, const char *code, long ms)
{
	W(ews_msg_start(req, ews_code(code)));
	W(ews_start(req, "m:MessageXml"));
	W(ews_start(req, "t:Value"));
	W(ews_attr(req, "Name", "BackOffMilliseconds"));
	W(xmlTextWriterWriteFormatString(req->w, "%ld", ms));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

int
ews_start(struct ews_req *req, const char *name)
{
	return xmlTextWriterStartElement(req->w, XC(name));
}

int
ews_end_elem(struct ews_req *req)
{
	return xmlTextWriterEndElement(req->w);
}

int
ews_attr(struct ews_req *req, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(req->w, XC(name),
	    XC(value));
}

int
ews_elem(struct ews_req *req, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(req->w, XC(name),
	    XC(text));
}

int
ews_elemf(struct ews_req *req, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = xmlTextWriterWriteVFormatElement(req->w, XC(name), fmt, ap);
	va_end(ap);
	return rc;
}

int
ews_time(struct ews_req *req, const char *name, time_t t)
{
	char	 s[32];

	ews_iso(t, s, sizeof(s));
	return ews_elem(req, name, s);
}

int
ews_idelem(struct ews_req *req, const char *name, const struct ews_ref *ref)
{
	char	 id[EWS_ID_MAX], ck[EWS_ID_MAX];

	ews_id(ref, id, sizeof(id));
	ews_changekey(ref, ck, sizeof(ck));
	W(ews_start(req, name));
	W(ews_attr(req, "Id", id));
	W(ews_attr(req, "ChangeKey", ck));
	return ews_end_elem(req);
}

int
ews_mailbox(struct ews_req *req, const char *elem, const char *name,
    const char *addr, const char *type)
{
	if (elem != NULL)
		W(ews_start(req, elem));
	W(ews_start(req, "t:Mailbox"));
	W(ews_elem(req, "t:Name", name));
	W(ews_elem(req, "t:EmailAddress", addr));
	W(ews_elem(req, "t:RoutingType", "SMTP"));
	W(ews_elem(req, "t:MailboxType", type));
	W(ews_end_elem(req));
	return elem != NULL ? ews_end_elem(req) : 0;
}

static int
ews_fault_write(xmlTextWriterPtr w, const char *code, const char *text,
    long backoff_ms)
{
	char	 qname[96];

	snprintf(qname, sizeof(qname), "a:%s", code);
	W(xmlTextWriterStartDocument(w, NULL, "utf-8", NULL));
	W(xmlTextWriterStartElement(w, XC("s:Envelope")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:s"), XC(NS_SOAP)));
	W(xmlTextWriterStartElement(w, XC("s:Body")));
	W(xmlTextWriterStartElement(w, XC("s:Fault")));
	W(xmlTextWriterStartElement(w, XC("faultcode")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:a"), XC(NS_T)));
	W(xmlTextWriterWriteString(w, XC(qname)));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, XC("faultstring")));
	W(xmlTextWriterWriteAttribute(w, XC("xml:lang"),
	    XC("en-US")));
	W(xmlTextWriterWriteString(w, XC(text)));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, XC("detail")));
	W(xmlTextWriterStartElement(w, XC("e:ResponseCode")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:e"), XC(NS_E)));
	W(xmlTextWriterWriteString(w, XC(code)));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, XC("e:Message")));
	W(xmlTextWriterWriteAttribute(w, XC("xmlns:e"), XC(NS_E)));
	W(xmlTextWriterWriteString(w, XC(text)));
	W(xmlTextWriterEndElement(w));
	if (backoff_ms > 0) {
		W(xmlTextWriterStartElement(w, XC("t:MessageXml")));
		W(xmlTextWriterWriteAttribute(w, XC("xmlns:t"),
		    XC(NS_T)));
		W(xmlTextWriterStartElement(w, XC("t:Value")));
		W(xmlTextWriterWriteAttribute(w, XC("Name"),
		    XC("BackOffMilliseconds")));
		W(xmlTextWriterWriteFormatString(w, "%ld", backoff_ms));
		W(xmlTextWriterEndElement(w));
		W(xmlTextWriterEndElement(w));
	}
	return xmlTextWriterEndDocument(w);
}

xmlBufferPtr
ews_fault_doc(const char *code, const char *text, long backoff_ms)
{
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w = NULL;

	if (text == NULL)
		text = ews_code_text(code);
	if ((buf = xmlBufferCreate()) == NULL ||
	    (w = xmlNewTextWriterMemory(buf, 0)) == NULL ||
	    ews_fault_write(w, code, text, backoff_ms) < 0) {
		xmlFreeTextWriter(w);
		xmlBufferFree(buf);
		return NULL;
	}
	xmlFreeTextWriter(w);
	return buf;
}

int
ews_rights(struct ews_req *req, const char *elem)
{
	W(ews_start(req, elem));
	for (size_t i = 0; i < NELEM(ews_rights_elems); i++)
		W(ews_elem(req, ews_rights_elems[i], "true"));
	return ews_end_elem(req);
}
