/* soap/reader.c and soap/impersonate.c: soap_read, soap_set_impersonation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "soap/soap.h"

#define NS_DECL	"xmlns:soap=\"" SOAP_NS_ENVELOPE "\" " \
		"xmlns:m=\"" SOAP_NS_MESSAGES "\" xmlns:t=\"" SOAP_NS_TYPES "\""
#define ENVB(hdr, body) \
	"<soap:Envelope " NS_DECL ">" hdr "<soap:Body>" body \
	"</soap:Body></soap:Envelope>\n"
#define ENV(hdr, body) \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" ENVB(hdr, body)
#define HDR(x)	"<soap:Header><t:RequestServerVersion " \
		"Version=\"Exchange2016\"/>" x "</soap:Header>"
#define IMP(form, v) "<t:ExchangeImpersonation><t:ConnectingSID><t:" form \
		">" v "</t:" form "></t:ConnectingSID></t:ExchangeImpersonation>"
#define GETFOLDER(fid) "<m:GetFolder><m:FolderShape><t:BaseShape>Default" \
		"</t:BaseShape></m:FolderShape><m:FolderIds>" fid \
		"</m:FolderIds></m:GetFolder>"
#define INBOX	"<t:DistinguishedFolderId Id=\"inbox\"/>"
#define INBOX_OF(a) "<t:DistinguishedFolderId Id=\"inbox\"><t:Mailbox>" \
		"<t:EmailAddress>" a "</t:EmailAddress></t:Mailbox>" \
		"</t:DistinguishedFolderId>"

struct read_case {
	const char		*name;
	const char		*xml;
	int			 rc;
	int			 nimp;
	int			 misplaced;
	enum soap_sid_form	 form;
	const char		*target;
	const char		*mailbox;	/* first scoping one, or NULL */
};

static const struct read_case read_cases[] = {
	{ "plain", ENV(HDR(""), GETFOLDER(INBOX)), 0, 0, 0, SOAP_SID_NONE,
	    "", NULL },
	{ "no header", ENV("", GETFOLDER(INBOX)), 0, 0, 0, SOAP_SID_NONE,
	    "", NULL },
	{ "primary", ENV(HDR(IMP("PrimarySmtpAddress", " bob@x.example ")),
	    GETFOLDER(INBOX)), 0, 1, 0, SOAP_SID_PRIMARY_SMTP,
	    "bob@x.example", NULL },
	{ "smtp", ENV(HDR(IMP("SmtpAddress", "bob@x.example")),
	    GETFOLDER(INBOX)), 0, 1, 0, SOAP_SID_SMTP, "bob@x.example", NULL },
	{ "principal", ENV(HDR(IMP("PrincipalName", "bob@x.example")),
	    GETFOLDER(INBOX)), 0, 1, 0, SOAP_SID_PRINCIPAL, "bob@x.example",
	    NULL },
	{ "sid", ENV(HDR(IMP("SID", "S-1-5-21-1-2-3-1001")),
	    GETFOLDER(INBOX)), 0, 1, 0, SOAP_SID_SID, "S-1-5-21-1-2-3-1001",
	    NULL },
	{ "two", ENV(HDR(IMP("SmtpAddress", "a@x.example")
	    IMP("SmtpAddress", "b@x.example")), GETFOLDER(INBOX)), 0, 2, 0,
	    SOAP_SID_SMTP, "a@x.example", NULL },
	{ "in a comment", ENV(HDR("<!--" IMP("SmtpAddress", "b@x.example")
	    "-->"), GETFOLDER(INBOX)), 0, 0, 0, SOAP_SID_NONE, "", NULL },
	{ "in CDATA", ENV(HDR("<![CDATA[" IMP("SmtpAddress", "b@x.example")
	    "]]>"), GETFOLDER(INBOX)), 0, 0, 0, SOAP_SID_NONE, "", NULL },
	{ "value in CDATA", ENV(HDR(IMP("SmtpAddress",
	    "<![CDATA[b@x.example]]>")), GETFOLDER(INBOX)), 0, 1, 0,
	    SOAP_SID_SMTP, "b@x.example", NULL },
	{ "other namespace", ENV(HDR("<x:ExchangeImpersonation xmlns:x="
	    "\"urn:other\"><x:ConnectingSID><x:SmtpAddress>b@x.example"
	    "</x:SmtpAddress></x:ConnectingSID></x:ExchangeImpersonation>"),
	    GETFOLDER(INBOX)), 0, 0, 0, SOAP_SID_NONE, "", NULL },
	{ "odd prefixes",
	    "<E:Envelope xmlns:E=\"" SOAP_NS_ENVELOPE "\"><E:Header>"
	    "<ty:ExchangeImpersonation xmlns:ty=\"" SOAP_NS_TYPES "\">"
	    "<ty:ConnectingSID><ty:SmtpAddress>b@x.example</ty:SmtpAddress>"
	    "</ty:ConnectingSID></ty:ExchangeImpersonation></E:Header>"
	    "<E:Body><GetFolder xmlns=\"" SOAP_NS_MESSAGES "\"/></E:Body>"
	    "</E:Envelope>", 0, 1, 0, SOAP_SID_SMTP, "b@x.example", NULL },
	{ "default namespace",
	    "<Envelope xmlns=\"" SOAP_NS_ENVELOPE "\"><Header>"
	    "<ExchangeImpersonation xmlns=\"" SOAP_NS_TYPES "\">"
	    "<ConnectingSID><PrimarySmtpAddress>b@x.example"
	    "</PrimarySmtpAddress></ConnectingSID></ExchangeImpersonation>"
	    "</Header><Body><GetFolder xmlns=\"" SOAP_NS_MESSAGES "\"/>"
	    "</Body></Envelope>", 0, 1, 0, SOAP_SID_PRIMARY_SMTP,
	    "b@x.example", NULL },
	{ "t: rebound to another URI",
	    "<soap:Envelope xmlns:soap=\"" SOAP_NS_ENVELOPE "\" xmlns:t="
	    "\"urn:not-ews\"><soap:Header>" IMP("SmtpAddress", "b@x.example")
	    "</soap:Header><soap:Body><m:GetFolder xmlns:m=\""
	    SOAP_NS_MESSAGES "\"/></soap:Body></soap:Envelope>", 0, 0, 0,
	    SOAP_SID_NONE, "", NULL },
	{ "in the Body", ENV(HDR(""), GETFOLDER(INBOX)
	    IMP("SmtpAddress", "b@x.example")), 0, 0, 1, SOAP_SID_NONE, "",
	    NULL },
	{ "nested in the header", ENV(HDR("<t:MailboxCulture>"
	    IMP("SmtpAddress", "b@x.example") "</t:MailboxCulture>"),
	    GETFOLDER(INBOX)), 0, 0, 1, SOAP_SID_NONE, "", NULL },
	{ "folder of another", ENV(HDR(""), GETFOLDER(INBOX_OF(
	    " carol@x.example "))), 0, 0, 0, SOAP_SID_NONE, "",
	    "carol@x.example" },
	{ "delegate owner", ENV(HDR(""), "<m:GetDelegate><m:Mailbox>"
	    "<t:EmailAddress>carol@x.example</t:EmailAddress></m:Mailbox>"
	    "</m:GetDelegate>"), 0, 0, 0, SOAP_SID_NONE, "",
	    "carol@x.example" },
	{ "recipient is not a scope", ENV(HDR(""), "<m:CreateItem><m:Items>"
	    "<t:Message><t:ToRecipients><t:Mailbox><t:EmailAddress>"
	    "carol@x.example</t:EmailAddress></t:Mailbox></t:ToRecipients>"
	    "</t:Message></m:Items></m:CreateItem>"), 0, 0, 0, SOAP_SID_NONE,
	    "", NULL },
	{ "empty sid", ENV(HDR(IMP("SmtpAddress", " ")), GETFOLDER(INBOX)),
	    -1, 0, 0, 0, "", NULL },
	{ "two sid forms", ENV(HDR("<t:ExchangeImpersonation>"
	    "<t:ConnectingSID><t:SmtpAddress>a@x.example</t:SmtpAddress>"
	    "<t:SID>S-1-5</t:SID></t:ConnectingSID>"
	    "</t:ExchangeImpersonation>"), GETFOLDER(INBOX)), -1, 0, 0, 0, "", NULL },
	{ "no sid", ENV(HDR("<t:ExchangeImpersonation/>"), GETFOLDER(INBOX)),
	    -1, 0, 0, 0, "", NULL },
	{ "unknown form", ENV(HDR(IMP("Upn", "a@x.example")),
	    GETFOLDER(INBOX)), -1, 0, 0, 0, "", NULL },
	{ "element in the address", ENV(HDR(IMP("SmtpAddress",
	    "a@<b/>x.example")), GETFOLDER(INBOX)), -1, 0, 0, 0, "", NULL },
	{ "no body", "<soap:Envelope " NS_DECL "><soap:Header/>"
	    "</soap:Envelope>", -1, 0, 0, 0, "", NULL },
	{ "empty body", ENV("", ""), -1, 0, 0, 0, "", NULL },
	{ "not soap", "<Envelope><Body><GetFolder/></Body></Envelope>", -1, 0, 0, 0, "", NULL },
	{ "not well-formed", ENV(HDR(""), "<m:GetFolder>"), -1, 0, 0, 0, "", NULL },
	{ "external entity", "<?xml version=\"1.0\"?><!DOCTYPE soap:Envelope "
	    "[<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
	    ENVB(HDR(IMP("SmtpAddress", "&xxe;")), GETFOLDER(INBOX)),
	    -1, 0, 0, 0, "", NULL },
	{ "external DTD", "<!DOCTYPE soap:Envelope SYSTEM "
	    "\"http://127.0.0.1:1/x.dtd\">"
	    ENVB("", GETFOLDER(INBOX)), -1, 0, 0, 0, "", NULL },
	{ "undeclared entity", ENV(HDR(IMP("SmtpAddress", "&who;")),
	    GETFOLDER(INBOX)), -1, 0, 0, 0, "", NULL },
};

static void
test_read_cases(void **state)
{
	struct soap_request	 r;
	const char		*why;

	for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]);
	    i++) {
		const struct read_case *c = &read_cases[i];
		int	 rc = soap_read(c->xml, strlen(c->xml), &r, &why);

		print_message("case %s: rc %d %s\n", c->name, rc,
		    why ? why : "");
		assert_int_equal(rc, c->rc);
		if (rc == -1) {
			assert_non_null(why);
			if (strstr(c->xml, "DOCTYPE") != NULL)
				assert_string_equal(why,
				    "a DOCTYPE is not allowed");
			continue;
		}
		assert_null(why);
		assert_int_equal(r.sr_nimpersonate, c->nimp);
		assert_int_equal(r.sr_misplaced, c->misplaced);
		assert_int_equal(r.sr_form, c->form);
		assert_string_equal(r.sr_target, c->target);
		if (c->mailbox == NULL)
			assert_int_equal(r.sr_nmailboxes, 0);
		else {
			assert_int_equal(r.sr_nmailboxes, 1);
			assert_string_equal(r.sr_mailboxes[0], c->mailbox);
		}
	}
}

/* The header-only read used in delegated mode. */
static void
test_header_impersonates(void **state)
{
	static const char	 none[] = ENV(HDR(""), GETFOLDER(INBOX));
	static const char	 one[] = ENV(HDR(IMP("SmtpAddress",
	    "b@x.example")), GETFOLDER(INBOX));
	static const char	 two[] = ENV(HDR(IMP("SmtpAddress",
	    "b@x.example") IMP("SID", "S-1-5")), GETFOLDER(INBOX));
	static const char	 dtd[] = "<!DOCTYPE x [<!ENTITY a \"b\">]>"
	    ENVB("", GETFOLDER(INBOX));
	const char		*why;

	assert_int_equal(soap_header_impersonates(none, strlen(none), &why),
	    0);
	assert_int_equal(soap_header_impersonates(one, strlen(one), &why), 1);
	assert_int_equal(soap_header_impersonates(two, strlen(two), &why), 2);
	assert_int_equal(soap_header_impersonates(dtd, strlen(dtd), &why), -1);
	assert_string_equal(why, "a DOCTYPE is not allowed");
}

static void
test_read_op_version(void **state)
{
	static const char	 x[] = ENV(HDR(""), GETFOLDER(INBOX));
	struct soap_request	 r;
	const char		*why;

	assert_int_equal(soap_read(x, strlen(x), &r, &why), 0);
	assert_string_equal(r.sr_op, "GetFolder");
	assert_string_equal(r.sr_version, "Exchange2016");
	assert_string_equal(soap_sid_form_name(SOAP_SID_SID), "SID");
	assert_string_equal(soap_sid_form_name(SOAP_SID_NONE), "");
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Billion laughs: refused at the DOCTYPE, fast, nothing expanded. */
static void
test_read_bomb(void **state)
{
	char			 x[8192];
	size_t			 n = 0;
	struct soap_request	 r;
	const char		*why;
	double			 t0;

	n += snprintf(x + n, sizeof(x) - n, "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE soap:Envelope [<!ENTITY lol0 \"lol\">");
	for (int i = 1; i < 10; i++)
		n += snprintf(x + n, sizeof(x) - n, "<!ENTITY lol%d \""
		    "&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;"
		    "&lol%d;&lol%d;\">", i, i - 1, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1);
	n += snprintf(x + n, sizeof(x) - n, "]><soap:Envelope " NS_DECL ">"
	    "<soap:Header>" IMP("SmtpAddress", "&lol9;") "</soap:Header>"
	    "<soap:Body><m:GetFolder a=\"&lol9;\"/></soap:Body>"
	    "</soap:Envelope>");
	t0 = now();
	assert_int_equal(soap_read(x, n, &r, &why), -1);
	assert_true(now() - t0 < 0.5);
	assert_string_equal(why, "a DOCTYPE is not allowed");
	t0 = now();
	assert_null(soap_set_impersonation(x, n, "a@x.example", &n));
	assert_true(now() - t0 < 0.5);
}

/* Deep nesting and node floods are refused. */
static void
test_read_limits(void **state)
{
	struct soap_request	 r;
	const char		*why;
	char			*x;
	size_t			 n = 0, cap = 16 * 1024 * 1024;

	assert_non_null(x = malloc(cap));
	n += snprintf(x, cap, "<soap:Envelope " NS_DECL "><soap:Body>"
	    "<m:GetFolder>");
	for (int i = 0; i < 100; i++)
		n += snprintf(x + n, cap - n, "<t:a>");
	for (int i = 0; i < 100; i++)
		n += snprintf(x + n, cap - n, "</t:a>");
	n += snprintf(x + n, cap - n, "</m:GetFolder></soap:Body>"
	    "</soap:Envelope>");
	assert_int_equal(soap_read(x, n, &r, &why), -1);
	assert_string_equal(why, "the XML nests too deep");

	n = snprintf(x, cap, "<soap:Envelope " NS_DECL "><soap:Body>"
	    "<m:GetFolder>");
	while (n < cap - 64 && n < (size_t)SOAP_READ_MAX_NODES * 5)
		n += snprintf(x + n, cap - n, "<a/>");
	n += snprintf(x + n, cap - n, "</m:GetFolder></soap:Body>"
	    "</soap:Envelope>");
	assert_int_equal(soap_read(x, n, &r, &why), -1);
	assert_string_equal(why, "the XML has too many nodes");
	free(x);
}

/* Writes, then reads back what was written. */
static void
check_set(const char *in, const char *target, const char *must_contain)
{
	struct soap_request	 r;
	const char		*why;
	size_t			 n = 0;
	char			*out;

	out = soap_set_impersonation(in, strlen(in), target, &n);
	assert_non_null(out);
	assert_int_equal(strlen(out), n);
	assert_int_equal(soap_read(out, n, &r, &why), 0);
	assert_int_equal(r.sr_nimpersonate, 1);
	assert_int_equal(r.sr_form, SOAP_SID_PRIMARY_SMTP);
	assert_string_equal(r.sr_target, target);
	assert_string_equal(r.sr_op, "GetFolder");
	if (must_contain != NULL)
		assert_non_null(strstr(out, must_contain));
	free(out);
}

static void
test_set_impersonation(void **state)
{
	static const char	 nohdr[] = ENV("", GETFOLDER(INBOX));
	static const char	 rsv[] = ENV(HDR(""), GETFOLDER(INBOX));
	static const char	 two[] = ENV(HDR(IMP("SmtpAddress", "x@y.z")
	    IMP("SID", "S-1-5")), GETFOLDER(INBOX));
	static const char	 bare[] = "<s:Envelope xmlns:s=\""
	    SOAP_NS_ENVELOPE "\"><s:Body><GetFolder xmlns=\""
	    SOAP_NS_MESSAGES "\"/></s:Body></s:Envelope>";
	static const char	 amp[] = ENV("", GETFOLDER(INBOX));
	size_t			 n;
	char			*out;

	/* The header is created first in the Envelope. */
	check_set(nohdr, "alice@x.example", "<soap:Envelope " NS_DECL
	    "><soap:Header><t:ExchangeImpersonation>");
	/* RequestServerVersion stays first. */
	check_set(rsv, "alice@x.example", "Exchange2016\"/>"
	    "<t:ExchangeImpersonation>");
	/* Both old ones go. */
	check_set(two, "alice@x.example", NULL);
	/* No types prefix in scope: one is declared. */
	check_set(bare, "alice@x.example", "<s:Header><t:"
	    "ExchangeImpersonation xmlns:t=\"" SOAP_NS_TYPES "\">");
	/* The address is escaped. */
	check_set(amp, "a&b<c@x.example", "a&amp;b&lt;c@x.example");

	/* A declared encoding is kept (the client's Content-Type names it). */
	{
		static const char	 latin1[] = "<?xml version=\"1.0\" "
		    "encoding=\"ISO-8859-1\"?>" ENVB("", "<m:GetFolder>"
		    "<m:FolderShape><t:BaseShape>Caf\xe9</t:BaseShape>"
		    "</m:FolderShape></m:GetFolder>");

		out = soap_set_impersonation(latin1, strlen(latin1),
		    "a@x.example", &n);
		assert_non_null(out);
		assert_non_null(strstr(out, "encoding=\"ISO-8859-1\""));
		assert_non_null(strstr(out, "Caf\xe9<"));
		free(out);
	}
	assert_null(soap_set_impersonation("<a>", 3, "a@x.example", &n));
	assert_null(soap_set_impersonation(nohdr, strlen(nohdr), "", &n));
	/* The body after the header is kept. */
	out = soap_set_impersonation(rsv, strlen(rsv), "a@x.example", &n);
	assert_non_null(out);
	assert_non_null(strstr(out, "<soap:Body>" GETFOLDER(INBOX)
	    "</soap:Body></soap:Envelope>"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_cases),
		cmocka_unit_test(test_read_op_version),
		cmocka_unit_test(test_header_impersonates),
		cmocka_unit_test(test_read_bomb),
		cmocka_unit_test(test_read_limits),
		cmocka_unit_test(test_set_impersonation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
