/* Answers that ewsgw writes itself: SOAP faults, the Basic challenge. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "proxy/proxy_int.h"

static void
reply_body(struct evhttp_request *req, int status, const char *content_type,
    const char *body, size_t len)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf = evbuffer_new();

	evhttp_remove_header(out, "Content-Type");
	evhttp_add_header(out, "Content-Type", content_type);
	evhttp_add_header(out, "Cache-Control", "private");
	if (buf != NULL && body != NULL)
		evbuffer_add(buf, body, len);
	evhttp_send_reply(req, status, NULL, buf);
	if (buf != NULL)
		evbuffer_free(buf);
}

void
reply_fault(struct evhttp_request *req, int status, enum soap_fault_code code,
    const char *message, const char *reason, unsigned backoff_ms)
{
	size_t	 len = 0;
	char	*xml = soap_fault_build(code, message, reason, backoff_ms,
	    &len);

	if (xml == NULL) {
		reply_text(req, 500, "out of memory\n");
		return;
	}
	reply_body(req, status ? status : soap_fault_status(code),
	    "text/xml; charset=utf-8", xml, len);
	free(xml);
}

void
reply_challenge(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "WWW-Authenticate", "Basic realm=\"ewsgw\"");
	reply_text(req, 401,
	    "401 Unauthorized: this gateway needs Basic credentials\n");
}

void
reply_xml(struct evhttp_request *req, int status, const char *xml,
    size_t len)
{
	reply_body(req, status, "text/xml; charset=utf-8", xml, len);
}

void
reply_text(struct evhttp_request *req, int status, const char *text)
{
	reply_body(req, status, "text/plain; charset=utf-8", text,
	    strlen(text));
}
