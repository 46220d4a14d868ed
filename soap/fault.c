/*
 * SOAP faults as Exchange sends them for request-level errors (HTTP 500,
 * a real EWS ResponseCode in detail), so EWS client libraries parse them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

/* Every name here is in ResponseCodeType of messages.xsd (test_soap). */
static const struct soap_fault {
	const char	*name;
	int		 status;
	const char	*text;
} soap_faults[] = {
	[SOAP_FAULT_INTERNAL] = { "ErrorInternalServerError", 500,
	    "An internal server error occurred. The operation failed." },
	[SOAP_FAULT_ACCESS_DENIED] = { "ErrorAccessDenied", 500,
	    "Access is denied. Check credentials and try again." },
	[SOAP_FAULT_SERVER_BUSY] = { "ErrorServerBusy", 500,
	    "The server cannot service this request right now. "
	    "Try again later." },
	[SOAP_FAULT_TRANSIENT] = { "ErrorInternalServerTransientError", 500,
	    "A temporary error occurred on the server. Try again later." },
	[SOAP_FAULT_CONNECTION_FAILED] = { "ErrorConnectionFailed", 500,
	    "The gateway could not connect to the Exchange server." },
	[SOAP_FAULT_TIMEOUT] = { "ErrorTimeoutExpired", 500,
	    "The request timed out before Exchange answered." },
	[SOAP_FAULT_INVALID_REQUEST] = { "ErrorInvalidRequest", 500,
	    "The request is invalid." },
	[SOAP_FAULT_SCHEMA] = { "ErrorSchemaValidation", 500,
	    "The request failed schema validation." },
	[SOAP_FAULT_TOO_BIG] = { "ErrorMessageSizeExceeded", 500,
	    "The request is larger than the gateway accepts." },
	[SOAP_FAULT_NO_MAILBOX] = { "ErrorNonExistentMailbox", 500,
	    "No mailbox is mapped to this user." },
	[SOAP_FAULT_ACCOUNT_DISABLED] = { "ErrorAccountDisabled", 500,
	    "The account has been disabled." },
	[SOAP_FAULT_IMPERSONATE_DENIED] = { "ErrorImpersonateUserDenied", 500,
	    "The account does not have permission to impersonate the "
	    "requested user." },
	[SOAP_FAULT_EXCEEDED_CONNECTIONS] = { "ErrorExceededConnectionCount",
	    500, "Too many concurrent connections. Try again later." },
};

_Static_assert(sizeof(soap_faults) / sizeof(soap_faults[0]) ==
    SOAP_FAULT_NCODES, "one soap_faults entry per enum soap_fault_code");

static const struct soap_fault *
soap_fault_get(enum soap_fault_code code)
{
	if ((unsigned)code >= SOAP_FAULT_NCODES)
		code = SOAP_FAULT_INTERNAL;
	return &soap_faults[code];
}

const char *
soap_fault_name(enum soap_fault_code code)
{
	return soap_fault_get(code)->name;
}

int
soap_fault_status(enum soap_fault_code code)
{
	return soap_fault_get(code)->status;
}

/*
 * The length of the UTF-8 character at S (N bytes left) when it is one
 * XML 1.0 allows in text, else 0.
 */
static size_t
soap_xml_char(const unsigned char *s, size_t n)
{
	uint32_t	 c;
	size_t		 len;

	if (s[0] < 0x80) {
		c = s[0];
		len = 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		c = s[0] & 0x1f;
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		c = s[0] & 0x0f;
		len = 3;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		c = s[0] & 0x07;
		len = 4;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff ||
	    (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
		return 0;
	return len;
}

/* A new copy of S where every byte that is not XML text is U+FFFD. */
static char *
soap_text_clean(const char *s)
{
	static const char	 repl[] = "\xef\xbf\xbd";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), len, o = 0;
	char			*out;

	if ((out = malloc(n * 3 + 1)) == NULL)
		return NULL;
	while (n > 0) {
		if ((len = soap_xml_char(p, n)) != 0) {
			memcpy(out + o, p, len);
			o += len;
		} else {
			memcpy(out + o, repl, 3);
			o += 3;
			len = 1;
		}
		p += len;
		n -= len;
	}
	out[o] = '\0';
	return out;
}

/*
 * <PREFIX:NAME xmlns:PREFIX="NS" ATTR="AVAL">TEXT</PREFIX:NAME>, where
 * PREFIX, NS and ATTR may be NULL. TEXT is cleaned, then escaped.
 */
int
soap_write_elem(xmlTextWriterPtr w, const char *prefix, const char *name,
    const char *ns, const char *attr, const char *aval, const char *text)
{
	char	*clean;
	int	 ret = -1;

	if ((clean = soap_text_clean(text)) == NULL)
		return -1;
	if (xmlTextWriterStartElementNS(w, XC(prefix), XC(name),
	    XC(ns)) < 0)
		goto done;
	if (attr != NULL &&
	    xmlTextWriterWriteAttribute(w, XC(attr), XC(aval)) < 0)
		goto done;
	if (xmlTextWriterWriteString(w, XC(clean)) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		goto done;
	ret = 0;
done:
	free(clean);
	return ret;
}

/* The s:Fault element with everything in it. */
static int
soap_write_fault(xmlTextWriterPtr w, const struct soap_fault *f,
    const char *message, const char *reason, unsigned backoff_ms)
{
	char	 code[128], backoff[16];

	snprintf(code, sizeof(code), "a:%s", f->name);
	snprintf(backoff, sizeof(backoff), "%u", backoff_ms);
	if (xmlTextWriterStartElementNS(w, XC("s"), XC("Envelope"),
	    XC(SOAP_NS_ENVELOPE)) < 0 ||
	    xmlTextWriterStartElementNS(w, XC("s"), XC("Body"),
	    NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, XC("s"), XC("Fault"),
	    NULL) < 0)
		return -1;
	if (soap_write_elem(w, NULL, "faultcode", NULL, "xmlns:a",
	    SOAP_NS_TYPES, code) < 0 ||
	    soap_write_elem(w, NULL, "faultstring", NULL, "xml:lang", "en-US",
	    message) < 0 ||
	    xmlTextWriterStartElement(w, XC("detail")) < 0 ||
	    soap_write_elem(w, "e", "ResponseCode", SOAP_NS_ERRORS, NULL, NULL,
	    f->name) < 0 ||
	    soap_write_elem(w, "e", "Message", SOAP_NS_ERRORS, NULL, NULL,
	    message) < 0)
		return -1;
	if (backoff_ms > 0 || reason != NULL) {
		if (xmlTextWriterStartElementNS(w, XC("t"),
		    XC("MessageXml"), XC(SOAP_NS_TYPES)) < 0)
			return -1;
		if (backoff_ms > 0 && soap_write_elem(w, "t", "Value", NULL,
		    "Name", "BackOffMilliseconds", backoff) < 0)
			return -1;
		if (reason != NULL && soap_write_elem(w, "t", "Value", NULL,
		    "Name", "GatewayReason", reason) < 0)
			return -1;
		if (xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	/* detail, s:Fault, s:Body, s:Envelope: soap_writer_end closes them */
	return 0;
}

char *
soap_fault_build(enum soap_fault_code code, const char *message,
    const char *reason, unsigned backoff_ms, size_t *len)
{
	const struct soap_fault	*f = soap_fault_get(code);
	xmlBufferPtr		 buf = NULL;
	xmlTextWriterPtr	 w;

	if (message == NULL)
		message = f->text;
	if ((w = soap_writer_new(&buf)) == NULL)
		return NULL;
	return soap_writer_end(w, buf, soap_write_fault(w, f, message,
	    reason, backoff_ms) < 0, len);
}
