/* A document written with libxml2's xmlTextWriter into memory. */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "soap/soap_int.h"

#define SOAP_XML_DECL	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

xmlTextWriterPtr
soap_writer_new(xmlBufferPtr *buf)
{
	xmlTextWriterPtr	 w = NULL;

	if ((*buf = xmlBufferCreate()) == NULL ||
	    xmlBufferCCat(*buf, SOAP_XML_DECL) != 0 ||
	    (w = xmlNewTextWriterMemory(*buf, 0)) == NULL ||
	    xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, XC("  ")) < 0) {
		xmlFreeTextWriter(w);
		xmlBufferFree(*buf);
		*buf = NULL;
		return NULL;
	}
	return w;
}

char *
soap_writer_end(xmlTextWriterPtr w, xmlBufferPtr buf, int failed,
    size_t *len)
{
	char	*out = NULL;
	size_t	 n;

	if (w != NULL && !failed && xmlTextWriterEndDocument(w) < 0)
		failed = 1;
	xmlFreeTextWriter(w);	/* flushes into buf */
	if (buf == NULL || failed)
		goto done;
	n = (size_t)xmlBufferLength(buf);
	if ((out = malloc(n + 1)) == NULL)
		goto done;
	memcpy(out, xmlBufferContent(buf), n);
	out[n] = '\0';
	if (len != NULL)
		*len = n;
done:
	xmlBufferFree(buf);
	return out;
}
