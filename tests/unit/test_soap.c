/* soap/: the operation of a request (on hostile input too) and faults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "soap/soap.h"

#define ENV_OPEN	"<soap:Envelope xmlns:soap=\"" SOAP_NS_ENVELOPE "\" " \
			"xmlns:m=\"" SOAP_NS_MESSAGES "\" " \
			"xmlns:t=\"" SOAP_NS_TYPES "\">"
#define ENV_CLOSE	"</soap:Envelope>"
#define XS_NS		"http://www.w3.org/2001/XMLSchema"

static const char getfolder[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    ENV_OPEN "\n"
    "  <soap:Header>\n"
    "    <t:RequestServerVersion Version=\"Exchange2013_SP1\"/>\n"
    "  </soap:Header>\n"
    "  <soap:Body>\n"
    "    <m:GetFolder>\n"
    "      <m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>\n"
    "      <m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds>\n"
    "    </m:GetFolder>\n"
    "  </soap:Body>\n"
    ENV_CLOSE "\n";

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The operation of S, or NULL when soap_operation refuses it. */
static const char *
op_n(const char *s, size_t len)
{
	static char	 op[SOAP_OPERATION_MAX];
	int		 rc;

	memset(op, 'x', sizeof(op));
	rc = soap_operation(s, len, op, sizeof(op));
	if (rc == -1) {
		assert_string_equal(op, "");
		return NULL;
	}
	assert_int_equal(rc, 0);
	return op;
}

static const char *
op(const char *s)
{
	return op_n(s, strlen(s));
}

static void
t_op_normal(void **state)
{
	assert_string_equal(op(getfolder), "GetFolder");
}

static void
t_op_default_ns(void **state)
{
	assert_string_equal(op(
	    "<soap:Envelope xmlns:soap=\"" SOAP_NS_ENVELOPE "\"><soap:Body>"
	    "<FindItem xmlns=\"" SOAP_NS_MESSAGES "\" Traversal=\"Shallow\">"
	    "</FindItem></soap:Body></soap:Envelope>"), "FindItem");
	/* The envelope itself in the default namespace. */
	assert_string_equal(op(
	    "<Envelope xmlns=\"" SOAP_NS_ENVELOPE "\"><Body>"
	    "<m:ResolveNames xmlns:m=\"" SOAP_NS_MESSAGES "\"/>"
	    "</Body></Envelope>"), "ResolveNames");
}

static void
t_op_prefixes(void **state)
{
	assert_string_equal(op(
	    "<S:Envelope xmlns:S=\"" SOAP_NS_ENVELOPE "\">"
	    "<S:Header/><S:Body><msg:SyncFolderItems xmlns:msg=\""
	    SOAP_NS_MESSAGES "\"/></S:Body></S:Envelope>"),
	    "SyncFolderItems");
	/* The prefix is redeclared for Body: the URI is what counts. */
	assert_string_equal(op(
	    "<a:Envelope xmlns:a=\"" SOAP_NS_ENVELOPE "\">"
	    "<b:Body xmlns:b=\"" SOAP_NS_ENVELOPE "\"><m:GetItem xmlns:m=\""
	    SOAP_NS_MESSAGES "\"/></b:Body></a:Envelope>"), "GetItem");
	/* soap:Body with the right prefix but another URI is no Body. */
	assert_null(op(
	    "<soap:Envelope xmlns:soap=\"" SOAP_NS_ENVELOPE "\">"
	    "<soap:Body xmlns:soap=\"urn:other\"><m:GetItem xmlns:m=\""
	    SOAP_NS_MESSAGES "\"/></soap:Body></soap:Envelope>"));
}

static void
t_op_header_first(void **state)
{
	/* Elements called Body, and deep ones, inside the Header are not it. */
	assert_string_equal(op(ENV_OPEN
	    "<soap:Header>"
	    "<t:ExchangeImpersonation><t:ConnectingSID>"
	    "<t:SmtpAddress>alice@contoso.example</t:SmtpAddress>"
	    "</t:ConnectingSID></t:ExchangeImpersonation>"
	    "<t:Body><m:NotThis/></t:Body>"
	    "<x:Wrap xmlns:x=\"urn:x\"><soap:Body><m:NorThis/></soap:Body>"
	    "</x:Wrap>"
	    "</soap:Header>"
	    "<soap:Body><m:CreateItem MessageDisposition=\"SendOnly\"/>"
	    "</soap:Body>" ENV_CLOSE), "CreateItem");
}

static void
t_op_no_body(void **state)
{
	assert_null(op(ENV_OPEN "<soap:Header/>" ENV_CLOSE));
	assert_null(op(ENV_OPEN "<soap:Body/>" ENV_CLOSE));
	assert_null(op(ENV_OPEN "<soap:Body></soap:Body>" ENV_CLOSE));
	assert_null(op(ENV_OPEN "<soap:Body> text <!-- c --> </soap:Body>"
	    "<m:Trailer/>" ENV_CLOSE));
	assert_null(op(ENV_OPEN ENV_CLOSE));
	assert_null(op(ENV_OPEN "<Body><m:GetItem/></Body>" ENV_CLOSE));
}

static void
t_op_wrong_envelope(void **state)
{
	/* SOAP 1.2, no namespace, not an Envelope at the root. */
	assert_null(op("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/"
	    "soap-envelope\"><s:Body><m:GetItem xmlns:m=\"" SOAP_NS_MESSAGES
	    "\"/></s:Body></s:Envelope>"));
	assert_null(op("<Envelope><Body><GetItem/></Body></Envelope>"));
	assert_null(op("<soap:Body xmlns:soap=\"" SOAP_NS_ENVELOPE "\">"
	    "<m:GetItem xmlns:m=\"" SOAP_NS_MESSAGES "\"/></soap:Body>"));
	assert_null(op("<x xmlns:soap=\"" SOAP_NS_ENVELOPE "\">"
	    "<soap:Envelope><soap:Body><m:GetItem xmlns:m=\""
	    SOAP_NS_MESSAGES "\"/></soap:Body></soap:Envelope></x>"));
}

static void
t_op_doctype(void **state)
{
	assert_null(op("<!DOCTYPE soap:Envelope>" ENV_OPEN
	    "<soap:Body><m:GetItem/></soap:Body>" ENV_CLOSE));
	assert_null(op("<?xml version=\"1.0\"?>\n<!DOCTYPE x [\n"
	    "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" ENV_OPEN
	    "<soap:Header><t:X>&xxe;</t:X></soap:Header>"
	    "<soap:Body><m:GetItem/></soap:Body>" ENV_CLOSE));
	assert_null(op("<!DOCTYPE x SYSTEM \"http://127.0.0.1:1/x.dtd\">"
	    ENV_OPEN "<soap:Body><m:GetItem/></soap:Body>" ENV_CLOSE));
}

static void
t_op_billion_laughs(void **state)
{
	static const char	 lol[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    ENV_OPEN "<soap:Header><t:X>&lol9;&lol9;&lol9;</t:X></soap:Header>"
	    "<soap:Body><m:GetItem/></soap:Body>" ENV_CLOSE;
	double			 t0 = now();

	for (int i = 0; i < 100; i++)
		assert_null(op(lol));
	assert_true(now() - t0 < 1.0);
}

/* N nested elements inside the Header, then the operation. */
static char *
nested(int n)
{
	size_t	 len = (size_t)n * 16 + 512;
	char	*s = malloc(len), *p;

	assert_non_null(s);
	p = s + sprintf(s, "%s<soap:Header>", ENV_OPEN);
	for (int i = 0; i < n; i++)
		p += sprintf(p, "<t:a>");
	for (int i = 0; i < n; i++)
		p += sprintf(p, "</t:a>");
	sprintf(p, "</soap:Header><soap:Body><m:GetItem/></soap:Body>%s",
	    ENV_CLOSE);
	return s;
}

static void
t_op_deep(void **state)
{
	char	*s;

	s = nested(50);
	assert_string_equal(op(s), "GetItem");
	free(s);
	s = nested(100);
	assert_null(op(s));
	free(s);
	s = nested(100000);
	assert_null(op(s));
	free(s);
}

static void
t_op_truncated(void **state)
{
	const char	*at = strstr(getfolder, "<m:GetFolder>");
	size_t		 cut = (size_t)(at - getfolder);

	assert_non_null(at);
	/* Cut anywhere before the operation's start tag is complete. */
	for (size_t i = 0; i <= cut + strlen("<m:GetFolder"); i++)
		assert_null(op_n(getfolder, i));
	/* Once its start tag is read, the rest is not looked at. */
	assert_string_equal(op_n(getfolder, cut + strlen("<m:GetFolder>")),
	    "GetFolder");
}

static void
t_op_junk(void **state)
{
	static const char	 bin[] = { 0, 1, 2, '<', (char)0xff, '>', 0 };
	char			 o[SOAP_OPERATION_MAX] = "x";

	assert_null(op(""));
	assert_null(op("hello, world"));
	assert_null(op("{\"json\": true}"));
	assert_null(op("<"));
	assert_null(op("<<<<>>>>"));
	assert_null(op("<a b=\"></a>"));
	assert_null(op_n(bin, sizeof(bin)));
	assert_int_equal(soap_operation(NULL, 10, o, sizeof(o)), -1);
	assert_string_equal(o, "");
	assert_int_equal(soap_operation(getfolder, strlen(getfolder), NULL,
	    10), -1);
	assert_int_equal(soap_operation(getfolder, strlen(getfolder), o, 0),
	    -1);
}

static void
t_op_prolog(void **state)
{
	assert_string_equal(op(
	    "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	    "<!-- a comment -->\n<?pi data?>\n\n  \t"
	    ENV_OPEN "\n<!-- c -->\n<soap:Body>\n\n  <!-- before -->\n"
	    "  <?pi x?>  some text <![CDATA[ <m:NotMe/> ]]>\n"
	    "  <m:GetAttachment/></soap:Body>" ENV_CLOSE), "GetAttachment");
}

static void
t_op_names(void **state)
{
	char	 big[512], small[10];

	/* 63 characters fit; 64 do not. */
	snprintf(big, sizeof(big), "%s<soap:Body><m:%063d/></soap:Body>%s",
	    ENV_OPEN, 0, ENV_CLOSE);
	big[strstr(big, "<m:0") - big + 3] = 'A';
	assert_int_equal(strlen(op(big)), 63);
	snprintf(big, sizeof(big), "%s<soap:Body><m:A%063d/></soap:Body>%s",
	    ENV_OPEN, 0, ENV_CLOSE);
	assert_null(op(big));
	/* A small buffer: fits exactly, or fails cleanly. */
	assert_int_equal(soap_operation(getfolder, strlen(getfolder), small,
	    10), 0);
	assert_string_equal(small, "GetFolder");
	assert_int_equal(soap_operation(getfolder, strlen(getfolder), small,
	    9), -1);
	assert_string_equal(small, "");
}

/* The operation at the start of a 32 MiB body is found at once. */
static void
t_op_big_body(void **state)
{
	size_t		 len = 32 << 20;
	char		*s = malloc(len);
	const char	*head = ENV_OPEN "<soap:Body><m:CreateAttachment>"
	    "<m:Attachments><t:FileAttachment><t:Content>";
	double		 t0;

	assert_non_null(s);
	memcpy(s, head, strlen(head));
	memset(s + strlen(head), 'Q', len - strlen(head));
	t0 = now();
	for (int i = 0; i < 100; i++)
		assert_string_equal(op_n(s, len), "CreateAttachment");
	assert_true(now() - t0 < 0.5);
	free(s);
}

/* A Header past the first MiB, or a huge attribute, is not read through. */
static void
t_op_scan_cap(void **state)
{
	size_t		 len = 2 << 20;
	char		*s = malloc(len + 512), *p;
	double		 t0;

	assert_non_null(s);
	p = s + sprintf(s, "%s<soap:Header><t:X A=\"", ENV_OPEN);
	memset(p, 'v', len);
	p += len;
	sprintf(p, "\"/></soap:Header><soap:Body><m:GetItem/></soap:Body>%s",
	    ENV_CLOSE);
	t0 = now();
	assert_null(op(s));
	assert_true(now() - t0 < 0.5);

	/* Within the cap, a big attribute is fine. */
	p = s + sprintf(s, "%s<soap:Header><t:X A=\"", ENV_OPEN);
	memset(p, 'v', 100000);
	p += 100000;
	sprintf(p, "\"/></soap:Header><soap:Body><m:GetItem/></soap:Body>%s",
	    ENV_CLOSE);
	assert_string_equal(op(s), "GetItem");
	free(s);
}

/* --- faults --- */

struct fault_doc {
	xmlDocPtr	 doc;
	xmlNodePtr	 fault;
};

static xmlNodePtr
child(xmlNodePtr parent, const char *name, const char *ns)
{
	for (xmlNodePtr n = parent->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, name) != 0)
			continue;
		if (ns == NULL ? n->ns == NULL : (n->ns != NULL &&
		    strcmp((const char *)n->ns->href, ns) == 0))
			return n;
	}
	return NULL;
}

static char *
text(xmlNodePtr n)
{
	static char	 buf[4096];
	xmlChar		*c = xmlNodeGetContent(n);

	assert_non_null(c);
	snprintf(buf, sizeof(buf), "%s", (const char *)c);
	xmlFree(c);
	return buf;
}

/* Builds a fault and checks the envelope around it; returns s:Fault. */
static xmlNodePtr
build(xmlDocPtr *docp, enum soap_fault_code code, const char *message,
    const char *reason, unsigned backoff_ms)
{
	static const char	 decl[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
	xmlDocPtr		 doc;
	xmlNodePtr		 root, body, fault;
	size_t			 len = 0;
	char			*s;

	s = soap_fault_build(code, message, reason, backoff_ms, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	assert_memory_equal(s, decl, strlen(decl));
	doc = xmlReadMemory(s, (int)len, "fault.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(s);
	assert_non_null(doc);
	*docp = doc;
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "Envelope");
	assert_string_equal((const char *)root->ns->href, SOAP_NS_ENVELOPE);
	assert_string_equal((const char *)root->ns->prefix, "s");
	assert_non_null(body = child(root, "Body", SOAP_NS_ENVELOPE));
	assert_non_null(fault = child(body, "Fault", SOAP_NS_ENVELOPE));
	return fault;
}

static void
check_fault(xmlDocPtr doc, xmlNodePtr fault, enum soap_fault_code code,
    const char *message)
{
	xmlNodePtr	 fc, fs, detail, n;
	xmlNsPtr	 ns;
	xmlChar		*lang;
	char		 want[128];

	/* faultcode a:Name, a being the types namespace; unqualified. */
	assert_non_null(fc = child(fault, "faultcode", NULL));
	snprintf(want, sizeof(want), "a:%s", soap_fault_name(code));
	assert_string_equal(text(fc), want);
	assert_non_null(ns = xmlSearchNs(doc, fc, (const xmlChar *)"a"));
	assert_string_equal((const char *)ns->href, SOAP_NS_TYPES);

	assert_non_null(fs = child(fault, "faultstring", NULL));
	assert_string_equal(text(fs), message);
	lang = xmlNodeGetLang(fs);
	assert_string_equal((const char *)lang, "en-US");
	xmlFree(lang);

	assert_non_null(detail = child(fault, "detail", NULL));
	assert_non_null(n = child(detail, "ResponseCode", SOAP_NS_ERRORS));
	assert_string_equal(text(n), soap_fault_name(code));
	assert_non_null(n = child(detail, "Message", SOAP_NS_ERRORS));
	assert_string_equal(text(n), message);
}

/* The t:Value named NAME in detail/t:MessageXml, or NULL. */
static const char *
message_xml_value(xmlNodePtr fault, const char *name)
{
	xmlNodePtr	 mx;
	xmlChar		*attr;
	int		 match;

	mx = child(child(fault, "detail", NULL), "MessageXml", SOAP_NS_TYPES);
	if (mx == NULL)
		return NULL;
	for (xmlNodePtr v = mx->children; v != NULL; v = v->next) {
		if (v->type != XML_ELEMENT_NODE)
			continue;
		assert_string_equal((const char *)v->name, "Value");
		assert_string_equal((const char *)v->ns->href, SOAP_NS_TYPES);
		attr = xmlGetProp(v, (const xmlChar *)"Name");
		match = attr != NULL && strcmp((const char *)attr, name) == 0;
		xmlFree(attr);
		if (match)
			return text(v);
	}
	return NULL;
}

static void
t_fault_each_code(void **state)
{
	for (int code = 0; code < SOAP_FAULT_NCODES; code++) {
		xmlDocPtr	 doc;
		xmlNodePtr	 fault;
		char		*dflt;

		fault = build(&doc, code, NULL, NULL, 0);
		/* The default text: whatever e:Message says, non-empty. */
		dflt = strdup(text(child(child(fault, "detail", NULL),
		    "Message", SOAP_NS_ERRORS)));
		assert_true(strlen(dflt) > 10);
		check_fault(doc, fault, code, dflt);
		assert_null(child(child(fault, "detail", NULL), "MessageXml",
		    SOAP_NS_TYPES));
		assert_int_equal(soap_fault_status(code), 500);
		assert_memory_equal(soap_fault_name(code), "Error", 5);
		free(dflt);
		xmlFreeDoc(doc);
	}
	assert_string_equal(soap_fault_name(SOAP_FAULT_SERVER_BUSY),
	    "ErrorServerBusy");
	assert_string_equal(soap_fault_name(SOAP_FAULT_NCODES),
	    "ErrorInternalServerError");
	assert_string_equal(soap_fault_name((enum soap_fault_code)-1),
	    "ErrorInternalServerError");
}

static void
t_fault_escape(void **state)
{
	static const char	 msg[] =
	    "a<b>&c\"d'e ]]> </faultstring><x/> &amp; \r\n\tend";
	xmlDocPtr		 doc;
	xmlNodePtr		 fault;

	fault = build(&doc, SOAP_FAULT_ACCESS_DENIED, msg,
	    "<reason&\"x\">", 0);
	check_fault(doc, fault, SOAP_FAULT_ACCESS_DENIED, msg);
	assert_string_equal(message_xml_value(fault, "GatewayReason"),
	    "<reason&\"x\">");
	assert_null(message_xml_value(fault, "BackOffMilliseconds"));
	xmlFreeDoc(doc);
}

static void
t_fault_backoff(void **state)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 fault;

	fault = build(&doc, SOAP_FAULT_SERVER_BUSY, "Slow down.", NULL, 5000);
	check_fault(doc, fault, SOAP_FAULT_SERVER_BUSY, "Slow down.");
	assert_string_equal(message_xml_value(fault, "BackOffMilliseconds"),
	    "5000");
	assert_null(message_xml_value(fault, "GatewayReason"));
	xmlFreeDoc(doc);

	fault = build(&doc, SOAP_FAULT_SERVER_BUSY, NULL, "upstream_busy",
	    4294967295U);
	assert_string_equal(message_xml_value(fault, "BackOffMilliseconds"),
	    "4294967295");
	assert_string_equal(message_xml_value(fault, "GatewayReason"),
	    "upstream_busy");
	xmlFreeDoc(doc);
}

/* Bytes that are not XML text never make the document invalid. */
static void
t_fault_bad_utf8(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "ctl\x01\x1f" "x", "ctl\xef\xbf\xbd\xef\xbf\xbd" "x" },
		{ "overlong \xc0\x80", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate \xed\xa0\x80",
		    "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd" },
		{ "nonchar \xef\xbf\xbe", "nonchar \xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd" },
		{ "beyond \xf4\x90\x80\x80", "beyond \xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "lone \x80 cont", "lone \xef\xbf\xbd cont" },
		{ "ok: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \t",
		    "ok: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \t" },
	};
	xmlDocPtr	 doc;
	xmlNodePtr	 fault;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fault = build(&doc, SOAP_FAULT_INTERNAL, cases[i].in,
		    cases[i].in, 0);
		check_fault(doc, fault, SOAP_FAULT_INTERNAL, cases[i].out);
		assert_string_equal(message_xml_value(fault, "GatewayReason"),
		    cases[i].out);
		xmlFreeDoc(doc);
	}
}

/* The schemas: copied into tests/data, else next to the checkout. */
static xmlDocPtr
messages_xsd(void)
{
	static const char *const paths[] = {
		"tests/data/schemas/ews/messages.xsd",
		"../shared/schemas/ews/messages.xsd",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return xmlReadFile(paths[i], NULL, XML_PARSE_NONET);
	return NULL;
}

static void
t_fault_names_in_schema(void **state)
{
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 res;
	char			 expr[256];

	doc = messages_xsd();
	assert_non_null(doc);	/* run from the top of the checkout */
	ctx = xmlXPathNewContext(doc);
	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"xs",
	    (const xmlChar *)XS_NS);
	for (int code = 0; code < SOAP_FAULT_NCODES; code++) {
		snprintf(expr, sizeof(expr), "//xs:simpleType[@name="
		    "'ResponseCodeType']/xs:restriction/xs:enumeration"
		    "[@value='%s']", soap_fault_name(code));
		res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
		assert_non_null(res);
		if (res->nodesetval == NULL || res->nodesetval->nodeNr != 1)
			fail_msg("%s is not in ResponseCodeType",
			    soap_fault_name(code));
		xmlXPathFreeObject(res);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_op_normal),
		cmocka_unit_test(t_op_default_ns),
		cmocka_unit_test(t_op_prefixes),
		cmocka_unit_test(t_op_header_first),
		cmocka_unit_test(t_op_no_body),
		cmocka_unit_test(t_op_wrong_envelope),
		cmocka_unit_test(t_op_doctype),
		cmocka_unit_test(t_op_billion_laughs),
		cmocka_unit_test(t_op_deep),
		cmocka_unit_test(t_op_truncated),
		cmocka_unit_test(t_op_junk),
		cmocka_unit_test(t_op_prolog),
		cmocka_unit_test(t_op_names),
		cmocka_unit_test(t_op_big_body),
		cmocka_unit_test(t_op_scan_cap),
		cmocka_unit_test(t_fault_each_code),
		cmocka_unit_test(t_fault_escape),
		cmocka_unit_test(t_fault_backoff),
		cmocka_unit_test(t_fault_bad_utf8),
		cmocka_unit_test(t_fault_names_in_schema),
	};
	int	 rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
