/*
 * A whole EWS request read once with libxml2's pull parser, for the
 * decisions app mode makes: the operation, RequestServerVersion, every
 * ExchangeImpersonation and the mailboxes the request reaches into.
 * Hostile input is refused, never expanded: a DOCTYPE ends the read
 * before any element (so no entity exists to expand), nothing is loaded
 * (no DTDLOAD, NONET), depth and node count are capped, and libxml2's
 * own size limits stay on (no XML_PARSE_HUGE). Elements are told apart
 * by namespace URI and local name only; prefixes, comments, CDATA and
 * processing instructions never make an element.
 */
#include <limits.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

/* What an open element is, as far as the reader cares. */
enum rd_tag {
	RD_OTHER,
	RD_ENVELOPE,
	RD_HEADER,
	RD_BODY,
	RD_OP,		/* first element child of Body */
	RD_IMP,		/* Header/ExchangeImpersonation */
	RD_CSID,	/* .../ConnectingSID */
	RD_SIDVAL,	/* .../ConnectingSID/<form> */
	RD_DFID,	/* DistinguishedFolderId */
	RD_MAILBOX,	/* a Mailbox that scopes the request */
	RD_EMAIL,	/* its EmailAddress */
};

struct rd {
	struct soap_request	*r;
	const char		*why;
	enum rd_tag		 stack[SOAP_READ_MAX_DEPTH + 1];
	int			 nchildren[SOAP_READ_MAX_DEPTH + 1];
	int			 collecting;	/* text goes into val */
	char			 val[SOAP_ADDR_MAX];
	size_t			 vlen;
	int			 seen_body_child;
	int			 header_only;	/* stop at soap:Body */
	int			 at_body;	/* ... and it was reached */
};

static const struct {
	const char		*name;
	enum soap_sid_form	 form;
} rd_sid_forms[] = {
	{ "PrimarySmtpAddress", SOAP_SID_PRIMARY_SMTP },
	{ "SmtpAddress", SOAP_SID_SMTP },
	{ "PrincipalName", SOAP_SID_PRINCIPAL },
	{ "SID", SOAP_SID_SID },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
soap_sid_form_name(enum soap_sid_form form)
{
	for (size_t i = 0; i < NELEM(rd_sid_forms); i++)
		if (rd_sid_forms[i].form == form)
			return rd_sid_forms[i].name;
	return "";
}

/* libxml2's errors go nowhere; one of its limits gets a clearer why. */
static void
rd_quiet_cb(void *arg, const char *msg, xmlParserSeverities severity,
    xmlTextReaderLocatorPtr locator)
{
	struct rd	*rd = arg;

	if (msg != NULL && strcasestr(msg, "huge") != NULL)
		rd->why = "a text node is larger than 10 MB";
}

/* Nonzero when the reader sits on NS:NAME (NAME NULL: any name). */
static int
rd_is(xmlTextReaderPtr x, const char *ns, const char *name)
{
	const xmlChar	*u = xmlTextReaderConstNamespaceUri(x);
	const xmlChar	*l = xmlTextReaderConstLocalName(x);

	return u != NULL && l != NULL && xmlStrEqual(u, XC(ns)) &&
	    (name == NULL || xmlStrEqual(l, XC(name)));
}

/* VAL with surrounding XML white space removed, into OUT. */
static size_t
rd_trim(const char *val, size_t n, char *out, size_t outlen)
{
	static const char	 ws[] = " \t\r\n";

	while (n > 0 && strchr(ws, val[0]) != NULL)
		val++, n--;
	while (n > 0 && strchr(ws, val[n - 1]) != NULL)
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, val, n);
	out[n] = '\0';
	return n;
}

static int
rd_fail(struct rd *rd, const char *why)
{
	rd->why = why;
	return -1;
}

/* The tag of the element the reader sits on, under PARENT. */
static int
rd_classify(struct rd *rd, xmlTextReaderPtr x, int depth, enum rd_tag *tag)
{
	struct soap_request	*r = rd->r;
	enum rd_tag		 parent = depth > 0 ? rd->stack[depth - 1] :
	    RD_OTHER;
	const char		*local;
	xmlChar			*v;

	*tag = RD_OTHER;
	local = (const char *)xmlTextReaderConstLocalName(x);
	if (depth == 0) {
		if (!rd_is(x, SOAP_NS_ENVELOPE, "Envelope"))
			return rd_fail(rd, "the root element is not a SOAP 1.1 "
			    "Envelope");
		*tag = RD_ENVELOPE;
		return 0;
	}
	if (rd_is(x, SOAP_NS_TYPES, "ExchangeImpersonation")) {
		if (parent == RD_HEADER) {
			*tag = RD_IMP;
			r->sr_nimpersonate++;
		} else
			r->sr_misplaced++;
		return 0;
	}
	switch (parent) {
	case RD_ENVELOPE:
		if (rd_is(x, SOAP_NS_ENVELOPE, "Header"))
			*tag = RD_HEADER;
		else if (rd_is(x, SOAP_NS_ENVELOPE, "Body")) {
			*tag = RD_BODY;
			rd->at_body = 1;
		}
		return 0;
	case RD_HEADER:
		if (rd_is(x, SOAP_NS_TYPES, "RequestServerVersion") &&
		    (v = xmlTextReaderGetAttribute(x, XC("Version"))) !=
		    NULL) {
			rd_trim((const char *)v, strlen((const char *)v),
			    r->sr_version, sizeof(r->sr_version));
			xmlFree(v);
		}
		return 0;
	case RD_BODY:
		if (rd->seen_body_child++ == 0) {
			if (strlen(local) >= sizeof(r->sr_op))
				return rd_fail(rd, "the operation name is too "
				    "long");
			memcpy(r->sr_op, local, strlen(local) + 1);
			*tag = RD_OP;
		}
		return 0;
	case RD_IMP:
		if (!rd_is(x, SOAP_NS_TYPES, "ConnectingSID"))
			return rd_fail(rd, "ExchangeImpersonation holds "
			    "something other than ConnectingSID");
		*tag = RD_CSID;
		return 0;
	case RD_CSID:
		for (size_t i = 0; i < NELEM(rd_sid_forms); i++) {
			if (!rd_is(x, SOAP_NS_TYPES, rd_sid_forms[i].name))
				continue;
			if (r->sr_nimpersonate == 1)
				r->sr_form = rd_sid_forms[i].form;
			*tag = RD_SIDVAL;
			rd->collecting = 1;
			rd->vlen = 0;
			return 0;
		}
		return rd_fail(rd, "ConnectingSID holds an unknown element");
	case RD_DFID:
		if (rd_is(x, SOAP_NS_TYPES, "Mailbox"))
			*tag = RD_MAILBOX;
		break;
	case RD_OP:
		/* GetDelegate, AddDelegate...: m:Mailbox names the owner. */
		if (rd_is(x, SOAP_NS_TYPES, "Mailbox") ||
		    rd_is(x, SOAP_NS_MESSAGES, "Mailbox"))
			*tag = RD_MAILBOX;
		break;
	case RD_MAILBOX:
		if (rd_is(x, SOAP_NS_TYPES, "EmailAddress")) {
			*tag = RD_EMAIL;
			rd->collecting = 1;
			rd->vlen = 0;
		}
		return 0;
	default:
		break;
	}
	if (*tag == RD_OTHER && rd_is(x, SOAP_NS_TYPES,
	    "DistinguishedFolderId"))
		*tag = RD_DFID;
	return 0;
}

/* An element TAG at DEPTH closes. */
static int
rd_close(struct rd *rd, int depth)
{
	struct soap_request	*r = rd->r;
	enum rd_tag		 tag = rd->stack[depth];
	char			 v[SOAP_ADDR_MAX];

	switch (tag) {
	case RD_SIDVAL:
		rd->collecting = 0;
		if (rd_trim(rd->val, rd->vlen, v, sizeof(v)) == 0)
			return rd_fail(rd, "ConnectingSID names nobody");
		if (r->sr_nimpersonate == 1)
			memcpy(r->sr_target, v, strlen(v) + 1);
		break;
	case RD_CSID:
		if (rd->nchildren[depth] != 1)
			return rd_fail(rd, "ConnectingSID must hold exactly "
			    "one of PrimarySmtpAddress, SmtpAddress, "
			    "PrincipalName or SID");
		break;
	case RD_IMP:
		if (rd->nchildren[depth] != 1)
			return rd_fail(rd, "ExchangeImpersonation must hold "
			    "one ConnectingSID");
		break;
	case RD_EMAIL:
		rd->collecting = 0;
		if (rd_trim(rd->val, rd->vlen, v, sizeof(v)) == 0)
			break;
		if (r->sr_nmailboxes == SOAP_MAILBOXES_MAX)
			return rd_fail(rd, "the request names too many "
			    "mailboxes");
		memcpy(r->sr_mailboxes[r->sr_nmailboxes++], v, strlen(v) + 1);
		break;
	default:
		break;
	}
	return 0;
}

static int
rd_text(struct rd *rd, xmlTextReaderPtr x)
{
	const char	*t = (const char *)xmlTextReaderConstValue(x);
	size_t		 n = t != NULL ? strlen(t) : 0;

	if (!rd->collecting)
		return 0;
	if (rd->vlen + n >= sizeof(rd->val))
		return rd_fail(rd, "an address is too long");
	memcpy(rd->val + rd->vlen, t, n);
	rd->vlen += n;
	return 0;
}

static int
rd_element(struct rd *rd, xmlTextReaderPtr x, int depth)
{
	enum rd_tag	 tag;

	if (depth > SOAP_READ_MAX_DEPTH)
		return rd_fail(rd, "the XML nests too deep");
	if (rd->collecting)
		return rd_fail(rd, "an address holds an element");
	if (depth > 0)
		rd->nchildren[depth - 1]++;
	if (rd_classify(rd, x, depth, &tag) == -1)
		return -1;
	rd->stack[depth] = tag;
	rd->nchildren[depth] = 0;
	if (xmlTextReaderIsEmptyElement(x))
		return rd_close(rd, depth);
	return 0;
}

static int
rd_read(const char *body, size_t len, struct soap_request *r,
    const char **why, int header_only)
{
	xmlTextReaderPtr	 x = NULL;
	struct rd		 rd;
	long			 nodes = 0;
	int			 rc, depth, ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&rd, 0, sizeof(rd));
	rd.r = r;
	rd.header_only = header_only;
	rd.why = "the body is not well-formed XML";
	if (body == NULL || len > INT_MAX)
		goto done;
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE. */
	x = xmlReaderForMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x == NULL) {
		rd.why = "out of memory";
		goto done;
	}
	xmlTextReaderSetErrorHandler(x, rd_quiet_cb, &rd);
	while ((rc = xmlTextReaderRead(x)) == 1) {
		nodes += 1 + xmlTextReaderAttributeCount(x);
		if (nodes > SOAP_READ_MAX_NODES) {
			rd.why = "the XML has too many nodes";
			goto done;
		}
		depth = xmlTextReaderDepth(x);
		switch (xmlTextReaderNodeType(x)) {
		case XML_READER_TYPE_DOCUMENT_TYPE:
			rd.why = "a DOCTYPE is not allowed";
			goto done;
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
			rd.why = "entity references are not allowed";
			goto done;
		case XML_READER_TYPE_ELEMENT:
			if (depth < 0 || rd_element(&rd, x, depth) == -1)
				goto done;
			rd.why = NULL;
			if (rd.header_only && rd.at_body) {
				ret = 0;
				goto done;
			}
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (depth < 0 || depth > SOAP_READ_MAX_DEPTH ||
			    rd_close(&rd, depth) == -1)
				goto done;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (rd_text(&rd, x) == -1)
				goto done;
			break;
		default:
			break;
		}
	}
	if (rc != 0) {
		if (rd.why == NULL)
			rd.why = "the body is not well-formed XML";
		goto done;
	}
	if (r->sr_op[0] == '\0') {
		rd.why = "soap:Body holds no operation";
		goto done;
	}
	ret = 0;
done:
	xmlFreeTextReader(x);
	*why = ret == 0 ? NULL : rd.why;
	return ret;
}

int
soap_read(const char *body, size_t len, struct soap_request *r,
    const char **why)
{
	return rd_read(body, len, r, why, 0);
}

int
soap_header_impersonates(const char *body, size_t len, const char **why)
{
	struct soap_request	 r;

	if (rd_read(body, len, &r, why, 1) == -1)
		return -1;
	return r.sr_nimpersonate;
}
