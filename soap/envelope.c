/*
 * The operation of an EWS request: the first element inside soap:Body,
 * found with a pull parser that stops there. Hostile input is refused
 * early: any DOCTYPE (so no entity is ever declared, let alone expanded),
 * deep nesting, or an operation not within the first SOAP_SCAN_BYTES.
 */
#include <string.h>

#include <libxml/xmlreader.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

#define SOAP_SCAN_BYTES	(1024 * 1024)	/* prolog + Header must fit */
#define SOAP_MAX_DEPTH	64

/* libxml2 would print parse errors on stderr; the caller answers them. */
static void
soap_quiet_cb(void *arg, const char *msg, xmlParserSeverities severity,
    xmlTextReaderLocatorPtr locator)
{
}

/* Nonzero when the reader sits on element NAME of the envelope namespace. */
static int
soap_is(xmlTextReaderPtr r, const char *name)
{
	const xmlChar	*ns = xmlTextReaderConstNamespaceUri(r);
	const xmlChar	*local = xmlTextReaderConstLocalName(r);

	return ns != NULL && local != NULL &&
	    xmlStrEqual(ns, XC(SOAP_NS_ENVELOPE)) &&
	    xmlStrEqual(local, XC(name));
}

int
soap_operation(const char *body, size_t len, char *op, size_t oplen)
{
	xmlTextReaderPtr	 r = NULL;
	const xmlChar		*local;
	int			 ret = -1, depth, in_body = 0;
	size_t			 n;

	if (op == NULL || oplen == 0)
		return -1;
	*op = '\0';
	if (body == NULL)
		return -1;
	if (len > SOAP_SCAN_BYTES)
		len = SOAP_SCAN_BYTES;
	/* No XML_PARSE_NOENT, DTDLOAD or DTDATTR: entities stay unexpanded. */
	r = xmlReaderForMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r == NULL)
		goto done;
	xmlTextReaderSetErrorHandler(r, soap_quiet_cb, NULL);

	while (xmlTextReaderRead(r) == 1) {
		switch (xmlTextReaderNodeType(r)) {
		case XML_READER_TYPE_DOCUMENT_TYPE:
		case XML_READER_TYPE_ENTITY_REFERENCE:
			goto done;
		case XML_READER_TYPE_ELEMENT:
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (in_body && xmlTextReaderDepth(r) == 1)
				goto done;	/* </Body> with nothing in it */
			continue;
		default:
			continue;
		}
		if ((depth = xmlTextReaderDepth(r)) > SOAP_MAX_DEPTH)
			goto done;
		if (depth == 0 && !soap_is(r, "Envelope"))
			goto done;
		if (depth == 1 && soap_is(r, "Body")) {
			if (xmlTextReaderIsEmptyElement(r))
				goto done;
			in_body = 1;
		}
		if (depth == 2 && in_body) {
			local = xmlTextReaderConstLocalName(r);
			if (local == NULL ||
			    (n = strlen((const char *)local)) >= oplen ||
			    n >= SOAP_OPERATION_MAX)
				goto done;
			memcpy(op, local, n + 1);
			ret = 0;
			goto done;
		}
	}
done:
	xmlFreeTextReader(r);
	return ret;
}
