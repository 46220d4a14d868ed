/*
 * fake365 HTTP: the evhttp server, the route table, and the one way out
 * for every answer (fx_reply), which logs it and honours delays.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "log.h"
#include "tests/fake365/fake365.h"

#define R_GET		0x01
#define R_POST		0x02
#define R_DELETE	0x04
#define R_TENANT	0x10	/* path follows a /{tenant} segment */
#define R_NOCASE	0x20	/* path compared case-insensitively */
#define R_PREFIX	0x40	/* path is a prefix */

static void	http_keys(struct fx *);
static void	http_openid(struct fx *);
static void	http_control(struct fx *);

static const struct route {
	const char	*path;
	int		 flags;
	enum fx_target	 target;
	void		(*fn)(struct fx *);
} routes[] = {
	{ "/oauth2/v2.0/token", R_TENANT | R_POST, FX_TOKEN, identity_token },
	{ "/oauth2/v2.0/devicecode", R_TENANT | R_POST, FX_TOKEN, device_code },
	{ "/oauth2/v2.0/authorize", R_TENANT | R_GET, FX_OTHER,
	    authorize_handle },
	{ "/discovery/v2.0/keys", R_TENANT | R_GET, FX_OTHER, http_keys },
	{ "/v2.0/.well-known/openid-configuration", R_TENANT | R_GET,
	    FX_OTHER, http_openid },
	{ "/devicelogin", R_GET | R_POST, FX_OTHER, device_login },
	{ "/ews/exchange.asmx", R_NOCASE | R_GET | R_POST, FX_EWS, ews_handle },
	{ "/onprem/ews/exchange.asmx", R_NOCASE | R_GET | R_POST, FX_EWS,
	    ews_onprem_handle },
	{ "/_fake/", R_PREFIX | R_GET | R_POST | R_DELETE, FX_OTHER,
	    http_control },
};

static const struct {
	enum evhttp_cmd_type	 cmd;
	int			 flag;
} http_methods[] = {
	{ EVHTTP_REQ_GET, R_GET },
	{ EVHTTP_REQ_HEAD, R_GET },
	{ EVHTTP_REQ_POST, R_POST },
	{ EVHTTP_REQ_DELETE, R_DELETE },
};

static struct evhttp	*http;

/* What an answer waits for while a delay runs. */
struct fx_later {
	struct evhttp_request	*req;
	int			 status;
	struct evbuffer		*body;
	int			 busy;	/* fx_busy */
};

static int
http_method_flag(struct evhttp_request *req)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	for (size_t i = 0; i < NELEM(http_methods); i++)
		if (http_methods[i].cmd == cmd)
			return http_methods[i].flag;
	return 0;
}

/* The route for PATH; *TENANT gets the /{tenant} segment when it has one. */
static const struct route *
http_route(const char *path, char *tenant, size_t tlen)
{
	const char	*rest = NULL, *slash;

	if (path[0] == '/' && (slash = strchr(path + 1, '/')) != NULL &&
	    (size_t)(slash - path - 1) < tlen) {
		memcpy(tenant, path + 1, slash - path - 1);
		tenant[slash - path - 1] = '\0';
		rest = slash;
	}
	for (size_t i = 0; i < NELEM(routes); i++) {
		const struct route	*r = &routes[i];
		const char		*p = path;

		if (r->flags & R_TENANT) {
			if (rest == NULL)
				continue;
			p = rest;
		}
		if (r->flags & R_PREFIX) {
			if (strncmp(p, r->path, strlen(r->path)) == 0)
				return r;
		} else if (r->flags & R_NOCASE) {
			if (strcasecmp(p, r->path) == 0)
				return r;
		} else if (strcmp(p, r->path) == 0)
			return r;
	}
	return NULL;
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const struct route	*r;
	const char		*path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct fx		*fx;
	char			 tenant[128];

	if ((fx = calloc(1, sizeof(*fx))) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	fx->fx_req = req;
	fx->fx_log = reqlog_begin(req);
	if (path == NULL || (r = http_route(path, tenant, sizeof(tenant))) ==
	    NULL) {
		fx_reply_text(fx, 404, "text/plain", "not found\n");
		return;
	}
	fx->fx_target = r->target;
	if (r->target != FX_OTHER)
		json_object_set_new(fx->fx_log, "target", json_string(
		    r->target == FX_TOKEN ? "token" : "ews"));
	if ((http_method_flag(req) & r->flags) == 0) {
		if (r->flags & R_TENANT)
			aad_error(fx, 400, "invalid_request", 900561,
			    "The endpoint only accepts POST, OPTIONS "
			    "requests. Received a %s request.",
			    http_method_flag(req) == R_GET ? "GET" : "other");
		else
			fx_reply_text(fx, 405, "text/plain",
			    "method not allowed\n");
		return;
	}
	if ((r->flags & R_TENANT) && aad_tenant(fx, tenant) == -1)
		return;
	r->fn(fx);
}

int
http_start(const char *host, int port)
{
	if ((http = evhttp_new(fake.base)) == NULL)
		return -1;
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(http, FAKE_BODY_MAX_BYTES);
	evhttp_set_gencb(http, http_request_cb, NULL);
	if (evhttp_bind_socket_with_handle(http, host, port) == NULL) {
		evhttp_free(http);
		http = NULL;
		return -1;
	}
	return 0;
}

void
http_stop(void)
{
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
}

/* Counts an EWS request as answered (BUSY: its fx_busy). */
static void
fx_unbusy(int busy)
{
	if (busy > 0)
		reqlog_busy(busy - 1, 0, -1);
}

static void
fx_free(struct fx *fx)
{
	json_decref(fx->fx_log);
	free(fx);
}

static void
http_send_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fx_later	*l = arg;

	evhttp_send_reply(l->req, l->status, NULL, l->body);
	evbuffer_free(l->body);
	fx_unbusy(l->busy);
	free(l);
}

void
fx_reply(struct fx *fx, int status, const char *ctype, struct evbuffer *body)
{
	struct evkeyvalq	*out;
	struct fx_later		*l;
	struct timeval		 tv;

	out = evhttp_request_get_output_headers(fx->fx_req);
	if (ctype != NULL)
		evhttp_add_header(out, "Content-Type", ctype);
	if (body == NULL)
		body = evbuffer_new();
	reqlog_end(fx->fx_log, status);
	fx->fx_log = NULL;
	if (fx->fx_delay_ms > 0 && body != NULL &&
	    (l = malloc(sizeof(*l))) != NULL) {
		l->req = fx->fx_req;
		l->status = status;
		l->body = body;
		l->busy = fx->fx_busy;
		tv.tv_sec = fx->fx_delay_ms / 1000;
		tv.tv_usec = (fx->fx_delay_ms % 1000) * 1000;
		if (event_base_once(fake.base, -1, EV_TIMEOUT,
		    http_send_later_cb, l, &tv) == 0) {
			fx_free(fx);
			return;
		}
		free(l);
	}
	evhttp_send_reply(fx->fx_req, status, NULL, body);
	if (body != NULL)
		evbuffer_free(body);
	fx_unbusy(fx->fx_busy);
	fx_free(fx);
}

void
fx_reply_text(struct fx *fx, int status, const char *ctype, const char *text)
{
	struct evbuffer	*b = evbuffer_new();

	if (b != NULL)
		evbuffer_add(b, text, strlen(text));
	fx_reply(fx, status, ctype, b);
}

void
fx_reply_json(struct fx *fx, int status, json_t *j)
{
	char	*s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	fx_add_header(fx, "Cache-Control", "no-store, no-cache");
	fx_add_header(fx, "Pragma", "no-cache");
	if (s == NULL) {
		fx_reply_text(fx, 500, "text/plain", "out of memory\n");
		return;
	}
	fx_reply_text(fx, status, "application/json; charset=utf-8", s);
	free(s);
}

void
fx_drop(struct fx *fx)
{
	struct evhttp_connection *evcon;

	reqlog_end(fx->fx_log, 0);
	fx->fx_log = NULL;
	evcon = evhttp_request_get_connection(fx->fx_req);
	fx_unbusy(fx->fx_busy);
	fx_free(fx);
	if (evcon != NULL)
		evhttp_connection_free(evcon);
}

void
fx_stream_start(struct fx *fx, const char *ctype)
{
	fx_add_header(fx, "Content-Type", ctype);
	reqlog_end(fx->fx_log, 200);
	fx->fx_log = NULL;
	evhttp_send_reply_start(fx->fx_req, 200, "OK");
	fx_unbusy(fx->fx_busy);
	fx_free(fx);
}

char *
fx_body(struct fx *fx, size_t max, size_t *lenp)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(fx->fx_req);
	size_t		 len = evbuffer_get_length(in);
	char		*s;

	if (len > max || (s = malloc(len + 1)) == NULL)
		return NULL;
	evbuffer_copyout(in, s, len);
	s[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return s;
}

int
fx_form(struct fx *fx, struct evkeyvalq *q)
{
	const char	*ct = fx_header(fx, "Content-Type");
	const char	*form = "application/x-www-form-urlencoded";
	char		*s;
	size_t		 len;
	int		 rc;

	TAILQ_INIT(q);
	if (ct == NULL || strncasecmp(ct, form, strlen(form)) != 0 ||
	    (ct[strlen(form)] != '\0' && ct[strlen(form)] != ';'))
		return -1;
	if ((s = fx_body(fx, FAKE_FORM_MAX_BYTES, &len)) == NULL)
		return -1;
	rc = strlen(s) == len ? evhttp_parse_query_str(s, q) : -1;
	free(s);
	return rc;
}

void
fx_add_header(struct fx *fx, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(fx->fx_req),
	    name, value);
}

const char *
fx_header(struct fx *fx, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(fx->fx_req),
	    name);
}

/* GET /{tenant}/discovery/v2.0/keys */
static void
http_keys(struct fx *fx)
{
	fx_reply_json(fx, 200, jwt_jwks());
}

/* GET /{tenant}/v2.0/.well-known/openid-configuration (the useful part) */
static void
http_openid(struct fx *fx)
{
	const char	*b = fake.base_url, *t = fake.tenant;

	fx_reply_json(fx, 200, json_pack(
	    "{s:s++, s:s++, s:s++, s:s++, s:s++, s:[s,s,s,s,s],"
	    " s:[s], s:[s]}",
	    "token_endpoint", b, "/", t, "/oauth2/v2.0/token",
	    "device_authorization_endpoint", b, "/", t,
	    "/oauth2/v2.0/devicecode",
	    "jwks_uri", b, "/", t, "/discovery/v2.0/keys",
	    "issuer", "https://login.microsoftonline.com/", t, "/v2.0",
	    "authorization_endpoint", b, "/", t, "/oauth2/v2.0/authorize",
	    "scopes_supported", "openid", "profile", "email",
	    "offline_access", FAKE_EWS_AUD "/" FAKE_EWS_SCP,
	    "id_token_signing_alg_values_supported", "RS256",
	    "token_endpoint_auth_methods_supported", "none"));
}

static void
http_control(struct fx *fx)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(
	    fx->fx_req);

	control_handle(fx, evhttp_uri_get_path(uri) + strlen("/_fake"));
}
