/*
 * ewsvalidate: checks an EWS SOAP envelope against the EWS schemas.
 *
 *   ewsvalidate [--schemas DIR] [--stream] [FILE]	(FILE, or stdin)
 *
 * With --stream the input is a sequence of whole envelopes, one after
 * another (a GetStreamingEvents response body); each is checked, and
 * there must be at least one.
 * Each element child of soap:Header and soap:Body is validated, as the
 * root of a document of its own, against DIR/messages.xsd (which imports
 * types.xsd). A soap:Fault is checked instead for faultcode, faultstring
 * and detail, and for a detail/ResponseCode (errors namespace) that is a
 * value of messages.xsd's ResponseCodeType. Exit 0 valid, 1 invalid (the
 * reasons on stderr), 2 usage or unreadable input/schemas.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlschemas.h>

#define NS_SOAP		"http://schemas.xmlsoap.org/soap/envelope/"
#define NS_E		"http://schemas.microsoft.com/exchange/services/2006/errors"
#define NS_XS		"http://www.w3.org/2001/XMLSchema"
#define XC(s)		((const xmlChar *)(s))
#define INPUT_MAX_BYTES	(1024L * 1024 * 1024)

static const char	*input_name = "-";
static char		 report_what[64] = "parse";	/* what is checked */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ewsvalidate [--schemas DIR] [--stream] "
	    "[FILE]\n");
	exit(2);
}

#if LIBXML_VERSION >= 21200
static void
report_cb(void *arg, const xmlError *e)
#else
static void
report_cb(void *arg, xmlErrorPtr e)
#endif
{
	const char	*what = report_what;
	size_t		 n = e->message ? strlen(e->message) : 0;

	fprintf(stderr, "%s: %s: line %d: %.*s\n", input_name, what, e->line,
	    (int)(n && e->message[n - 1] == '\n' ? n - 1 : n),
	    e->message ? e->message : "error");
}

static int
is(xmlNodePtr n, const char *ns, const char *name)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, name) != 0)
		return 0;
	if (ns == NULL)
		return n->ns == NULL;
	return n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNodePtr
child(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c != NULL; c = c->next)
		if (is(c, ns, name))
			return c;
	return NULL;
}

static char *
slurp(FILE *f, size_t *lenp)
{
	char	*buf = NULL, *nb;
	size_t	 len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > INPUT_MAX_BYTES ||
			    (nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* 1 when CODE is an enumeration value of ResponseCodeType. */
static int
known_code(xmlDocPtr xsd, const char *code)
{
	xmlNodePtr	 t, r, e;
	xmlChar		*name, *v;
	int		 found = 0;

	for (t = xmlDocGetRootElement(xsd)->children; t && !found;
	    t = t->next) {
		if (!is(t, NS_XS, "simpleType"))
			continue;
		name = xmlGetProp(t, XC("name"));
		if (name != NULL && strcmp((char *)name, "ResponseCodeType") ==
		    0 && (r = child(t, NS_XS, "restriction")) != NULL)
			for (e = r->children; e && !found; e = e->next) {
				if (!is(e, NS_XS, "enumeration"))
					continue;
				v = xmlGetProp(e, XC("value"));
				found = v && strcmp((char *)v, code) == 0;
				xmlFree(v);
			}
		xmlFree(name);
	}
	return found;
}

/* A SOAP 1.1 fault as EWS writes it; 0 or 1 (invalid). */
static int
check_fault(xmlNodePtr fault, const char *schemas)
{
	xmlNodePtr	 code = child(fault, NULL, "faultcode");
	xmlNodePtr	 detail = child(fault, NULL, "detail");
	xmlNodePtr	 rc = child(detail, NS_E, "ResponseCode");
	xmlDocPtr	 xsd = NULL;
	xmlChar		*qname = NULL, *text = NULL;
	const char	*colon;
	char		 path[4096];
	int		 bad = 0;

	if (code == NULL || child(fault, NULL, "faultstring") == NULL ||
	    detail == NULL) {
		fprintf(stderr, "%s: Fault: faultcode, faultstring and detail "
		    "are required\n", input_name);
		return 1;
	}
	qname = xmlNodeGetContent(code);
	colon = qname ? strchr((char *)qname, ':') : NULL;
	if (colon != NULL) {
		char	 prefix[64];

		snprintf(prefix, sizeof(prefix), "%.*s",
		    (int)(colon - (char *)qname), (char *)qname);
		if (xmlSearchNs(code->doc, code, XC(prefix)) == NULL) {
			fprintf(stderr, "%s: Fault: faultcode prefix %s is not "
			    "declared\n", input_name, prefix);
			bad = 1;
		}
	}
	if (rc == NULL) {
		fprintf(stderr, "%s: Fault: no detail/ResponseCode in the "
		    "errors namespace\n", input_name);
		bad = 1;
		goto done;
	}
	text = xmlNodeGetContent(rc);
	snprintf(path, sizeof(path), "%s/messages.xsd", schemas);
	if ((xsd = xmlReadFile(path, NULL, XML_PARSE_NONET)) == NULL) {
		fprintf(stderr, "ewsvalidate: cannot read %s\n", path);
		exit(2);
	}
	if (text == NULL || !known_code(xsd, (char *)text)) {
		fprintf(stderr, "%s: Fault: ResponseCode '%s' is not a "
		    "ResponseCodeType value\n", input_name,
		    text ? (char *)text : "");
		bad = 1;
	}
done:
	xmlFree(qname);
	xmlFree(text);
	xmlFreeDoc(xsd);
	return bad;
}

/* NODE as the root of a document of its own, with every namespace in
 * scope declared on it (QNames in content need them too). */
static xmlDocPtr
standalone(xmlNodePtr node)
{
	xmlDocPtr	 doc = xmlNewDoc(XC("1.0"));
	xmlNodePtr	 copy;
	xmlNsPtr	*list;

	if (doc == NULL || (copy = xmlDocCopyNode(node, doc, 1)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlDocSetRootElement(doc, copy);
	if ((list = xmlGetNsList(node->doc, node)) != NULL) {
		for (xmlNsPtr *ns = list; *ns != NULL; ns++)
			if (xmlSearchNs(doc, copy, (*ns)->prefix) == NULL)
				xmlNewNs(copy, (*ns)->href, (*ns)->prefix);
		xmlFree(list);
	}
	xmlReconciliateNs(doc, copy);
	return doc;
}

static int
validate(xmlSchemaPtr schema, xmlNodePtr node)
{
	xmlSchemaValidCtxtPtr	 v = NULL;
	xmlDocPtr		 doc = standalone(node);
	int			 rc = 1;

	if (doc == NULL || (v = xmlSchemaNewValidCtxt(schema)) == NULL) {
		fprintf(stderr, "ewsvalidate: out of memory\n");
		exit(2);
	}
	snprintf(report_what, sizeof(report_what), "%s", node->name);
	xmlSchemaSetValidStructuredErrors(v, report_cb, NULL);
	rc = xmlSchemaValidateDoc(v, doc) == 0 ? 0 : 1;
	xmlSchemaFreeValidCtxt(v);
	xmlFreeDoc(doc);
	return rc;
}

/* One envelope, LEN bytes at BUF: 0 valid, 1 invalid. */
static int
check_envelope(xmlSchemaPtr schema, const char *schemas, const char *buf,
    size_t len)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 env, hdr, body, c;
	int		 bad = 0, ops = 0;

	snprintf(report_what, sizeof(report_what), "parse");
	doc = xmlReadMemory(buf, (int)len, input_name, NULL,
	    XML_PARSE_NONET | XML_PARSE_HUGE);
	env = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!is(env, NS_SOAP, "Envelope") ||
	    (body = child(env, NS_SOAP, "Body")) == NULL) {
		fprintf(stderr, "%s: not a SOAP 1.1 envelope with a Body\n",
		    input_name);
		xmlFreeDoc(doc);
		return 1;
	}
	hdr = child(env, NS_SOAP, "Header");
	for (c = hdr ? hdr->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			bad |= validate(schema, c);
	for (c = body->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		ops++;
		if (is(c, NS_SOAP, "Fault"))
			bad |= check_fault(c, schemas);
		else
			bad |= validate(schema, c);
	}
	if (ops != 1) {
		fprintf(stderr, "%s: soap:Body holds %d elements, not one\n",
		    input_name, ops);
		bad = 1;
	}
	xmlFreeDoc(doc);
	return bad;
}

/* Length of the first envelope at BUF: up to and with its closing
 * </...Envelope> tag; 0 when there is none. */
static size_t
envelope_len(const char *buf, size_t len)
{
	const char	*end = buf + len, *p = buf, *q, *gt;

	while ((p = memmem(p, end - p, "Envelope", 8)) != NULL) {
		q = p;
		if (q > buf && q[-1] == ':')
			for (q--; q > buf && (isalnum((unsigned char)q[-1]) ||
			    q[-1] == '_' || q[-1] == '-' || q[-1] == '.'); q--)
				;
		for (gt = p + 8; gt < end && isspace((unsigned char)*gt); gt++)
			;
		if (q - buf >= 2 && q[-1] == '/' && q[-2] == '<' &&
		    gt < end && *gt == '>')
			return gt + 1 - buf;
		p += 8;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char		*schemas = "tests/data/schemas/ews";
	xmlSchemaParserCtxtPtr	 pc;
	xmlSchemaPtr		 schema = NULL;
	FILE			*f = stdin;
	char			*buf, path[4096];
	size_t			 len, off = 0, n;
	int			 i, bad = 0, stream = 0, docs = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--schemas") == 0 && i + 1 < argc)
			schemas = argv[++i];
		else if (strcmp(argv[i], "--stream") == 0)
			stream = 1;
		else
			usage();
	}
	if (argc - i > 1)
		usage();
	if (i < argc && strcmp(argv[i], "-") != 0) {
		input_name = argv[i];
		if ((f = fopen(input_name, "rb")) == NULL) {
			perror(input_name);
			return 2;
		}
	}
	if ((buf = slurp(f, &len)) == NULL) {
		fprintf(stderr, "ewsvalidate: cannot read %s\n", input_name);
		return 2;
	}
	if (f != stdin)
		fclose(f);

	xmlSetStructuredErrorFunc(NULL, report_cb);
	snprintf(path, sizeof(path), "%s/messages.xsd", schemas);
	snprintf(report_what, sizeof(report_what), "schema");
	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL ||
	    (schema = xmlSchemaParse(pc)) == NULL) {
		fprintf(stderr, "ewsvalidate: cannot load %s\n", path);
		free(buf);
		return 2;
	}
	xmlSchemaFreeParserCtxt(pc);

	if (!stream)
		bad = check_envelope(schema, schemas, buf, len);
	else {
		while (off < len && (n = envelope_len(buf + off,
		    len - off)) > 0) {
			bad |= check_envelope(schema, schemas, buf + off, n);
			off += n;
			docs++;
			while (off < len && isspace((unsigned char)buf[off]))
				off++;
		}
		if (docs == 0 || off < len) {
			fprintf(stderr, "%s: %s\n", input_name, docs == 0 ?
			    "no whole envelope in the stream" :
			    "bytes after the last whole envelope");
			bad = 1;
		}
	}
	free(buf);
	xmlSchemaFree(schema);
	xmlCleanupParser();
	return bad;
}
