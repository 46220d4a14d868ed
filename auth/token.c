/*
 * Access tokens per user (delegated and ropc modes), one refresh in flight
 * per user; ropc.c decides first whether a ropc request's password may
 * use them.
 *
 * A valid token that is not yet due is answered at once; a due one is
 * answered too while a refresh runs in the background; without a valid
 * token the request waits on the slot for the one refresh. A rotated
 * refresh token is committed (compare-and-swap on the token generation)
 * before the new access token is handed out; when another writer (login,
 * check) came first, its tokens win. After a failure the slot backs off
 * (AUTH_BACKOFF_MIN_S doubling to AUTH_BACKOFF_MAX_S): requests without a
 * valid token get the last failure at once instead of a new attempt.
 *
 * The store is SQLite on the loop thread: each save is one short WAL
 * commit, made only when a refresh ends (about once an hour per user).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/app_int.h"
#include "auth/auth_int.h"
#include "auth/serve_int.h"
#include "log.h"

#define AUTH_REFRESH_MARGIN_S	300	/* refresh this long before expiry */

static void	token_refresh_cb(void *, enum oauth_outcome,
		    struct oauth_tokens *, const struct oauth_error *);

int64_t
auth_refresh_due(int64_t expires_at, long lifetime)
{
	long	 margin = AUTH_REFRESH_MARGIN_S;

	/* An unknown lifetime (a token read back from the store) gets the
	 * full margin. */
	if (lifetime > 0 && lifetime / 4 < margin)
		margin = lifetime / 4;
	return (expires_at - margin);
}

static void
token_drop(struct auth_slot *sl)
{
	auth_secret_free(sl->sl_access);
	sl->sl_access = NULL;
	sl->sl_expires = 0;
	sl->sl_lifetime = 0;
	auth_secret_free(sl->sl_refresh);
	sl->sl_refresh = NULL;
	sl->sl_loaded = 0;
}

void
auth_token_slot_clear(struct auth_slot *sl)
{
	struct auth_wait	*w;

	if (sl->sl_fetch != NULL) {
		oauth_token_cancel(sl->sl_fetch);
		sl->sl_fetch = NULL;
	}
	/* Only at shutdown with waits still held: they never answer. */
	while ((w = TAILQ_FIRST(&sl->sl_waiters)) != NULL) {
		TAILQ_REMOVE(&sl->sl_waiters, w, w_entry);
		w->w_queue = NULL;
	}
	token_drop(sl);
}

static int
token_valid(const struct auth_slot *sl, time_t now)
{
	return (sl->sl_access != NULL && now < sl->sl_expires);
}

static void
token_set_error(struct auth_slot *sl, const char *error)
{
	char	*e = NULL;

	if (error != NULL && (e = strdup(error)) == NULL)
		return;
	free(sl->sl_error);
	sl->sl_error = e;
}

/* Why a user without a refresh token cannot get one. */
static void
token_signin_reason(const struct auth_slot *sl, char *buf, size_t len)
{
	size_t	 n;

	if (sl->sl_state == AUTH_TOKEN_NEEDS_LOGIN && sl->sl_error != NULL) {
		/* "AADSTS50173: The provided grant ..." -> "AADSTS50173" */
		n = strcspn(sl->sl_error, ": ");
		snprintf(buf, len, "the refresh token for %s was refused "
		    "(%.*s): run 'ewsgw login %s'", sl->sl_name, (int)n,
		    sl->sl_error, sl->sl_name);
	} else
		snprintf(buf, len, "no token for %s: run 'ewsgw login %s'",
		    sl->sl_name, sl->sl_name);
}

/* Reads the stored tokens into the slot. 0 / -1 with REASON. */
static int
token_load(struct auth_slot *sl, char *reason, size_t len)
{
	struct store_tokens	 t;
	char			 err[256];

	memset(&t, 0, sizeof(t));
	if (store_tokens_load(sl->sl_auth->a_store, sl->sl_id, &t, err,
	    sizeof(err)) == -1) {
		snprintf(reason, len, "cannot read the tokens of %s: %s",
		    sl->sl_name, err);
		log_warnx("token: %s", reason);
		store_tokens_clear(&t);
		return (-1);
	}
	token_drop(sl);
	sl->sl_access = t.access_token;
	sl->sl_expires = t.access_expires;
	sl->sl_refresh = t.refresh_token;
	sl->sl_generation = t.generation;
	sl->sl_loaded = 1;
	t.access_token = t.refresh_token = NULL;
	store_tokens_clear(&t);
	return (0);
}

/* Another writer changed the stored tokens: its row state and tokens
 * replace ours. 0 / -1 with REASON. */
static int
token_adopt_store(struct auth_slot *sl, char *reason, size_t len)
{
	struct store_user	 row;
	char			 err[256];

	memset(&row, 0, sizeof(row));
	if (store_user_get(sl->sl_auth->a_store, sl->sl_name, &row, err,
	    sizeof(err)) == 0 && row.id == sl->sl_id) {
		sl->sl_state = row.token_state;
		token_set_error(sl, row.token_error);
	}
	store_user_clear(&row);
	sl->sl_retry_at = 0;
	sl->sl_backoff_s = 0;
	sl->sl_stale = 0;
	return (token_load(sl, reason, len));
}

/* Writes state and tokens unless another writer came first. 0 saved,
 * 1 the other writer's tokens are now in the slot, -1 error. */
static int
token_save(struct auth_slot *sl, const char *refresh, const char *access,
    int64_t expires, enum auth_token_state state, const char *error,
    char *reason, size_t len)
{
	int64_t	 gen;
	char	 err[256];
	int	 rc;

	rc = store_tokens_save(sl->sl_auth->a_store, sl->sl_id, refresh,
	    access, expires, state, error, sl->sl_generation, &gen, err,
	    sizeof(err));
	if (rc == 1) {
		log_info("token: the tokens of %s were changed by another "
		    "process; using those", sl->sl_name);
		return (token_adopt_store(sl, reason, len) == 0 ? 1 : -1);
	}
	if (rc == -1) {
		snprintf(reason, len, "cannot save the tokens of %s: %s",
		    sl->sl_name, err);
		log_warnx("token: %s", reason);
		return (-1);
	}
	sl->sl_generation = gen;
	sl->sl_state = state;
	token_set_error(sl, error);
	return (0);
}

/* Starts the refresh; on failure answers the waiters and backs off. */
static void	token_refresh_start(struct auth_slot *);

/* Answers the waiters after the slot's tokens changed under them. */
static void
token_serve_waiters(struct auth_slot *sl)
{
	char	 reason[AUTH_REASON_BYTES];

	if (TAILQ_EMPTY(&sl->sl_waiters))
		return;
	if (token_valid(sl, time(NULL)))
		auth_waitq_answer(&sl->sl_waiters, AUTH_TOKEN_OK,
		    sl->sl_access, NULL);
	else if (sl->sl_refresh == NULL) {
		token_signin_reason(sl, reason, sizeof(reason));
		auth_waitq_answer(&sl->sl_waiters, AUTH_TOKEN_NEEDS_SIGNIN,
		    NULL, reason);
	} else
		token_refresh_start(sl);
}

int
auth_token_note_error(struct auth_slot *sl, const char *error)
{
	char	 why[AUTH_REASON_BYTES];

	/* Once per distinct error: a failing client must not write on
	 * every request. */
	if (sl->sl_state == AUTH_TOKEN_ERROR && sl->sl_error != NULL &&
	    strcmp(sl->sl_error, error) == 0)
		return (0);
	return (token_save(sl, NULL, NULL, 0, AUTH_TOKEN_ERROR, error, why,
	    sizeof(why)));
}

unsigned
auth_backoff_next(unsigned current)
{
	if (current == 0)
		return AUTH_BACKOFF_MIN_S;
	return current * 2 > AUTH_BACKOFF_MAX_S ? AUTH_BACKOFF_MAX_S :
	    current * 2;
}

/* A refresh failed: remember the answer, back off, tell the waiters. */
static void
token_failed(struct auth_slot *sl, enum auth_token_result result,
    const char *reason, const char *error)
{
	time_t	 now = time(NULL);

	sl->sl_auth->a_refresh_failed++;
	sl->sl_backoff_s = auth_backoff_next(sl->sl_backoff_s);
	sl->sl_retry_at = now + sl->sl_backoff_s;
	sl->sl_fail = result;
	snprintf(sl->sl_reason, sizeof(sl->sl_reason), "%s", reason);
	log_warnx("token: refresh for %s failed: %s (next attempt in %us)",
	    sl->sl_name, reason, sl->sl_backoff_s);

	if (error != NULL && auth_token_note_error(sl, error) == 1) {
		token_serve_waiters(sl);
		return;
	}
	auth_waitq_answer(&sl->sl_waiters, result, NULL, reason);
}

static void
token_refresh_start(struct auth_slot *sl)
{
	struct auth	*a = sl->sl_auth;
	char		*form;
	char		 reason[AUTH_REASON_BYTES];

	if ((form = oauth_refresh_form(a->a_conf, sl->sl_refresh)) != NULL) {
		sl->sl_fetch = oauth_token_request(a->a_net, a->a_conf, form,
		    token_refresh_cb, sl);
		auth_secret_free(form);
	}
	if (sl->sl_fetch == NULL) {
		snprintf(reason, sizeof(reason), "cannot start a token "
		    "request for %s", sl->sl_name);
		token_failed(sl, AUTH_TOKEN_FAILED, reason, NULL);
		return;
	}
	sl->sl_stale = 0;
	log_debug("token: refreshing the access token of %s", sl->sl_name);
}

int
auth_token_install(struct auth_slot *sl, struct oauth_tokens *t,
    char *reason, size_t len)
{
	int	 rc;

	/* Commit the rotated refresh token before using the access token. */
	rc = token_save(sl, t->refresh_token, t->access_token, t->expires_at,
	    AUTH_TOKEN_VALID, NULL, reason, len);
	if (rc == -1)
		return (-1);
	sl->sl_auth->a_refresh_ok++;
	if (rc == 1) {
		token_serve_waiters(sl);
		return (1);
	}
	auth_secret_free(sl->sl_access);
	sl->sl_access = t->access_token;
	t->access_token = NULL;
	if (t->refresh_token != NULL) {
		auth_secret_free(sl->sl_refresh);
		sl->sl_refresh = t->refresh_token;
		t->refresh_token = NULL;
	}
	sl->sl_expires = t->expires_at;
	sl->sl_lifetime = t->expires_in;
	sl->sl_retry_at = 0;
	sl->sl_backoff_s = 0;
	log_debug("token: new access token for %s (%lds)", sl->sl_name,
	    t->expires_in);
	auth_waitq_answer(&sl->sl_waiters, AUTH_TOKEN_OK, sl->sl_access, NULL);
	return (0);
}

static void
token_refresh_ok(struct auth_slot *sl, struct oauth_tokens *t)
{
	char	 reason[AUTH_REASON_BYTES];

	if (auth_token_install(sl, t, reason, sizeof(reason)) == -1)
		token_failed(sl, AUTH_TOKEN_FAILED, reason, NULL);
}

static void
token_refresh_refused(struct auth_slot *sl, const struct oauth_error *oe)
{
	char		 code[72], reason[AUTH_REASON_BYTES];
	const char	*msg;
	int		 rc;

	if (oe->aadsts != 0)
		snprintf(code, sizeof(code), "AADSTS%ld", oe->aadsts);
	else
		snprintf(code, sizeof(code), "%s",
		    oe->error[0] != '\0' ? oe->error : "invalid_grant");
	msg = oe->message[0] != '\0' ? oe->message : code;

	sl->sl_auth->a_refresh_failed++;
	rc = token_save(sl, NULL, NULL, 0, AUTH_TOKEN_NEEDS_LOGIN, msg,
	    reason, sizeof(reason));
	if (rc == 1) {
		token_serve_waiters(sl);
		return;
	}
	if (rc == -1) {
		/* Not saved: still, this token is dead here. */
		sl->sl_state = AUTH_TOKEN_NEEDS_LOGIN;
		token_set_error(sl, msg);
	}
	token_drop(sl);
	sl->sl_loaded = 1;	/* nothing left to read back */
	if (sl->sl_ropc != NULL) {
		/* ropc: the next request signs in with its own password. */
		auth_ropc_forget(sl);
		snprintf(reason, sizeof(reason), "the refresh token for %s "
		    "was refused (%s): the next request signs in again with "
		    "its password", sl->sl_name, code);
	} else
		snprintf(reason, sizeof(reason), "the refresh token for %s "
		    "was refused (%s): run 'ewsgw login %s'", sl->sl_name,
		    code, sl->sl_name);
	log_warnx("token: %s", reason);
	auth_waitq_answer(&sl->sl_waiters, AUTH_TOKEN_NEEDS_SIGNIN, NULL,
	    reason);
}

static void
token_refresh_cb(void *arg, enum oauth_outcome outcome,
    struct oauth_tokens *tokens, const struct oauth_error *oe)
{
	struct auth_slot	*sl = arg;
	char			 reason[AUTH_REASON_BYTES];

	sl->sl_fetch = NULL;
	if (sl->sl_stale && outcome != OAUTH_OK) {
		/* A login wrote new tokens while this one failed. */
		if (token_adopt_store(sl, reason, sizeof(reason)) == -1)
			auth_waitq_answer(&sl->sl_waiters, AUTH_TOKEN_FAILED,
			    NULL, reason);
		else
			token_serve_waiters(sl);
		return;
	}
	switch (outcome) {
	case OAUTH_OK:
		token_refresh_ok(sl, tokens);
		break;
	case OAUTH_INVALID_GRANT:
		token_refresh_refused(sl, oe);
		break;
	case OAUTH_TRANSIENT:
		/* "cannot reach the identity platform at HOST: connection
		 * refused", "AADSTS50196: ...", "... answered HTTP 503" */
		snprintf(reason, sizeof(reason), "%s", oe->message[0] != '\0' ?
		    oe->message : "cannot reach the identity platform");
		token_failed(sl, AUTH_TOKEN_UNAVAILABLE, reason, reason);
		break;
	default:
		snprintf(reason, sizeof(reason), "%s", oe->message[0] != '\0' ?
		    oe->message : oe->error[0] != '\0' ? oe->error :
		    "the token request failed");
		token_failed(sl, AUTH_TOKEN_FAILED, reason, reason);
		break;
	}
}

/* Decides W's answer now, or queues it for the refresh. */
static void
token_serve(struct auth_slot *sl, struct auth_user *u, struct auth_wait *w,
    const char *rejected)
{
	char	 reason[AUTH_REASON_BYTES];
	time_t	 now = time(NULL);

	if (u->u_mode != AUTH_MODE_DELEGATED && u->u_mode != AUTH_MODE_ROPC) {
		snprintf(reason, sizeof(reason), "%s is a %s user: ewsgw "
		    "cannot get a token for that mode yet", u->u_name,
		    auth_mode_name(u->u_mode));
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, reason);
		return;
	}
	if (!sl->sl_loaded && sl->sl_fetch == NULL &&
	    token_load(sl, reason, sizeof(reason)) == -1) {
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, reason);
		return;
	}
	if (rejected != NULL && sl->sl_access != NULL &&
	    strcmp(sl->sl_access, rejected) == 0) {
		log_info("token: the access token of %s was refused "
		    "upstream; refreshing", sl->sl_name);
		auth_secret_free(sl->sl_access);
		sl->sl_access = NULL;
		sl->sl_expires = 0;
	}
	if (u->u_mode == AUTH_MODE_ROPC && auth_ropc_gate(sl, u, w))
		return;

	if (token_valid(sl, now)) {
		if (now >= auth_refresh_due(sl->sl_expires, sl->sl_lifetime) &&
		    sl->sl_fetch == NULL && sl->sl_refresh != NULL &&
		    now >= sl->sl_retry_at)
			token_refresh_start(sl);
		auth_wait_answer(w, AUTH_TOKEN_OK, sl->sl_access, NULL);
		return;
	}
	if (sl->sl_fetch != NULL) {
		auth_wait_enqueue(w, &sl->sl_waiters);
		return;
	}
	if (sl->sl_refresh == NULL && u->u_mode == AUTH_MODE_ROPC) {
		auth_ropc_grant(sl, u, w);
		return;
	}
	if (sl->sl_refresh == NULL) {
		token_signin_reason(sl, reason, sizeof(reason));
		auth_wait_answer(w, AUTH_TOKEN_NEEDS_SIGNIN, NULL, reason);
		return;
	}
	if (now < sl->sl_retry_at) {
		auth_wait_answer(w, sl->sl_fail, NULL, sl->sl_reason);
		return;
	}
	auth_wait_enqueue(w, &sl->sl_waiters);
	token_refresh_start(sl);
}

void
auth_token_reserve(struct auth_wait *w)
{
	token_serve(w->w_user->u_slot, w->w_user, w, NULL);
}

struct auth_wait *
auth_token_get(struct auth *a, struct auth_user *u, const char *rejected,
    auth_token_cb cb, void *arg)
{
	struct auth_wait	*w;

	if ((w = auth_wait_new(a, AUTH_WAIT_TOKEN, u)) == NULL)
		return (NULL);
	w->w_token_cb = cb;
	w->w_arg = arg;
	if (u->u_mode == AUTH_MODE_APP)
		auth_app_serve(a->a_app, w, rejected);	/* app.c */
	else
		token_serve(u->u_slot, u, w, rejected);
	return (w);
}
