/*
 * The identity platform's token endpoint: POST a form, classify the answer
 * (office365.md §1.9-1.11). Secrets met on the way (the form, tokens in
 * the JSON) are wiped before their memory is released.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/auth_int.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"

#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define OAUTH_MAX_BYTES		(64 * 1024)
#define OAUTH_TIMEOUT_MS	30000

/* One token request in flight; listed so oauth_token_cancel finds it. */
struct oauth_req {
	LIST_ENTRY(oauth_req)	 rq_entry;
	struct fetch		*rq_fetch;
	oauth_token_cb		 rq_cb;
	void			*rq_arg;
	char			 rq_host[256];
};
static LIST_HEAD(, oauth_req) oauth_reqs = LIST_HEAD_INITIALIZER(oauth_reqs);

/* error_codes that decide on their own, whatever `error` says. */
static const struct {
	long			 aadsts;
	enum oauth_outcome	 outcome;
} oauth_code_classes[] = {
	{ 70016, OAUTH_PENDING },	/* device flow: not signed in yet */
	{ 70019, OAUTH_EXPIRED },	/* device code expired */
	{ 53003, OAUTH_FAILED },	/* blocked by Conditional Access */
	{ 50196, OAUTH_TRANSIENT },	/* loop detected: back off */
};

/* `error` values; anything else is OAUTH_FAILED (or TRANSIENT on 5xx). */
static const struct {
	const char		*error;
	enum oauth_outcome	 outcome;
} oauth_error_classes[] = {
	{ "authorization_pending",	OAUTH_PENDING },
	{ "slow_down",			OAUTH_SLOW_DOWN },
	{ "authorization_declined",	OAUTH_DECLINED },
	{ "access_denied",		OAUTH_DECLINED },
	{ "expired_token",		OAUTH_EXPIRED },
	{ "invalid_grant",		OAUTH_INVALID_GRANT },
	/* the grant cannot be used without an interactive sign-in */
	{ "interaction_required",	OAUTH_INVALID_GRANT },
	{ "consent_required",		OAUTH_INVALID_GRANT },
	{ "temporarily_unavailable",	OAUTH_TRANSIENT },
	{ "server_error",		OAUTH_TRANSIENT },
};

/* Members of a token or device-code answer that hold secrets. */
static const char *const oauth_secret_members[] = {
	"access_token", "refresh_token", "id_token", "device_code",
};

void
oauth_tokens_clear(struct oauth_tokens *t)
{
	if (t == NULL)
		return;
	auth_secret_free(t->access_token);
	auth_secret_free(t->refresh_token);
	auth_secret_free(t->id_token);
	free(t->scope);
	memset(t, 0, sizeof(*t));
}

void
oauth_json_wipe(json_t *o)
{
	json_t	*v;

	for (size_t i = 0; i < NITEMS(oauth_secret_members); i++) {
		v = json_object_get(o, oauth_secret_members[i]);
		/* jansson's own buffer, released right after this */
		if (json_is_string(v))
			OPENSSL_cleanse((void *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
	}
}

/* The host[:port] of the configured authority, for messages. */
static void
oauth_host(const struct conf *conf, char *buf, size_t len)
{
	const char	*s = conf->authority != NULL ? conf->authority : "";
	const char	*p;
	size_t		 n;

	if ((p = strstr(s, "://")) != NULL)
		s = p + 3;
	n = strcspn(s, "/?#");
	snprintf(buf, len, "%.*s", (int)n, s);
}

static enum oauth_outcome
oauth_net_error_host(const char *host, enum fetch_result result,
    struct oauth_error *err)
{
	memset(err, 0, sizeof(*err));
	switch (result) {
	case FETCH_ERR_TOOBIG:
		snprintf(err->message, sizeof(err->message),
		    "the identity platform at %s sent an answer over %d KiB",
		    host, OAUTH_MAX_BYTES / 1024);
		return OAUTH_FAILED;
	case FETCH_ERR_ABORTED:
	case FETCH_ERR_INTERNAL:
		snprintf(err->message, sizeof(err->message),
		    "request to the identity platform at %s failed: %s",
		    host, fetch_result_str(result));
		return OAUTH_FAILED;
	default:
		snprintf(err->message, sizeof(err->message),
		    "cannot reach the identity platform at %s: %s",
		    host, fetch_result_str(result));
		return OAUTH_TRANSIENT;
	}
}

enum oauth_outcome
oauth_net_error(const struct conf *conf, enum fetch_result result,
    struct oauth_error *err)
{
	char	 host[256];

	oauth_host(conf, host, sizeof(host));
	return oauth_net_error_host(host, result, err);
}

/*
 * The first line of error_description ("AADSTS50173: The provided grant
 * has expired ..."): later lines carry Trace ID, Correlation ID and
 * Timestamp, which belong in logs, not in a one-line reason.
 */
static void
oauth_error_message(const char *desc, struct oauth_error *err)
{
	char	 line[sizeof(err->message)];
	size_t	 n;

	n = strcspn(desc, "\r\n");
	while (n > 0 && isspace((unsigned char)desc[n - 1]))
		n--;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	for (size_t i = 0; i < n; i++)
		line[i] = iscntrl((unsigned char)desc[i]) ? ' ' : desc[i];
	line[n] = '\0';

	if (n == 0 && err->aadsts != 0)
		snprintf(err->message, sizeof(err->message), "AADSTS%ld: %s",
		    err->aadsts, err->error);
	else if (n == 0)
		snprintf(err->message, sizeof(err->message), "%s",
		    err->error);
	else if (err->aadsts != 0 && strncmp(line, "AADSTS", 6) != 0)
		snprintf(err->message, sizeof(err->message), "AADSTS%ld: %s",
		    err->aadsts, line);
	else
		snprintf(err->message, sizeof(err->message), "%s", line);
}

/* An error body (§1.10): outcome from error_codes, then error. */
static enum oauth_outcome
oauth_parse_error(long status, json_t *o, struct oauth_error *err)
{
	json_t		*codes, *desc;
	const char	*error;

	error = json_string_value(json_object_get(o, "error"));
	for (size_t i = 0; error[i] != '\0' && i < sizeof(err->error) - 1;
	    i++)
		err->error[i] = isgraph((unsigned char)error[i]) ?
		    error[i] : '?';
	codes = json_object_get(o, "error_codes");
	if (json_is_array(codes) && json_is_integer(json_array_get(codes, 0)))
		err->aadsts = (long)json_integer_value(json_array_get(codes,
		    0));
	desc = json_object_get(o, "error_description");
	oauth_error_message(json_is_string(desc) ? json_string_value(desc) :
	    "", err);

	for (size_t i = 0; i < NITEMS(oauth_code_classes); i++)
		if (err->aadsts == oauth_code_classes[i].aadsts)
			return oauth_code_classes[i].outcome;
	for (size_t i = 0; i < NITEMS(oauth_error_classes); i++)
		if (strcmp(err->error, oauth_error_classes[i].error) == 0)
			return oauth_error_classes[i].outcome;
	if (status >= 500 || status == 429)
		return OAUTH_TRANSIENT;
	return OAUTH_FAILED;
}

long
oauth_json_seconds(const json_t *v)
{
	const char	*s;
	char		*end;
	long		 n;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 &&
		    json_integer_value(v) < (json_int_t)1 << 31 ?
		    (long)json_integer_value(v) : -1;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0 || n >= (long)1 << 31)
		return -1;
	return n;
}

/* A new copy of O's string member KEY, or NULL when absent or empty. */
static int
oauth_dup_member(json_t *o, const char *key, char **out)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	return (*out = strdup(json_string_value(v))) != NULL ? 0 : -1;
}

/* A 200 answer: the token response of §1.9. */
static enum oauth_outcome
oauth_parse_tokens(json_t *o, struct oauth_tokens *t, struct oauth_error *err)
{
	const char	*why = NULL;
	json_t		*type = json_object_get(o, "token_type");
	long		 expires_in;

	if (!json_is_string(json_object_get(o, "access_token")) ||
	    json_string_length(json_object_get(o, "access_token")) == 0)
		why = "no access_token";
	else if (!json_is_string(type))
		why = "no token_type";
	else if (strcasecmp(json_string_value(type), "Bearer") != 0)
		why = "a token_type other than Bearer";
	else if ((expires_in = oauth_json_seconds(json_object_get(o,
	    "expires_in"))) < 0)
		why = "no valid expires_in";
	if (why != NULL) {
		snprintf(err->message, sizeof(err->message),
		    "the token endpoint answered 200 with %s", why);
		return OAUTH_FAILED;
	}
	if (oauth_dup_member(o, "access_token", &t->access_token) == -1 ||
	    oauth_dup_member(o, "refresh_token", &t->refresh_token) == -1 ||
	    oauth_dup_member(o, "id_token", &t->id_token) == -1 ||
	    oauth_dup_member(o, "scope", &t->scope) == -1) {
		oauth_tokens_clear(t);
		snprintf(err->message, sizeof(err->message), "out of memory");
		return OAUTH_FAILED;
	}
	t->expires_in = expires_in;
	t->expires_at = (int64_t)time(NULL) + expires_in;
	return OAUTH_OK;
}

enum oauth_outcome
oauth_parse_response(long status, const char *body, size_t len,
    struct oauth_tokens *tokens, struct oauth_error *err)
{
	enum oauth_outcome	 outcome;
	json_t			*o;

	memset(tokens, 0, sizeof(*tokens));
	memset(err, 0, sizeof(*err));
	o = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		/* a proxy's or load balancer's page: try again later */
		snprintf(err->message, sizeof(err->message),
		    "the identity platform answered HTTP %ld without JSON",
		    status);
		outcome = OAUTH_TRANSIENT;
	} else if (json_is_string(json_object_get(o, "error")))
		outcome = oauth_parse_error(status, o, err);
	else if (status == 200)
		outcome = oauth_parse_tokens(o, tokens, err);
	else {
		snprintf(err->message, sizeof(err->message),
		    "the identity platform answered HTTP %ld", status);
		outcome = status >= 500 || status == 429 ? OAUTH_TRANSIENT :
		    OAUTH_FAILED;
	}
	if (o != NULL)
		oauth_json_wipe(o);
	json_decref(o);
	return outcome;
}

struct fetch *
oauth_post(struct net_loop *loop, const struct conf *conf,
    const char *endpoint, const char *form, fetch_simple_cb cb, void *arg)
{
	static const char *const headers[] = {
		"Accept: application/json", NULL,
	};
	struct fetch	*f;
	char		*url;

	if ((url = conf_identity_url(conf, endpoint)) == NULL)
		return NULL;
	f = fetch_simple(loop, url, "application/x-www-form-urlencoded", form,
	    headers, OAUTH_MAX_BYTES, OAUTH_TIMEOUT_MS, conf->ca_file, cb, arg);
	free(url);
	return f;
}

static void
oauth_token_done_cb(void *arg, enum fetch_result result, long status,
    const char *body, size_t len, const char *detail)
{
	struct oauth_req	*rq = arg;
	struct oauth_tokens	 tokens;
	struct oauth_error	 err;
	enum oauth_outcome	 outcome;

	LIST_REMOVE(rq, rq_entry);
	memset(&tokens, 0, sizeof(tokens));
	if (result != FETCH_OK) {
		outcome = oauth_net_error_host(rq->rq_host, result, &err);
		log_debug("token endpoint at %s: %s (%s)", rq->rq_host,
		    fetch_result_str(result), detail != NULL ? detail : "");
	} else {
		outcome = oauth_parse_response(status, body, len, &tokens,
		    &err);
		log_debug("token endpoint at %s: HTTP %ld %s", rq->rq_host,
		    status, outcome == OAUTH_OK ? "token" : err.message);
	}
	rq->rq_cb(rq->rq_arg, outcome, &tokens, &err);
	oauth_tokens_clear(&tokens);
	free(rq);
}

struct fetch *
oauth_token_request(struct net_loop *loop, const struct conf *conf,
    const char *form, oauth_token_cb cb, void *arg)
{
	struct oauth_req	*rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->rq_cb = cb;
	rq->rq_arg = arg;
	oauth_host(conf, rq->rq_host, sizeof(rq->rq_host));
	rq->rq_fetch = oauth_post(loop, conf, "token", form,
	    oauth_token_done_cb, rq);
	if (rq->rq_fetch == NULL) {
		free(rq);
		return NULL;
	}
	LIST_INSERT_HEAD(&oauth_reqs, rq, rq_entry);
	return rq->rq_fetch;
}

void
oauth_token_cancel(struct fetch *f)
{
	struct oauth_req	*rq;

	if (f == NULL)
		return;
	LIST_FOREACH(rq, &oauth_reqs, rq_entry)
		if (rq->rq_fetch == f)
			break;
	fetch_cancel(f);
	if (rq != NULL) {
		LIST_REMOVE(rq, rq_entry);
		free(rq);
	}
}

char *
oauth_refresh_form(const struct conf *conf, const char *refresh_token)
{
	const struct auth_form_field	 fields[] = {
		{ "client_id", conf->client_id },
		{ "grant_type", "refresh_token" },
		{ "refresh_token", refresh_token },
		{ "scope", conf->scope },
	};

	if (conf->client_id == NULL || refresh_token == NULL)
		return NULL;
	return auth_form(fields, NITEMS(fields));
}
