/* Inside soap/. */
#ifndef EWSGW_SOAP_INT_H
#define EWSGW_SOAP_INT_H

#include <libxml/xmlstring.h>

/* A C string as libxml2's const xmlChar *: BAD_CAST without losing const. */
#define XC(s)	((const xmlChar *)(s))

#endif
