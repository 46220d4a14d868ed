/* Inside soap/. */
#ifndef EWSGW_SOAP_INT_H
#define EWSGW_SOAP_INT_H

#include <stddef.h>

#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

/* A C string as libxml2's const xmlChar *: BAD_CAST without losing const. */
#define XC(s)	((const xmlChar *)(s))

/*
 * <PREFIX:NAME xmlns:PREFIX="NS" ATTR="AVAL">TEXT</PREFIX:NAME>, where
 * PREFIX, NS and ATTR may be NULL. TEXT is cleaned (bytes XML does not
 * allow become U+FFFD), then escaped. 0 / -1. (fault.c)
 */
int	soap_write_elem(xmlTextWriterPtr w, const char *prefix,
	    const char *name, const char *ns, const char *attr,
	    const char *aval, const char *text);

/* xmlread.c: libxml2's pull parser, safe on hostile input. */
struct _xmlTextReader;
/* A reader over LEN bytes of BODY (borrowed while it lives): no network,
 * no DTD, no entity substitution, quiet. NULL when out of memory. */
struct _xmlTextReader *soap_reader_new(const char *body, size_t len);
/* The next node's type (XML_READER_TYPE_*), 0 at the end, -1 on a parse
 * error or at a DOCTYPE or entity reference (never expanded). */
int	soap_reader_next(struct _xmlTextReader *r);

/* writer.c: a document written with xmlTextWriter into memory. */
/* A new writer (indenting, after an XML declaration) into a new *BUF;
 * NULL when out of memory (*BUF is then NULL too). */
xmlTextWriterPtr soap_writer_new(xmlBufferPtr *buf);
/* Ends the document, frees W and BUF (both may be NULL) and returns what
 * was written as a new NUL-terminated string with *LEN (LEN may be
 * NULL); NULL when FAILED is set or on any error. */
char	*soap_writer_end(xmlTextWriterPtr w, xmlBufferPtr buf, int failed,
	    size_t *len);

#endif
