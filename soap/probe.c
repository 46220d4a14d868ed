/* The GetFolder of the inbox that 'ewsgw check' sends, and its answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

static const char probe_request[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<soap:Envelope xmlns:soap=\"" SOAP_NS_ENVELOPE "\""
    " xmlns:m=\"" SOAP_NS_MESSAGES "\" xmlns:t=\"" SOAP_NS_TYPES "\">"
    "<soap:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/>"
    "</soap:Header><soap:Body><m:GetFolder><m:FolderShape>"
    "<t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds>"
    "<t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds></m:GetFolder>"
    "</soap:Body></soap:Envelope>\n";

const char *
soap_probe_request(void)
{
	return probe_request;
}

/* The text of the first node EXPR selects, or NULL; new string. */
static char *
probe_text(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr	 o = xmlXPathEvalExpression(XC(expr), ctx);
	char			*s = NULL;

	if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0) {
		xmlChar	*c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

		if (c != NULL)
			s = strdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(o);
	return s;
}

int
soap_probe_answer(const char *xml, size_t len, long *total, char *err,
    size_t errlen)
{
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 ctx = NULL;
	char			*cls = NULL, *code = NULL, *text = NULL;
	char			*count = NULL;
	int			 ret = -1;

	*total = -1;
	doc = xmlReadMemory(xml, (int)len, "answer.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || (ctx = xmlXPathNewContext(doc)) == NULL) {
		snprintf(err, errlen, "the answer is not XML");
		goto done;
	}
	cls = probe_text(ctx, "//*[local-name()='GetFolderResponseMessage']"
	    "/@ResponseClass");
	code = probe_text(ctx, "//*[local-name()='ResponseCode']");
	text = probe_text(ctx, "//*[local-name()='MessageText' or "
	    "local-name()='faultstring']");
	if (cls == NULL || strcmp(cls, "Success") != 0) {
		snprintf(err, errlen, "%s%s%s", code ? code : "no EWS answer",
		    text ? ": " : "", text ? text : "");
		goto done;
	}
	count = probe_text(ctx, "//*[local-name()='Folder']"
	    "/*[local-name()='TotalCount']");
	if (count != NULL)
		*total = strtol(count, NULL, 10);
	ret = 0;
done:
	free(cls);
	free(code);
	free(text);
	free(count);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return ret;
}
