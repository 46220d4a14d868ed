/* The admin listener: GET /healthz and GET /metrics, nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "conf/conf.h"
#include "proxy/proxy_int.h"

static void
admin_healthz(struct proxy *px, struct evhttp_request *req)
{
	reply_text(req, 200, "ok\n");
}

static void
admin_metrics(struct proxy *px, struct evhttp_request *req)
{
	struct evbuffer	*buf;
	size_t		 len;
	char		*text = metrics_render(px->px_metrics, px->px_auth,
	    &len);

	if (text == NULL || (buf = evbuffer_new()) == NULL) {
		free(text);
		reply_text(req, 500, "out of memory\n");
		return;
	}
	evbuffer_add(buf, text, len);
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, NULL, buf);
	evbuffer_free(buf);
}

static const struct admin_route {
	const char	*path;
	void		(*serve)(struct proxy *, struct evhttp_request *);
} admin_routes[] = {
	{ "/healthz", admin_healthz },
	{ "/metrics", admin_metrics },
};

static void
admin_request_cb(struct evhttp_request *req, void *arg)
{
	const char	*uri = evhttp_request_get_uri(req);
	size_t		 n = strcspn(uri, "?");

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		reply_text(req, 405, "405 Method Not Allowed\n");
		return;
	}
	for (size_t i = 0; i < sizeof(admin_routes) / sizeof(admin_routes[0]);
	    i++)
		if (strlen(admin_routes[i].path) == n &&
		    strncmp(uri, admin_routes[i].path, n) == 0) {
			admin_routes[i].serve(arg, req);
			return;
		}
	reply_text(req, 404, "404 Not Found\n");
}

int
admin_start(struct proxy *px, char *err, size_t errlen)
{
	const struct conf	*conf = px->px_conf;

	px->px_admin = listen_http(px->px_base, conf->admin_host,
	    conf->admin_port, 4096, NULL, err, errlen);
	if (px->px_admin == NULL)
		return -1;
	evhttp_set_gencb(px->px_admin, admin_request_cb, px);
	return 0;
}
