/*
 * libxml2's pull parser set up for hostile input, shared by every reader
 * in soap/: nothing loaded from the network (NONET), no DTD loaded or
 * applied and no entity substituted (no NOENT, DTDLOAD, DTDATTR), a
 * DOCTYPE or entity reference ends the read, and libxml2's messages stay
 * off stderr (callers answer malformed input themselves).
 */
#include <limits.h>

#include <libxml/xmlreader.h>

#include "soap/soap_int.h"

static void
soap_quiet_cb(void *arg, const char *msg, xmlParserSeverities severity,
    xmlTextReaderLocatorPtr locator)
{
}

xmlTextReaderPtr
soap_reader_new(const char *body, size_t len)
{
	xmlTextReaderPtr	 r;

	if (len > INT_MAX)
		return NULL;
	r = xmlReaderForMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r != NULL)
		xmlTextReaderSetErrorHandler(r, soap_quiet_cb, NULL);
	return r;
}

int
soap_reader_next(xmlTextReaderPtr r)
{
	int	 type;

	switch (xmlTextReaderRead(r)) {
	case 1:
		break;
	case 0:
		return 0;
	default:
		return -1;
	}
	type = xmlTextReaderNodeType(r);
	if (type == XML_READER_TYPE_DOCUMENT_TYPE ||
	    type == XML_READER_TYPE_ENTITY_REFERENCE)
		return -1;
	return type;
}
