/*
 * Setting the ExchangeImpersonation header of a request (app mode):
 * one DOM edit of a body soap_read already accepted, serialized back by
 * libxml2 so everything else stays as the client sent it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

/* Any internal subset stops the parse: no DOCTYPE, so no entities. */
static void
imp_no_dtd_cb(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr	 p = ctx;

	*(int *)p->_private = 1;
	xmlStopParser(p);
}

static xmlDocPtr
imp_parse(const char *body, size_t len)
{
	xmlParserCtxtPtr	 p;
	xmlDocPtr		 doc;
	int			 dtd = 0;

	if (len > INT_MAX || (p = xmlNewParserCtxt()) == NULL)
		return NULL;
	p->sax->internalSubset = imp_no_dtd_cb;
	p->_private = &dtd;
	doc = xmlCtxtReadMemory(p, body, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc != NULL && (dtd || !p->wellFormed || doc->intSubset != NULL)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(p);
	return doc;
}

static int
imp_is(xmlNodePtr n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, XC(ns)) && xmlStrEqual(n->name, XC(name));
}

/* soap:Header of ENV, created as its first child when missing. */
static xmlNodePtr
imp_header(xmlNodePtr env)
{
	xmlNodePtr	 n, hdr;

	for (n = env->children; n != NULL; n = n->next)
		if (imp_is(n, SOAP_NS_ENVELOPE, "Header"))
			return n;
	if ((hdr = xmlNewDocNode(env->doc, env->ns, XC("Header"), NULL)) ==
	    NULL)
		return NULL;
	if (env->children != NULL)
		return xmlAddPrevSibling(env->children, hdr);
	return xmlAddChild(env, hdr);
}

/* A namespace for the types URI in scope at HDR, or one declared on EL. */
static xmlNsPtr
imp_types_ns(xmlNodePtr hdr, xmlNodePtr el)
{
	xmlNsPtr	 ns = xmlSearchNsByHref(hdr->doc, hdr,
	    XC(SOAP_NS_TYPES));

	if (ns != NULL)
		return ns;
	return xmlNewNs(el, XC(SOAP_NS_TYPES), XC("t"));
}

static xmlNodePtr
imp_build(xmlNodePtr hdr, const char *target)
{
	xmlNodePtr	 imp, sid;
	xmlNsPtr	 ns;

	if ((imp = xmlNewDocNode(hdr->doc, NULL, XC("ExchangeImpersonation"),
	    NULL)) == NULL)
		return NULL;
	if ((ns = imp_types_ns(hdr, imp)) == NULL)
		goto fail;
	xmlSetNs(imp, ns);
	if ((sid = xmlNewChild(imp, ns, XC("ConnectingSID"), NULL)) == NULL ||
	    xmlNewTextChild(sid, ns, XC("PrimarySmtpAddress"), XC(target)) ==
	    NULL)
		goto fail;
	return imp;
fail:
	xmlFreeNode(imp);
	return NULL;
}

char *
soap_set_impersonation(const char *body, size_t len, const char *target,
    size_t *outlen)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 env, hdr, n, next, imp;
	xmlChar		*mem = NULL;
	char		*out = NULL;
	int		 size = 0;

	if (body == NULL || target == NULL || *target == '\0' ||
	    (doc = imp_parse(body, len)) == NULL)
		goto done;
	env = xmlDocGetRootElement(doc);
	if (env == NULL || !imp_is(env, SOAP_NS_ENVELOPE, "Envelope") ||
	    (hdr = imp_header(env)) == NULL)
		goto done;
	for (n = hdr->children; n != NULL; n = next) {
		next = n->next;
		if (imp_is(n, SOAP_NS_TYPES, "ExchangeImpersonation")) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	if ((imp = imp_build(hdr, target)) == NULL)
		goto done;
	if (xmlAddChild(hdr, imp) == NULL) {
		xmlFreeNode(imp);
		goto done;
	}
	/* In the encoding the client declared: its Content-Type says so. */
	xmlDocDumpMemoryEnc(doc, &mem, &size, doc->encoding != NULL ?
	    (const char *)doc->encoding : "utf-8");
	if (mem == NULL || size <= 0 || (out = malloc(size + 1)) == NULL)
		goto done;
	memcpy(out, mem, size);
	out[size] = '\0';
	*outlen = (size_t)size;
done:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}
