/*
 * fake365 EWS: POST /EWS/Exchange.asmx. Authenticates the bearer token,
 * applies armed faults, checks X-AnchorMailbox, parses the SOAP envelope
 * safely (no network, no DTD), checks RequestServerVersion and hands the
 * first element of soap:Body to its operation's handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <libxml/parser.h>
#include <openssl/evp.h>

#include "log.h"
#include "tests/fake365/ews.h"

/* EWSMaxConcurrency of Exchange Online, and its fault's text as observed
 * (office365.md §2.7). */
#define EWS_MAX_CONCURRENCY	27
#define EWS_CONCURRENCY_TEXT	"The server cannot service this request " \
	"right now. Try again later., This operation exceeds the throttling " \
	"budget for policy part 'MaxConcurrency', policy value '27',  " \
	"Budget type: 'Ews'.  Suggested backoff time 0 ms."

static const struct ews_op {
	const char	*name;
	int		(*fn)(struct ews_req *);
} ews_ops[] = {
	{ "ConvertId", ews_convert_id },
	{ "FindFolder", ews_find_folder },
	{ "FindItem", ews_find_item },
	{ "GetAttachment", ews_get_attachment },
	{ "GetFolder", ews_get_folder },
	{ "GetEvents", ews_get_events },
	{ "GetItem", ews_get_item },
	{ "GetStreamingEvents", ews_get_streaming_events },
	{ "ResolveNames", ews_resolve_names },
	{ "Subscribe", ews_subscribe },
	{ "Unsubscribe", ews_unsubscribe },
};

/* RequestServerVersion values EXO accepts: ExchangeVersionType of its
 * types.xsd (so not Exchange2019, which exchangelib tries first). */
static const char *const ews_versions[] = {
	"Exchange2007", "Exchange2007_SP1", "Exchange2009", "Exchange2010",
	"Exchange2010_SP1", "Exchange2010_SP2", "Exchange2012", "Exchange2013",
	"Exchange2013_SP1", "Exchange2015", "Exchange2016", "V2015_10_05", "V2016_01_06", "V2016_04_13",
	"V2016_07_13", "V2016_10_10", "V2017_01_07", "V2017_04_14",
	"V2017_07_11", "V2017_10_09", "V2018_01_08",
};

int
ews_fail(struct ews_req *req, const char *code, const char *text)
{
	req->fault = code;
	req->fault_text = text;
	return -1;
}

static void
ews_send_buffer(struct fx *fx, int status, xmlBufferPtr buf)
{
	struct evbuffer	*b = evbuffer_new();

	if (b != NULL && buf != NULL)
		evbuffer_add(b, xmlBufferContent(buf), xmlBufferLength(buf));
	fx_add_header(fx, "X-BackEndHttpStatus", status == 200 ? "200" : "500");
	fx_reply(fx, status, "text/xml; charset=utf-8", b);
}

static void
ews_fault(struct fx *fx, const char *code, const char *text, long backoff_ms)
{
	xmlBufferPtr	 buf = ews_fault_doc(code, text, backoff_ms);

	json_object_set_new(fx->fx_log, "fault_code", json_string(code));
	ews_send_buffer(fx, 500, buf);
	xmlBufferFree(buf);
}

/* Answers FX as the armed fault HIT says. */
static void
ews_fault_hit(struct fx *fx, const struct fault_hit *hit)
{
	char	 s[24];

	if (hit->retry_after > 0) {
		snprintf(s, sizeof(s), "%ld", hit->retry_after);
		fx_add_header(fx, "Retry-After", s);
	}
	if (hit->kind == FAULT_DOWN)
		fx_drop(fx);
	else if (hit->kind == FAULT_HTTP401)
		ews_401(fx, 2000001);
	else if (hit->kind == FAULT_BUSY)
		ews_fault(fx, "ErrorServerBusy", NULL, hit->backoff_ms);
	else
		fx_reply_text(fx, 503, "text/html", "<html><head><title>"
		    "Service Unavailable</title></head><body><h1>Service "
		    "Unavailable</h1></body></html>\r\n");
}

static void
ews_no_dtd_cb(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr	 p = ctx;

	*(int *)p->_private = 1;
	xmlStopParser(p);
}

/* The request document (new); NULL with *WHY when it is refused. */
static xmlDocPtr
ews_parse(const char *body, size_t len, const char **why)
{
	xmlParserCtxtPtr	 p;
	xmlDocPtr		 doc = NULL;
	int			 dtd = 0;

	*why = "The request failed schema validation: the XML is not "
	    "well-formed.";
	if ((p = xmlNewParserCtxt()) == NULL)
		return NULL;
	p->sax->internalSubset = ews_no_dtd_cb;
	p->_private = &dtd;
	doc = xmlCtxtReadMemory(p, body, (int)len, "request.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (dtd) {
		*why = "The request failed schema validation: For security "
		    "reasons DTD is prohibited in this XML document.";
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc != NULL && !p->wellFormed) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(p);
	return doc;
}

/* On-premises Exchange 2019 knows the ExchangeN names, not EXO's dated
 * V... versions. */
static int
ews_version_ok(const char *v, int onprem)
{
	if (onprem && v != NULL && v[0] == 'V')
		return 0;
	for (size_t i = 0; v != NULL && i < NELEM(ews_versions); i++)
		if (strcmp(v, ews_versions[i]) == 0)
			return 1;
	return 0;
}

/* The SOAP header: RequestServerVersion; impersonation for app-only
 * tokens only. */
static int
ews_header(struct ews_req *req, xmlNodePtr hdr)
{
	xmlNodePtr	 rsv = xml_child(hdr, NS_T, "RequestServerVersion");
	xmlNodePtr	 imp = xml_child(hdr, NS_T, "ExchangeImpersonation");

	if (rsv != NULL) {
		req->version = xml_attr(rsv, "Version");
		if (!ews_version_ok(req->version, req->onprem))
			return ews_fail(req, "ErrorInvalidServerVersion", NULL);
	}
	if (req->user == -1)
		return ews_impersonate(req, hdr, imp);
	if (imp != NULL)
		return ews_fail(req, "ErrorImpersonateUserDenied", "The "
		    "account does not have permission to impersonate the "
		    "requested user: delegated tokens cannot impersonate.");
	return 0;
}

/* The envelope: header checks, then the operation's handler. */
static int
ews_dispatch(struct ews_req *req)
{
	xmlNodePtr	 env = xmlDocGetRootElement(req->doc), body;

	if (!xml_is(env, NS_SOAP, "Envelope") ||
	    (body = xml_child(env, NS_SOAP, "Body")) == NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: it is not a SOAP 1.1 "
		    "envelope.");
	if ((req->op = xml_first(body)) == NULL)
		return ews_fail(req, "ErrorInvalidRequest", "The request is "
		    "invalid: soap:Body holds no operation.");
	req->opname = (const char *)req->op->name;
	json_object_set_new(req->fx->fx_log, "operation",
	    json_stringn(req->opname, strnlen(req->opname, 64)));
	if (ews_header(req, xml_child(env, NS_SOAP, "Header")) == -1)
		return -1;
	if (!xml_is(req->op, NS_M, NULL))
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: the operation is not in the "
		    "messages namespace.");
	for (size_t i = 0; i < NELEM(ews_ops); i++)
		if (strcmp(req->opname, ews_ops[i].name) == 0)
			return ews_ops[i].fn(req);
	return ews_fail(req, "ErrorInvalidRequest", "The request is invalid: "
	    "the fake does not implement this operation.");
}

/* Logs the size and SHA-256 of the body: tests check it came unchanged. */
static void
ews_log_body(struct fx *fx, const char *body, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 hex[2 * EVP_MAX_MD_SIZE + 1];

	json_object_set_new(fx->fx_log, "body_bytes", json_integer(len));
	if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	json_object_set_new(fx->fx_log, "body_sha256", json_string(hex));
}

/* 1 when the request's Content-Type is text/xml. */
static int
ews_content_type(struct fx *fx)
{
	const char	*ct = fx_header(fx, "Content-Type");

	return ct != NULL && strncasecmp(ct, "text/xml", 8) == 0 &&
	    (ct[8] == '\0' || ct[8] == ';' || ct[8] == ' ');
}

/* Exchange Online (bearer tokens) or on-premises Exchange (Basic). */
static void
ews_serve(struct fx *fx, int onprem)
{
	struct ews_req		 req;
	struct fault_hit	 hit;
	const char		*anchor, *why = "The request is too large.";
	char			*body = NULL;
	size_t			 len;
	int			 rc;

	memset(&req, 0, sizeof(req));
	req.fx = fx;
	req.onprem = onprem;
	fx->fx_delay_ms = fake.ews_delay_ms;
	if ((onprem ? ews_onprem_auth(fx, &req.user) :
	    ews_auth(fx, &req.user)) == -1)
		return;
	if (req.user != -1) {	/* -1: app-only, see ews_impersonate */
		fx->fx_busy = req.user + 1;
		snprintf(fx->fx_user, sizeof(fx->fx_user), "%s",
		    dir_user_at(req.user)->upn);
		if (reqlog_busy(req.user, 0, 1) > EWS_MAX_CONCURRENCY) {
			ews_fault(fx, "ErrorExceededConnectionCount",
			    EWS_CONCURRENCY_TEXT, 0);
			return;
		}
	}
	if (fault_take(fx, &hit)) {
		ews_fault_hit(fx, &hit);
		return;
	}
	if (evhttp_request_get_command(fx->fx_req) != EVHTTP_REQ_POST) {
		fx_reply_text(fx, 405, "text/plain", "EWS takes POST\n");
		return;
	}
	if ((anchor = fx_header(fx, "X-AnchorMailbox")) == NULL)
		log_info("EWS request for %s without X-AnchorMailbox",
		    fx->fx_user);
	else if (dir_user_byupn(anchor) == -1) {
		ews_fault(fx, "ErrorNonExistentMailbox", "The SMTP address "
		    "in X-AnchorMailbox has no mailbox associated with it.", 0);
		return;
	}
	if ((body = fx_body(fx, FAKE_BODY_MAX_BYTES, &len)) != NULL)
		ews_log_body(fx, body, len);
	if (!ews_content_type(fx)) {
		fx_reply_text(fx, 415, "text/plain", "Cannot process the "
		    "message because the content type is not the expected "
		    "type 'text/xml; charset=utf-8'.\n");
		goto done;
	}
	if (body == NULL || (req.doc = ews_parse(body, len, &why)) == NULL) {
		ews_fault(fx, "ErrorSchemaValidation", why, 0);
		goto done;
	}
	rc = ews_dispatch(&req);
	if (rc == 0 && xmlTextWriterEndDocument(req.w) >= 0 &&
	    xmlTextWriterFlush(req.w) >= 0)
		ews_send_buffer(fx, 200, req.buf);
	else if (rc == -1 || rc == 0)
		ews_fault(fx, req.fault ? req.fault :
		    "ErrorInternalServerError", req.fault_text, 0);
done:
	xmlFreeTextWriter(req.w);
	xmlBufferFree(req.buf);
	xmlFreeDoc(req.doc);
	free(body);
}

void
ews_handle(struct fx *fx)
{
	ews_serve(fx, 0);
}

void
ews_onprem_handle(struct fx *fx)
{
	ews_serve(fx, 1);
}
