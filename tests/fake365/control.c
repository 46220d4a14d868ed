/*
 * fake365 control API for tests, under /_fake: health, the request log,
 * counters, settings, faults, session revocation, reset. JSON in and out.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "tests/fake365/fake365.h"

#define CONTROL_BODY_MAX	16384

static void	control_health(struct fx *, json_t *);
static void	control_log(struct fx *, json_t *);
static void	control_stats(struct fx *, json_t *);
static void	control_issued(struct fx *, json_t *);
static void	control_config(struct fx *, json_t *);
static void	control_fault(struct fx *, json_t *);
static void	control_unfault(struct fx *, json_t *);
static void	control_revoke(struct fx *, json_t *);
static void	control_reset(struct fx *, json_t *);
static void	control_authorize(struct fx *, json_t *);
static void	control_notify(struct fx *, json_t *);

static const struct control {
	const char		*path;
	enum evhttp_cmd_type	 cmd;
	void			(*fn)(struct fx *, json_t *);
} controls[] = {
	{ "/health", EVHTTP_REQ_GET, control_health },
	{ "/log", EVHTTP_REQ_GET, control_log },
	{ "/stats", EVHTTP_REQ_GET, control_stats },
	{ "/issued", EVHTTP_REQ_GET, control_issued },
	{ "/config", EVHTTP_REQ_GET, control_config },
	{ "/config", EVHTTP_REQ_POST, control_config },
	{ "/fault", EVHTTP_REQ_POST, control_fault },
	{ "/fault", EVHTTP_REQ_DELETE, control_unfault },
	{ "/revoke", EVHTTP_REQ_POST, control_revoke },
	{ "/reset", EVHTTP_REQ_POST, control_reset },
	{ "/authorize", EVHTTP_REQ_POST, control_authorize },
	{ "/notify", EVHTTP_REQ_POST, control_notify },
};

/* Settings POST /_fake/config may change. */
static const struct {
	const char	*name;
	size_t		 offset;	/* of a long in struct fake_conf */
	long		 min;
	long		 max;
} control_settings[] = {
	{ "token_lifetime", offsetof(struct fake_conf, token_lifetime),
	    1, 86400 },
	{ "refresh_lifetime", offsetof(struct fake_conf, refresh_lifetime),
	    0, 365 * 86400L },
	{ "device_interval", offsetof(struct fake_conf, device_interval),
	    1, 60 },
	{ "device_expires_in", offsetof(struct fake_conf, device_expires_in),
	    1, 3600 },
	{ "ews_delay_ms", offsetof(struct fake_conf, ews_delay_ms),
	    0, 600000 },
	{ "token_delay_ms", offsetof(struct fake_conf, token_delay_ms),
	    0, 600000 },
	{ "code_lifetime", offsetof(struct fake_conf, code_lifetime),
	    1, 3600 },
	{ "stream_minute_ms", offsetof(struct fake_conf, stream_minute_ms),
	    100, 60000 },
	{ "stream_keepalive_ms", offsetof(struct fake_conf,
	    stream_keepalive_ms), 100, 600000 },
};

static long *
control_setting(size_t i)
{
	return (long *)((char *)&fake + control_settings[i].offset);
}

static void
control_error(struct fx *fx, int status, const char *text)
{
	fx_reply_json(fx, status, json_pack("{s:s}", "error", text));
}

void
control_handle(struct fx *fx, const char *path)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(fx->fx_req);
	json_t			*body = NULL;
	char			*s;
	size_t			 len;

	/* the log holds what the system under test sent, not this */
	json_decref(fx->fx_log);
	fx->fx_log = NULL;
	if (cmd == EVHTTP_REQ_POST) {
		if ((s = fx_body(fx, CONTROL_BODY_MAX, &len)) != NULL)
			body = len ? json_loadb(s, len, 0, NULL) : json_object();
		free(s);
		if (!json_is_object(body)) {
			json_decref(body);
			control_error(fx, 400, "the body must be a JSON object");
			return;
		}
	}
	for (size_t i = 0; i < NELEM(controls); i++)
		if (strcmp(path, controls[i].path) == 0 &&
		    controls[i].cmd == cmd) {
			controls[i].fn(fx, body);
			json_decref(body);
			return;
		}
	json_decref(body);
	control_error(fx, 404, "no such control endpoint or method");
}

static void
control_health(struct fx *fx, json_t *body)
{
	fx_reply_text(fx, 200, "text/plain", "ok");
}

static void
control_log(struct fx *fx, json_t *body)
{
	fx_reply_json(fx, 200, reqlog_all());
}

static void
control_stats(struct fx *fx, json_t *body)
{
	fx_reply_json(fx, 200, reqlog_stats());
}

static void
control_issued(struct fx *fx, json_t *body)
{
	fx_reply_json(fx, 200, reqlog_issued_all());
}

static void
control_config(struct fx *fx, json_t *body)
{
	const char	*key;
	json_t		*v, *out;
	size_t		 i;

	json_object_foreach(body, key, v) {
		for (i = 0; i < NELEM(control_settings); i++)
			if (strcmp(key, control_settings[i].name) == 0)
				break;
		if (i == NELEM(control_settings) || !json_is_integer(v) ||
		    json_integer_value(v) < control_settings[i].min ||
		    json_integer_value(v) > control_settings[i].max) {
			control_error(fx, 400, "unknown setting or value out "
			    "of range");
			return;
		}
	}
	json_object_foreach(body, key, v)
		for (i = 0; i < NELEM(control_settings); i++)
			if (strcmp(key, control_settings[i].name) == 0)
				*control_setting(i) = json_integer_value(v);
	out = json_object();
	for (i = 0; i < NELEM(control_settings); i++)
		json_object_set_new(out, control_settings[i].name,
		    json_integer(*control_setting(i)));
	fx_reply_json(fx, 200, out);
}

static void
control_fault(struct fx *fx, json_t *body)
{
	const char	*errstr;

	if (fault_add(body, &errstr) == -1)
		control_error(fx, 400, errstr);
	else
		fx_reply_json(fx, 200, json_pack("{s:b}", "armed", 1));
}

static void
control_unfault(struct fx *fx, json_t *body)
{
	fault_clear();
	fx_reply_json(fx, 200, json_pack("{s:b}", "cleared", 1));
}

static void
control_revoke(struct fx *fx, json_t *body)
{
	const char	*upn = json_string_value(json_object_get(body, "user"));
	int		 user = upn ? dir_user_byupn(upn) : -1;

	if (user == -1) {
		control_error(fx, 400, "want {\"user\":UPN} of a known user");
		return;
	}
	fx_reply_json(fx, 200, json_pack("{s:i}", "revoked",
	    refresh_revoke(user)));
}

static void
control_reset(struct fx *fx, json_t *body)
{
	reqlog_reset();
	fault_clear();
	notify_reset();
	fx_reply_json(fx, 200, json_pack("{s:b}", "reset", 1));
}

/* A new mail arrives in USER's inbox: NewMailEvent and CreatedEvent. */
static void
control_notify(struct fx *fx, json_t *body)
{
	const char	*upn = json_string_value(json_object_get(body, "user"));
	int		 user = upn ? dir_user_byupn(upn) : -1, n;
	char		 id[200];

	if (user == -1 || (n = notify_new_mail(user, id, sizeof(id))) == -1) {
		control_error(fx, 400, "want {\"user\":UPN} of a known user");
		return;
	}
	fx_reply_json(fx, 200, json_pack("{s:i, s:s}", "subscriptions", n,
	    "item_id", id));
}

/* What the person at the authorize page does next. */
static void
control_authorize(struct fx *fx, json_t *body)
{
	const char	*errstr;

	if (authorize_arm(body, &errstr) == -1)
		control_error(fx, 400, errstr);
	else
		fx_reply_json(fx, 200, json_pack("{s:b}", "armed", 1));
}
