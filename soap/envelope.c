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
	int			 ret = -1, depth, type, in_body = 0;
	size_t			 n;

	if (op == NULL || oplen == 0)
		return -1;
	*op = '\0';
	if (body == NULL)
		return -1;
	if (len > SOAP_SCAN_BYTES)
		len = SOAP_SCAN_BYTES;
	if ((r = soap_reader_new(body, len)) == NULL)
		goto done;
	while ((type = soap_reader_next(r)) > 0) {
		switch (type) {
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
