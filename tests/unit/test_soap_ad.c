/* soap/: Autodiscover requests read safely, answers that parse back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "soap/soap.h"

#define POX(addr) \
    "<?xml version=\"1.0\"?><Autodiscover xmlns=\"" SOAP_NS_AD_POX_REQUEST \
    "\"><Request><EMailAddress> " addr " </EMailAddress>" \
    "<AcceptableResponseSchema>" SOAP_NS_AD_OUTLOOK \
    "</AcceptableResponseSchema></Request></Autodiscover>"
#define SOAP_OPEN \
    "<s:Envelope xmlns:s=\"" SOAP_NS_ENVELOPE "\" xmlns:a=\"" SOAP_NS_AD \
    "\"><s:Body>"
#define SOAP_CLOSE	"</s:Body></s:Envelope>"

static struct soap_ad_request q;

static int
rd(const char *s, int soap)
{
	return soap_ad_read(s, strlen(s), soap, &q);
}

static void
t_pox(void **state)
{
	assert_int_equal(rd(POX("alice@contoso.example"), 0), 0);
	assert_int_equal(q.nusers, 1);
	assert_string_equal(q.users[0], "alice@contoso.example");
	assert_string_equal(q.schema, SOAP_NS_AD_OUTLOOK);
}

static void
t_pox_refused(void **state)
{
	static const char *const bad[] = {
		/* another namespace, two addresses, none, a DOCTYPE, an
		 * entity, junk, the SOAP flavour */
		"<Autodiscover xmlns=\"urn:x\"><Request><EMailAddress>a@b"
		    "</EMailAddress></Request></Autodiscover>",
		"<Autodiscover xmlns=\"" SOAP_NS_AD_POX_REQUEST "\"><Request>"
		    "<EMailAddress>a@b</EMailAddress><EMailAddress>c@d"
		    "</EMailAddress></Request></Autodiscover>",
		"<Autodiscover xmlns=\"" SOAP_NS_AD_POX_REQUEST "\"><Request/>"
		    "</Autodiscover>",
		"<!DOCTYPE a [<!ENTITY x \"a@b\">]>" POX("&x;"),
		POX("&x;"),
		"not xml",
		SOAP_OPEN "<a:GetUserSettingsRequestMessage/>" SOAP_CLOSE,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rd(bad[i], 0), -1);
}

static void
t_soap(void **state)
{
	assert_int_equal(rd(SOAP_OPEN "<a:GetUserSettingsRequestMessage>"
	    "<a:Request><a:Users><a:User><a:Mailbox>a@b</a:Mailbox></a:User>"
	    "<a:User><!-- c@d --><a:Mailbox><![CDATA[e@f]]></a:Mailbox>"
	    "</a:User></a:Users><a:RequestedSettings><a:Setting>"
	    "ExternalEwsUrl</a:Setting><x:Setting xmlns:x=\"urn:x\">Other"
	    "</x:Setting></a:RequestedSettings></a:Request>"
	    "</a:GetUserSettingsRequestMessage>" SOAP_CLOSE, 1), 0);
	assert_string_equal(q.op, "GetUserSettingsRequestMessage");
	assert_int_equal(q.nusers, 2);
	assert_string_equal(q.users[0], "a@b");
	assert_string_equal(q.users[1], "e@f");
	assert_int_equal(q.nsettings, 1);
	assert_string_equal(q.settings[0], "ExternalEwsUrl");
}

static void
t_soap_op_namespace(void **state)
{
	assert_int_equal(rd(SOAP_OPEN "<GetUserSettingsRequestMessage "
	    "xmlns=\"urn:other\"/>" SOAP_CLOSE, 1), 0);
	assert_string_equal(q.op, "?");
	assert_int_equal(rd("<Envelope><Body><a:GetUserSettingsRequestMessage "
	    "xmlns:a=\"" SOAP_NS_AD "\"/></Body></Envelope>", 1), -1);
}

static void
t_soap_too_many(void **state)
{
	char	*s;
	size_t	 n = 0, cap = 64 * 1024;

	assert_non_null(s = malloc(cap));
	n += (size_t)snprintf(s + n, cap - n, SOAP_OPEN
	    "<a:GetUserSettingsRequestMessage><a:Request><a:Users>");
	for (int i = 0; i <= SOAP_AD_USERS_MAX; i++)
		n += (size_t)snprintf(s + n, cap - n,
		    "<a:User><a:Mailbox>u%d@x</a:Mailbox></a:User>", i);
	snprintf(s + n, cap - n, "</a:Users></a:Request>"
	    "</a:GetUserSettingsRequestMessage>" SOAP_CLOSE);
	assert_int_equal(rd(s, 1), -1);
	free(s);
}

/* One XPath string from XML. */
static char *
xp(const char *xml, size_t len, const char *expr)
{
	xmlDocPtr		 doc = xmlReadMemory(xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET);
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 o;
	char			*out;

	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"r", (const xmlChar *)SOAP_NS_AD_POX);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"o", (const xmlChar *)SOAP_NS_AD_OUTLOOK);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"a", (const xmlChar *)SOAP_NS_AD);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"w", (const xmlChar *)SOAP_NS_WSA);
	o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	assert_non_null(o);
	out = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

static void
expect_xp(const char *xml, size_t len, const char *expr, const char *want)
{
	char	*got = xp(xml, len, expr);

	assert_string_equal(got, want);
	xmlFree(got);
}

static void
t_pox_answers(void **state)
{
	size_t	 len = 0;
	char	*x = soap_ad_pox_settings("a@b", "https://gw:8443/EWS/"
	    "Exchange.asmx", "gw", 1, &len);

	assert_non_null(x);
	expect_xp(x, len, "string(/r:Autodiscover/o:Response/o:Account/"
	    "o:Protocol[o:Type='EXPR']/o:EwsUrl)",
	    "https://gw:8443/EWS/Exchange.asmx");
	expect_xp(x, len, "string(//o:Protocol[o:Type='EXPR']/o:SSL)", "On");
	expect_xp(x, len, "count(//o:Protocol)", "2");
	free(x);
	x = soap_ad_pox_error(500, "The e-mail address cannot be found.",
	    &len);
	assert_non_null(x);
	expect_xp(x, len, "string(/r:Autodiscover/r:Response/r:Error/"
	    "r:ErrorCode)", "500");
	free(x);
}

static void
t_soap_answers(void **state)
{
	const char	*urls[2] = { "http://gw/EWS/Exchange.asmx", NULL };
	size_t		 len = 0;
	char		*x;

	assert_int_equal(rd(SOAP_OPEN "<a:GetUserSettingsRequestMessage>"
	    "<a:Request><a:Users><a:User><a:Mailbox>a@b</a:Mailbox></a:User>"
	    "<a:User><a:Mailbox>c@d</a:Mailbox></a:User></a:Users>"
	    "<a:RequestedSettings><a:Setting>InternalEwsUrl</a:Setting>"
	    "<a:Setting>Nope</a:Setting></a:RequestedSettings></a:Request>"
	    "</a:GetUserSettingsRequestMessage>" SOAP_CLOSE, 1), 0);
	assert_non_null(x = soap_ad_soap_answer(&q, urls, NULL, NULL, &len));
	expect_xp(x, len, "string(//a:UserResponse[1]//a:UserSetting"
	    "[a:Name='InternalEwsUrl']/a:Value)", urls[0]);
	expect_xp(x, len, "string(//a:UserResponse[1]//a:UserSettingError/"
	    "a:SettingName)", "Nope");
	expect_xp(x, len, "string(//a:UserResponse[2]/a:ErrorCode)",
	    "InvalidUser");
	expect_xp(x, len, "string(//w:Action)", "http://schemas.microsoft."
	    "com/exchange/2010/Autodiscover/Autodiscover/"
	    "GetUserSettingsResponse");
	free(x);
	assert_non_null(x = soap_ad_soap_answer(&q, urls, "InvalidRequest",
	    "why <not>", &len));
	expect_xp(x, len, "string(//a:Response/a:ErrorMessage)", "why <not>");
	expect_xp(x, len, "count(//a:UserResponse)", "0");
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_pox),
		cmocka_unit_test(t_pox_refused),
		cmocka_unit_test(t_soap),
		cmocka_unit_test(t_soap_op_namespace),
		cmocka_unit_test(t_soap_too_many),
		cmocka_unit_test(t_pox_answers),
		cmocka_unit_test(t_soap_answers),
	};
	int	 rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
