/*
 * fake365 device authorization grant (RFC 8628, as Entra runs it):
 * POST devicecode hands out a code pair, the person approves or declines
 * at /devicelogin, the client polls the token endpoint.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "log.h"
#include "tests/fake365/fake365.h"

#define DEVICE_CODE_CHARS	120
#define DEVICE_USER_CHARS	9
#define DEVICE_POLL_SLACK_MS	100	/* timers may fire a bit early */

enum device_state {
	DEVICE_PENDING,
	DEVICE_APPROVED,
	DEVICE_DECLINED,
	DEVICE_REDEEMED,
};

struct device {
	struct device		*next;
	char			 code[16 + DEVICE_CODE_CHARS + 1];
	char			 user_code[DEVICE_USER_CHARS + 1];
	char			 client[64];
	struct scope		 scope;
	time_t			 expires;
	long			 interval;	/* s */
	long long		 last_poll_ms;	/* 0: never polled */
	enum device_state	 state;
	int			 user;
};

static struct device	*devices;

static long long
device_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Forgets codes that expired before BEFORE. */
static void
device_prune(time_t before)
{
	struct device	**pp = &devices, *d;

	while ((d = *pp) != NULL) {
		if (d->expires < before) {
			*pp = d->next;
			free(d);
		} else
			pp = &d->next;
	}
}

static struct device *
device_bycode(const char *code)
{
	for (struct device *d = devices; d != NULL; d = d->next)
		if (strcmp(d->code, code) == 0)
			return d;
	return NULL;
}

static struct device *
device_byuser_code(const char *code)
{
	for (struct device *d = devices; d != NULL; d = d->next)
		if (strcasecmp(d->user_code, code) == 0)
			return d;
	return NULL;
}

/* POST /{tenant}/oauth2/v2.0/devicecode */
void
device_code(struct fx *fx)
{
	struct evkeyvalq	 q;
	struct device		*d = NULL;
	const char		*client, *scope, *error, *text;
	char			 verify[128], msg[320];
	int			 aadsts;

	fx->fx_delay_ms = fake.token_delay_ms;
	if (fx_form(fx, &q) == -1) {
		aad_error(fx, 400, "invalid_request", 900144, "The request "
		    "body must contain the following parameter: 'client_id'.");
		goto done;
	}
	if ((client = identity_param(fx, &q, "client_id")) == NULL)
		goto done;
	json_object_set_new(fx->fx_log, "client_id",
	    json_stringn(client, strnlen(client, 64)));
	if (identity_client(fx, client) == -1 ||
	    (scope = identity_param(fx, &q, "scope")) == NULL)
		goto done;
	json_object_set_new(fx->fx_log, "scope",
	    json_stringn(scope, strnlen(scope, 512)));
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    snprintf(d->client, sizeof(d->client), "%s", client) < 0) {
		aad_error(fx, 500, "server_error", 90033, "A transient error "
		    "has occurred. Please try again.");
		goto done;
	}
	if (scope_parse(scope, &d->scope, &error, &aadsts, &text) == -1) {
		aad_error(fx, 400, error, aadsts, "%s", text);
		goto done;
	}
	device_prune(time(NULL) - 3600);
	memcpy(d->code, "DAQABAAEAAAD--", 14);
	rand_b64url(d->code + 14, DEVICE_CODE_CHARS);
	rand_user_code(d->user_code, DEVICE_USER_CHARS);
	d->expires = time(NULL) + fake.device_expires_in;
	d->interval = fake.device_interval;
	d->user = -1;
	if (fake.auto_approve != NULL) {
		d->state = DEVICE_APPROVED;
		d->user = dir_user_byupn(fake.auto_approve);
	}
	d->next = devices;
	devices = d;

	snprintf(verify, sizeof(verify), "%s/devicelogin", fake.base_url);
	snprintf(msg, sizeof(msg), "To sign in, use a web browser to open "
	    "the page %s and enter the code %s to authenticate.", verify,
	    d->user_code);
	d = NULL;
	reqlog_issued(devices->code);
	fx_reply_json(fx, 200, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}",
	    "user_code", devices->user_code, "device_code", devices->code,
	    "verification_uri", verify, "expires_in",
	    (json_int_t)fake.device_expires_in,
	    "interval", (json_int_t)devices->interval, "message", msg));
done:
	free(d);
	evhttp_clear_headers(&q);
}

static const char device_page_form[] =
    "<!DOCTYPE html>\n<html><head><title>Enter code</title></head><body>\n"
    "<h1>Enter code</h1>\n"
    "<p>Enter the code displayed on your app or device.</p>\n"
    "<form method=\"post\" action=\"/devicelogin\">\n"
    "<p><label>Code <input name=\"user_code\" autofocus></label></p>\n"
    "<p><label>Account <input name=\"username\" "
    "placeholder=\"alice@contoso.example\"></label></p>\n"
    "<p><button name=\"action\" value=\"approve\">Continue</button>\n"
    "<button name=\"action\" value=\"decline\">Cancel</button></p>\n"
    "</form></body></html>\n";

static void
device_page(struct fx *fx, int status, const char *title, const char *text)
{
	char	 page[512];

	snprintf(page, sizeof(page), "<!DOCTYPE html>\n<html><head><title>%s"
	    "</title></head><body>\n<h1>%s</h1>\n<p>%s</p>\n</body></html>\n",
	    title, title, text);
	fx_reply_text(fx, status, "text/html; charset=utf-8", page);
}

/* GET and POST /devicelogin: what the person does in the browser. */
void
device_login(struct fx *fx)
{
	struct evkeyvalq	 q;
	struct device		*d;
	const char		*code, *upn, *action;
	int			 user;

	if (evhttp_request_get_command(fx->fx_req) != EVHTTP_REQ_POST) {
		fx_reply_text(fx, 200, "text/html; charset=utf-8",
		    device_page_form);
		return;
	}
	if (fx_form(fx, &q) == -1 ||
	    (code = evhttp_find_header(&q, "user_code")) == NULL ||
	    (d = device_byuser_code(code)) == NULL ||
	    d->expires <= time(NULL) || d->state != DEVICE_PENDING) {
		device_page(fx, 400, "That code didn't work", "Check the code "
		    "and try again.");
		goto done;
	}
	upn = evhttp_find_header(&q, "username");
	action = evhttp_find_header(&q, "action");
	if (upn == NULL || (user = dir_user_byupn(upn)) == -1) {
		device_page(fx, 400, "We couldn't find an account with that "
		    "username", "Try another account.");
		goto done;
	}
	json_object_set_new(fx->fx_log, "user",
	    json_string(dir_user_at(user)->upn));
	if (action != NULL && strcmp(action, "approve") == 0) {
		d->state = DEVICE_APPROVED;
		d->user = user;
		device_page(fx, 200, "You have signed in", "You have signed in "
		    "to the ewsgw application on your device. You may now "
		    "close this window.");
	} else if (action != NULL && strcmp(action, "decline") == 0) {
		d->state = DEVICE_DECLINED;
		d->user = user;
		device_page(fx, 200, "Sign-in canceled", "You have canceled "
		    "the sign-in. You may now close this window.");
	} else
		device_page(fx, 400, "Unknown action", "Choose Continue or "
		    "Cancel.");
done:
	evhttp_clear_headers(&q);
}

void
device_free(void)
{
	device_prune(LLONG_MAX);
}

int
device_user(struct evkeyvalq *q)
{
	const char	*code = evhttp_find_header(q, "device_code");
	struct device	*d = code ? device_bycode(code) : NULL;

	return d ? d->user : -1;
}

/* grant_type=urn:ietf:params:oauth:grant-type:device_code */
void
device_grant(struct fx *fx, struct evkeyvalq *q)
{
	struct device	*d;
	const char	*code;
	long long	 now_ms = device_now_ms(), last;

	if ((code = identity_param(fx, q, "device_code")) == NULL)
		return;
	if ((d = device_bycode(code)) == NULL ||
	    d->state == DEVICE_REDEEMED) {
		aad_error(fx, 400, "bad_verification_code", 70018, "The "
		    "provided value for the input parameter 'device_code' is "
		    "not valid.");
		return;
	}
	if (strcmp(d->client, evhttp_find_header(q, "client_id")) != 0) {
		aad_error(fx, 400, "invalid_grant", 70000, "The device code "
		    "was issued to a different client.");
		return;
	}
	if (d->expires <= time(NULL)) {
		aad_error(fx, 400, "expired_token", 70019, "Verification code "
		    "expired.");
		return;
	}
	last = d->last_poll_ms;
	d->last_poll_ms = now_ms;
	if (d->state == DEVICE_DECLINED) {
		aad_error(fx, 400, "authorization_declined", 65004, "User "
		    "declined to consent to access the app.");
		return;
	}
	if (d->state == DEVICE_PENDING) {
		if (last != 0 && now_ms - last <
		    d->interval * 1000 - DEVICE_POLL_SLACK_MS)
			aad_error(fx, 400, "slow_down", 0, "The client is "
			    "polling faster than the interval of %ld s "
			    "(RFC 8628 slow_down).", d->interval);
		else
			aad_error(fx, 400, "authorization_pending", 70016,
			    "OAuth 2.0 device flow error. Authorization is "
			    "pending. Continue polling.");
		return;
	}
	d->state = DEVICE_REDEEMED;
	aad_issue(fx, d->user, d->client, &d->scope);
}
