/*
 * `ewsgw login NAME`: the device authorization grant (RFC 8628 as
 * Microsoft runs it, office365.md §1.4). Ask for a code, show
 * Microsoft's message, poll the token endpoint from the sign-in's timer;
 * login.c checks and stores what comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth/login_int.h"
#include "conf/conf.h"
#include "net/net.h"

#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define LOGIN_INTERVAL_S	5	/* when the answer names none */
#define LOGIN_MAX_INTERVAL_S	60
#define LOGIN_EXPIRES_S		900
#define LOGIN_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:device_code"

static void	login_request_code(struct auth_login *);

static void
login_poll(struct auth_login *lg)
{
	const struct auth_form_field	 fields[] = {
		{ "grant_type", LOGIN_GRANT_TYPE },
		{ "client_id", lg->lg_conf->client_id },
		{ "device_code", lg->lg_device_code },
	};

	login_token_post(lg, auth_form(fields, NITEMS(fields)));
}

/* The devicecode answer (§1.4): keep the code, show the message. */
static int
login_code_parse(struct auth_login *lg, const char *body, size_t len)
{
	json_t		*o, *msg;
	const char	*code, *user_code, *uri;
	long		 expires_in, interval;
	int		 ret = -1;

	if ((o = json_loadb(body, len, 0, NULL)) == NULL)
		return -1;
	code = json_string_value(json_object_get(o, "device_code"));
	user_code = json_string_value(json_object_get(o, "user_code"));
	uri = json_string_value(json_object_get(o, "verification_uri"));
	msg = json_object_get(o, "message");
	if (code == NULL || *code == '\0' || user_code == NULL ||
	    (uri == NULL && !json_is_string(msg)))
		goto done;
	if ((lg->lg_device_code = strdup(code)) == NULL)
		goto done;
	if ((expires_in = oauth_json_seconds(json_object_get(o,
	    "expires_in"))) < 0)
		expires_in = LOGIN_EXPIRES_S;
	if ((interval = oauth_json_seconds(json_object_get(o,
	    "interval"))) < 0)
		interval = LOGIN_INTERVAL_S;
	lg->lg_interval = interval < LOGIN_MAX_INTERVAL_S ? interval :
	    LOGIN_MAX_INTERVAL_S;
	lg->lg_deadline = login_now() + expires_in;

	if (json_is_string(msg))
		printf("%s\n", json_string_value(msg));
	else
		printf("To sign in, use a web browser to open the page %s "
		    "and enter the code %s to authenticate.\n", uri,
		    user_code);
	fflush(stdout);
	ret = 0;
 done:
	oauth_json_wipe(o);
	json_decref(o);
	return ret;
}

static void
login_code_cb(void *arg, enum fetch_result result, long status,
    const char *body, size_t len, const char *detail)
{
	struct auth_login	*lg = arg;
	struct oauth_tokens	 t;
	struct oauth_error	 err;
	enum oauth_outcome	 outcome;

	lg->lg_fetch = NULL;
	if (result != FETCH_OK)
		outcome = oauth_net_error(lg->lg_conf, result, &err);
	else if (status != 200)
		outcome = oauth_parse_response(status, body, len, &t, &err);
	else if (login_code_parse(lg, body, len) == 0) {
		login_schedule(lg, lg->lg_interval);
		return;
	} else {
		login_finish(lg, "sign-in failed: the identity platform's "
		    "devicecode answer lacks a device code");
		return;
	}
	if (outcome == OAUTH_TRANSIENT)
		login_retry(lg, &err);
	else
		login_finish(lg, "sign-in failed: %s", err.message);
}

static void
login_request_code(struct auth_login *lg)
{
	const struct auth_form_field	 fields[] = {
		{ "client_id", lg->lg_conf->client_id },
		{ "scope", lg->lg_scope },
	};
	char				*form;

	if ((form = auth_form(fields, NITEMS(fields))) != NULL)
		lg->lg_fetch = oauth_post(lg->lg_loop, lg->lg_conf,
		    "devicecode", form, login_code_cb, lg);
	free(form);
	if (lg->lg_fetch == NULL)
		login_finish(lg, "cannot send a request to the identity "
		    "platform");
}

/* The timer: ask for a code first, then poll until it expires. */
static void
login_device_step(struct auth_login *lg)
{
	if (lg->lg_device_code == NULL)
		login_request_code(lg);
	else if (login_now() >= lg->lg_deadline)
		login_expired(lg);
	else
		login_poll(lg);
}

struct auth_login *
auth_login_start(struct event_base *base, struct net_loop *loop,
    const struct conf *conf, struct store *store, const char *name,
    auth_login_cb done, void *arg, char *err, size_t errlen)
{
	return login_new(base, loop, conf, store, name, login_device_step,
	    done, arg, err, errlen);
}
