/*
 * ropc mode: tokens from the client's own Basic password (the resource
 * owner password credentials grant, office365.md §1.7).
 *
 * The password is sent to the identity platform only when ewsgw cannot
 * tell from memory what the answer would be. Passwords are remembered as
 * keyed hashes (auth_mac over user id, mailbox and password, as basic.c
 * does):
 *
 *   good    the password that produced the slot's tokens: requests with
 *           it use the cached access token and its refresh token
 *           (token.c), never the password again;
 *   bad     passwords the platform refused lately (AUTH_ROPC_BAD_TTL_S),
 *           each with its answer: 50126 is a local 401, MFA, conditional
 *           access and the like a local 403. A legacy client retrying a
 *           stale password thus reaches Microsoft once, not until smart
 *           lockout (AADSTS50053) trips;
 *   locked  after a 50053, no password grant for the user at all for
 *           AUTH_ROPC_LOCK_S.
 *
 * Requests that send the same unknown password while its grant runs wait
 * for that one grant. The password itself lives only in the request's
 * user snapshot (auth_ropc_user) and in the form oauth.c wipes.
 *
 * The keyed hashes die with the process; the refresh token does not. So
 * that a restart does not send the password again, a slow salted hash of
 * the good password (passwd_hash, on the worker pool) is stored next to
 * the refresh token. After a restart the first request's password is
 * checked against it (PBKDF2 on the pool); a match becomes the good hash
 * again, a mismatch goes to the identity platform.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/auth_int.h"
#include "auth/serve_int.h"
#include "conf/conf.h"
#include "log.h"

#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define AUTH_ROPC_BAD_RING	8	/* refused passwords kept per user */
#define AUTH_ROPC_BAD_TTL_S	300
#define AUTH_ROPC_LOCK_S	600	/* no grant after AADSTS50053 */

struct auth_ropc_bad {
	unsigned char		 b_mac[AUTH_MAC_BYTES];
	time_t			 b_at;		/* 0: empty */
	enum auth_token_result	 b_result;
	char			 b_reason[AUTH_REASON_BYTES];
};

/* One password in question, shared by the requests that send it: its
 * check against the stored hash (g_job), then maybe its grant (g_fetch). */
struct auth_ropc_grant {
	TAILQ_ENTRY(auth_ropc_grant) g_entry;
	struct auth_slot	*g_slot;	/* borrowed: the slot owns us */
	unsigned char		 g_mac[AUTH_MAC_BYTES];
	struct worker_job	*g_job;
	struct fetch		*g_fetch;
	struct auth_waitq	 g_waiters;
};

/* Work for the pool: verify PASSWORD against CHECK, or hash it. */
struct auth_ropc_job {
	struct auth_slot	*j_slot;	/* valid unless cancelled */
	struct auth_ropc_grant	*j_grant;	/* verify: its entry */
	char			*j_password;	/* secret */
	char			*j_check;	/* verify: in; hash: out */
	int64_t			 j_generation;	/* hash: tokens it belongs to */
};

struct auth_ropc {
	int			 r_good_set;
	unsigned char		 r_good[AUTH_MAC_BYTES];
	struct auth_ropc_bad	 r_bad[AUTH_ROPC_BAD_RING];
	unsigned		 r_bad_next;
	time_t			 r_locked_until;
	char			 r_lock_reason[AUTH_REASON_BYTES];
	TAILQ_HEAD(, auth_ropc_grant) r_grants;
	unsigned long		 r_grants_sent;	/* for the debug log */
	struct worker_job	*r_hash_job;	/* storing the good one */
};

/*
 * What the identity platform's refusals mean for a ropc user (§1.11).
 * The text is printf'd with the mailbox, the AADSTS code and the user
 * name, in that order ("%1$s", "%2$ld", "%3$s").
 */
static const struct {
	long			 aadsts;
	enum auth_token_result	 result;
	const char		*text;
} ropc_refusals[] = {
	{ 50126, AUTH_TOKEN_BAD_PASSWORD, "Microsoft 365 refused the "
	    "password of %1$s (AADSTS%2$ld): wrong user name or password" },
	{ 50053, AUTH_TOKEN_REFUSED, "Microsoft 365 has locked %1$s "
	    "(AADSTS%2$ld: smart lockout after repeated wrong passwords, or "
	    "a sign-in from a suspicious address); ewsgw sends no password "
	    "for it for the next minutes. Check the password the legacy "
	    "client uses for %3$s" },
	{ 50076, AUTH_TOKEN_REFUSED, "%1$s must use multi-factor "
	    "authentication (AADSTS%2$ld), which a password sign-in cannot "
	    "do: switch the user to delegated mode and run 'ewsgw login "
	    "%3$s'" },
	{ 50079, AUTH_TOKEN_REFUSED, "%1$s must register for multi-factor "
	    "authentication (AADSTS%2$ld), which a password sign-in cannot "
	    "do: switch the user to delegated mode and run 'ewsgw login "
	    "%3$s'" },
	{ 50074, AUTH_TOKEN_REFUSED, "%1$s must use strong authentication "
	    "(AADSTS%2$ld), which a password sign-in cannot do: switch the "
	    "user to delegated mode and run 'ewsgw login %3$s'" },
	{ 50072, AUTH_TOKEN_REFUSED, "%1$s must enroll for multi-factor "
	    "authentication (AADSTS%2$ld), which a password sign-in cannot "
	    "do: switch the user to delegated mode and run 'ewsgw login "
	    "%3$s'" },
	{ 50158, AUTH_TOKEN_REFUSED, "%1$s must satisfy an external security "
	    "challenge (AADSTS%2$ld), which a password sign-in cannot do: "
	    "switch the user to delegated mode and run 'ewsgw login %3$s'" },
	{ 53003, AUTH_TOKEN_REFUSED, "Conditional Access blocks the sign-in "
	    "of %1$s (AADSTS%2$ld): an admin must change the policy in "
	    "Entra ID, or switch the user to delegated mode and run 'ewsgw "
	    "login %3$s'" },
	{ 53000, AUTH_TOKEN_REFUSED, "Conditional Access requires a "
	    "compliant device for %1$s (AADSTS%2$ld): an admin must change "
	    "the policy in Entra ID" },
	{ 53001, AUTH_TOKEN_REFUSED, "Conditional Access requires a "
	    "domain-joined device for %1$s (AADSTS%2$ld): an admin must "
	    "change the policy in Entra ID" },
	{ 530032, AUTH_TOKEN_REFUSED, "a tenant security policy blocks the "
	    "sign-in of %1$s (AADSTS%2$ld): an admin must change it in "
	    "Entra ID" },
	{ 530035, AUTH_TOKEN_REFUSED, "security defaults block the "
	    "password sign-in of %1$s (AADSTS%2$ld): switch the user to "
	    "delegated mode and run 'ewsgw login %3$s'" },
	{ 65001, AUTH_TOKEN_REFUSED, "ewsgw's app has no consent to act "
	    "for %1$s (AADSTS%2$ld): an admin must grant consent for it in "
	    "Entra ID (App registrations, API permissions, Grant admin "
	    "consent)" },
	{ 50034, AUTH_TOKEN_REFUSED, "Microsoft 365 has no user %1$s in this "
	    "tenant (AADSTS%2$ld): check the mailbox of %3$s ('ewsgw user "
	    "set %3$s --mailbox ADDR') and [office365] tenant_id" },
	{ 50020, AUTH_TOKEN_REFUSED, "%1$s is not a member of this tenant "
	    "(AADSTS%2$ld: a guest or personal account), which a password "
	    "sign-in cannot serve: switch the user to delegated mode and run "
	    "'ewsgw login %3$s'" },
	{ 51004, AUTH_TOKEN_REFUSED, "%1$s is not in this tenant's directory "
	    "(AADSTS%2$ld): check the mailbox of %3$s and [office365] "
	    "tenant_id" },
	{ 16000, AUTH_TOKEN_REFUSED, "%1$s is an account of another tenant "
	    "or identity provider (AADSTS%2$ld), which a password sign-in "
	    "cannot serve: switch the user to delegated mode and run 'ewsgw "
	    "login %3$s'" },
	{ 50057, AUTH_TOKEN_REFUSED, "the account %1$s is disabled in "
	    "Microsoft 365 (AADSTS%2$ld): an admin must enable it in "
	    "Entra ID" },
	{ 50055, AUTH_TOKEN_REFUSED, "the password of %1$s has expired "
	    "(AADSTS%2$ld): the user must set a new one in Microsoft 365, "
	    "then the legacy client must send it" },
	{ 50144, AUTH_TOKEN_REFUSED, "the Active Directory password of %1$s "
	    "has expired (AADSTS%2$ld): the user must set a new one, then "
	    "the legacy client must send it" },
	{ 7000218, AUTH_TOKEN_REFUSED, "the password sign-in of %1$s needs "
	    "public client flows, which ewsgw's app does not allow "
	    "(AADSTS%2$ld): set 'Allow public client flows' to Yes in its "
	    "Entra ID registration" },
	{ 9001023, AUTH_TOKEN_REFUSED, "the password sign-in of %1$s needs "
	    "a tenant (AADSTS%2$ld): set [office365] tenant_id to the "
	    "tenant's id, not common or consumers" },
};

static struct auth_ropc *
ropc_state(struct auth_slot *sl)
{
	struct auth_ropc	*r;

	if (sl->sl_ropc != NULL)
		return (sl->sl_ropc);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	TAILQ_INIT(&r->r_grants);
	sl->sl_ropc = r;
	return (r);
}

struct auth_user *
auth_ropc_user(struct auth_user *u, const char *password)
{
	struct auth_user	*c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return (NULL);
	*c = *u;	/* every string borrowed from U, which C holds */
	c->u_refs = 1;
	c->u_base = u;
	if ((c->u_ropc_password = strdup(password)) == NULL) {
		free(c);
		return (NULL);
	}
	auth_user_ref(u);
	return (c);
}

/* The keyed hash of (user id, mailbox, password). 0 / -1. */
static int
ropc_mac(const struct auth *a, const struct auth_user *u,
    unsigned char *mac)
{
	return (auth_mac(a, "ropc", u->u_id, u->u_mailbox,
	    u->u_ropc_password, mac));
}

/* The remembered refusal of MAC, or NULL. */
static struct auth_ropc_bad *
ropc_bad_find(struct auth_ropc *r, const unsigned char *mac, time_t now)
{
	for (size_t i = 0; i < AUTH_ROPC_BAD_RING; i++) {
		struct auth_ropc_bad	*b = &r->r_bad[i];

		if (b->b_at != 0 && now - b->b_at < AUTH_ROPC_BAD_TTL_S &&
		    CRYPTO_memcmp(mac, b->b_mac, AUTH_MAC_BYTES) == 0)
			return (b);
	}
	return (NULL);
}

static void
ropc_bad_add(struct auth_ropc *r, const unsigned char *mac,
    enum auth_token_result result, const char *reason)
{
	struct auth_ropc_bad	*b;

	if ((b = ropc_bad_find(r, mac, time(NULL))) == NULL)
		b = &r->r_bad[r->r_bad_next++ % AUTH_ROPC_BAD_RING];
	memcpy(b->b_mac, mac, sizeof(b->b_mac));
	b->b_at = time(NULL);
	b->b_result = result;
	snprintf(b->b_reason, sizeof(b->b_reason), "%s", reason);
}

static void
ropc_grant_free(struct auth_ropc *r, struct auth_ropc_grant *g)
{
	struct auth_wait	*w;

	/* Only at shutdown with waits still held: they never answer. */
	while ((w = TAILQ_FIRST(&g->g_waiters)) != NULL) {
		TAILQ_REMOVE(&g->g_waiters, w, w_entry);
		w->w_queue = NULL;
	}
	worker_cancel(g->g_job);
	oauth_token_cancel(g->g_fetch);
	TAILQ_REMOVE(&r->r_grants, g, g_entry);
	explicit_bzero(g->g_mac, sizeof(g->g_mac));
	free(g);
}

static void
ropc_job_free(void *arg)
{
	struct auth_ropc_job	*j = arg;

	auth_secret_free(j->j_password);
	free(j->j_check);
	free(j);
}

/* A job for PASSWORD (copied); NULL on memory exhaustion. */
static struct auth_ropc_job *
ropc_job_new(struct auth_slot *sl, const char *password)
{
	struct auth_ropc_job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	j->j_slot = sl;
	if ((j->j_password = strdup(password)) == NULL) {
		free(j);
		return (NULL);
	}
	return (j);
}

static int
ropc_hash_run(void *arg)
{
	struct auth_ropc_job	*j = arg;

	return ((j->j_check = passwd_hash(j->j_password)) != NULL ? 0 : -1);
}

static void
ropc_hash_done_cb(void *arg, int result)
{
	struct auth_ropc_job	*j = arg;
	struct auth_slot	*sl = j->j_slot;
	char			 err[256];

	sl->sl_ropc->r_hash_job = NULL;	/* the worker frees J after this */
	if (result != 0 || store_password_check_save(sl->sl_auth->a_store,
	    sl->sl_id, j->j_check, j->j_generation, err, sizeof(err)) == -1)
		log_warnx("token: cannot store the password check of %s: %s; "
		    "after a restart its password goes to Microsoft 365 once "
		    "more", sl->sl_name, result != 0 ? "out of memory" : err);
}

/* The grant with PASSWORD worked: keep a slow hash of it for restarts. */
static void
ropc_hash_start(struct auth_slot *sl, struct auth_ropc *r,
    const char *password)
{
	struct auth_ropc_job	*j;
	char			 err[256];

	/* The old check belongs to another password: it goes first. */
	if (store_password_check_save(sl->sl_auth->a_store, sl->sl_id, NULL,
	    sl->sl_generation, err, sizeof(err)) == -1)
		log_warnx("token: cannot clear the password check of %s: %s",
		    sl->sl_name, err);
	worker_cancel(r->r_hash_job);
	r->r_hash_job = NULL;
	if ((j = ropc_job_new(sl, password)) == NULL)
		return;
	j->j_generation = sl->sl_generation;
	r->r_hash_job = worker_submit(sl->sl_auth->a_worker, ropc_hash_run,
	    ropc_hash_done_cb, ropc_job_free, j);
	if (r->r_hash_job == NULL)
		log_warnx("token: no room on the worker pool to hash the "
		    "password of %s; after a restart it goes to Microsoft 365 "
		    "once more", sl->sl_name);
}

/* The reason for a refused grant, from the table or the platform's text. */
static enum auth_token_result
ropc_refusal(const struct auth_slot *sl, const struct auth_user *u,
    enum oauth_outcome outcome, const struct oauth_error *oe, char *reason,
    size_t len)
{
	for (size_t i = 0; i < NITEMS(ropc_refusals); i++) {
		if (ropc_refusals[i].aadsts != oe->aadsts)
			continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(reason, len, ropc_refusals[i].text, u->u_mailbox,
		    oe->aadsts, sl->sl_name);
#pragma GCC diagnostic pop
		return (ropc_refusals[i].result);
	}
	snprintf(reason, len, "Microsoft 365 refused the password sign-in "
	    "of %s: %s", u->u_mailbox, oe->message[0] != '\0' ? oe->message :
	    oe->error[0] != '\0' ? oe->error : "no reason given");
	return (outcome == OAUTH_TRANSIENT ? AUTH_TOKEN_UNAVAILABLE :
	    AUTH_TOKEN_REFUSED);
}

/* The grant worked: keep the tokens even when W (the first waiter, with
 * the password to hash) and all the others have left. */
static void
ropc_grant_ok(struct auth_ropc_grant *g, struct oauth_tokens *tokens,
    struct auth_wait *w)
{
	struct auth_slot	*sl = g->g_slot;
	struct auth_ropc	*r = sl->sl_ropc;
	char			 reason[AUTH_REASON_BYTES];
	int			 rc;

	rc = auth_token_install(sl, tokens, reason, sizeof(reason));
	if (rc != 0) {
		if (rc == 1)
			snprintf(reason, sizeof(reason), "the tokens of %s "
			    "were changed by another process; try again",
			    sl->sl_name);
		auth_waitq_answer(&g->g_waiters, AUTH_TOKEN_FAILED, NULL,
		    reason);
		return;
	}
	memcpy(r->r_good, g->g_mac, sizeof(r->r_good));
	r->r_good_set = 1;
	r->r_locked_until = 0;
	log_info("token: password sign-in of %s succeeded", sl->sl_name);
	if (w != NULL && sl->sl_refresh != NULL)
		ropc_hash_start(sl, r, w->w_user->u_ropc_password);
	auth_waitq_answer(&g->g_waiters, AUTH_TOKEN_OK, sl->sl_access, NULL);
}

static void
ropc_grant_cb(void *arg, enum oauth_outcome outcome,
    struct oauth_tokens *tokens, const struct oauth_error *oe)
{
	struct auth_ropc_grant	*g = arg;
	struct auth_slot	*sl = g->g_slot;
	struct auth_ropc	*r = sl->sl_ropc;
	struct auth_wait	*w = TAILQ_FIRST(&g->g_waiters);
	enum auth_token_result	 result;
	char			 reason[AUTH_REASON_BYTES];

	g->g_fetch = NULL;
	if (outcome == OAUTH_OK)
		ropc_grant_ok(g, tokens, w);
	else if (w == NULL)
		;	/* its requests left: nobody to tell */
	else if (outcome == OAUTH_TRANSIENT) {
		sl->sl_auth->a_refresh_failed++;
		snprintf(reason, sizeof(reason), "%s", oe->message[0] != '\0' ?
		    oe->message : "cannot reach the identity platform");
		log_warnx("token: password sign-in of %s failed: %s",
		    sl->sl_name, reason);
		auth_waitq_answer(&g->g_waiters, AUTH_TOKEN_UNAVAILABLE, NULL,
		    reason);
	} else {
		sl->sl_auth->a_refresh_failed++;
		result = ropc_refusal(sl, w->w_user, outcome, oe, reason,
		    sizeof(reason));
		/* The account's trouble shows in 'user list'; a wrong
		 * password is the client's. */
		if (result == AUTH_TOKEN_REFUSED)
			(void)auth_token_note_error(sl, oe->message[0] != '\0' ?
			    oe->message : reason);
		if (oe->aadsts == 50053) {
			r->r_locked_until = time(NULL) + AUTH_ROPC_LOCK_S;
			snprintf(r->r_lock_reason, sizeof(r->r_lock_reason),
			    "%s", reason);
			log_warnx("token: ACCOUNT LOCKED: %s; no password "
			    "sign-in for %s during %ds", reason, sl->sl_name,
			    AUTH_ROPC_LOCK_S);
		} else {
			ropc_bad_add(r, g->g_mac, result, reason);
			log_warnx("token: password sign-in of %s refused: %s",
			    sl->sl_name, reason);
		}
		auth_waitq_answer(&g->g_waiters, result, NULL, reason);
	}
	ropc_grant_free(r, g);
}

/* Sends G's password (that of U) to the token endpoint. 0 / -1. */
static int
ropc_grant_fetch(struct auth_ropc_grant *g, struct auth_user *u)
{
	struct auth_slot	*sl = g->g_slot;
	const struct conf	*conf = sl->sl_auth->a_conf;
	char			*form;
	const struct auth_form_field fields[] = {
		{ "client_id", conf->client_id },
		{ "grant_type", "password" },
		{ "username", u->u_mailbox },
		{ "password", u->u_ropc_password },
		{ "scope", conf->scope },
	};

	if (conf->client_id == NULL ||
	    (form = auth_form(fields, NITEMS(fields))) == NULL)
		return (-1);
	g->g_fetch = oauth_token_request(sl->sl_auth->a_net, conf, form,
	    ropc_grant_cb, g);
	auth_secret_free(form);
	if (g->g_fetch == NULL)
		return (-1);
	sl->sl_ropc->r_grants_sent++;
	log_debug("token: password sign-in of %s (%lu so far)", sl->sl_name,
	    sl->sl_ropc->r_grants_sent);
	return (0);
}

static void
ropc_grant_failed(struct auth_ropc_grant *g)
{
	struct auth_slot	*sl = g->g_slot;
	char			 reason[AUTH_REASON_BYTES];

	snprintf(reason, sizeof(reason), "cannot start a password sign-in "
	    "for %s%s", sl->sl_name, sl->sl_auth->a_conf->client_id == NULL ?
	    ": [office365] client_id is not set" : "");
	auth_waitq_answer(&g->g_waiters, AUTH_TOKEN_FAILED, NULL, reason);
	ropc_grant_free(sl->sl_ropc, g);
}

static int
ropc_verify_run(void *arg)
{
	struct auth_ropc_job	*j = arg;

	return (passwd_verify(j->j_password, j->j_check));
}

/* The stored check said yes (the waiters use the stored tokens) or no
 * (the password goes to the identity platform). */
static void
ropc_verify_done_cb(void *arg, int result)
{
	struct auth_ropc_job	*j = arg;
	struct auth_ropc_grant	*g = j->j_grant;
	struct auth_slot	*sl = g->g_slot;
	struct auth_ropc	*r = sl->sl_ropc;
	struct auth_wait	*w;

	g->g_job = NULL;	/* the worker frees J after this */
	if (result != 1) {
		/* Its requests may all have left: then nothing to send. */
		if ((w = TAILQ_FIRST(&g->g_waiters)) == NULL)
			ropc_grant_free(r, g);
		else if (ropc_grant_fetch(g, w->w_user) == -1)
			ropc_grant_failed(g);
		return;
	}
	log_debug("token: the password of %s matches the stored check",
	    sl->sl_name);
	memcpy(r->r_good, g->g_mac, sizeof(r->r_good));
	r->r_good_set = 1;
	while ((w = TAILQ_FIRST(&g->g_waiters)) != NULL) {
		TAILQ_REMOVE(&g->g_waiters, w, w_entry);
		w->w_queue = NULL;
		auth_token_reserve(w);
	}
	ropc_grant_free(r, g);
}

/* After a restart: checks U's password against the stored hash on the
 * pool. 0 started, -1 no check stored (or it cannot run). */
static int
ropc_verify_start(struct auth_ropc_grant *g, struct auth_user *u)
{
	struct auth_slot	*sl = g->g_slot;
	struct auth_ropc_job	*j;
	char			*check = NULL, err[256];

	if (sl->sl_refresh == NULL || store_password_check_load(
	    sl->sl_auth->a_store, sl->sl_id, sl->sl_generation, &check, err,
	    sizeof(err)) == -1 || check == NULL) {
		free(check);
		return (-1);
	}
	if ((j = ropc_job_new(sl, u->u_ropc_password)) == NULL) {
		free(check);
		return (-1);
	}
	j->j_check = check;
	j->j_grant = g;
	g->g_job = worker_submit(sl->sl_auth->a_worker, ropc_verify_run,
	    ropc_verify_done_cb, ropc_job_free, j);
	return (g->g_job != NULL ? 0 : -1);
}

/* Checks W's password against the stored hash or sends it to the token
 * endpoint; answers W when neither can start. */
static void
ropc_grant_start(struct auth_slot *sl, struct auth_ropc *r,
    struct auth_user *u, struct auth_wait *w, const unsigned char *mac,
    int need_grant)
{
	struct auth_ropc_grant	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, "out of memory");
		return;
	}
	g->g_slot = sl;
	memcpy(g->g_mac, mac, sizeof(g->g_mac));
	TAILQ_INIT(&g->g_waiters);
	TAILQ_INSERT_TAIL(&r->r_grants, g, g_entry);
	auth_wait_enqueue(w, &g->g_waiters);
	if (!need_grant && !r->r_good_set && ropc_verify_start(g, u) == 0)
		return;
	if (ropc_grant_fetch(g, u) == -1)
		ropc_grant_failed(g);
}

/* Answers W from memory, joins a check or grant, or starts one.
 * NEED_GRANT: the password is the good one, but no token is left. */
static int
ropc_decide(struct auth_slot *sl, struct auth_user *u, struct auth_wait *w,
    int need_grant)
{
	struct auth_ropc	*r;
	struct auth_ropc_bad	*b;
	struct auth_ropc_grant	*g;
	unsigned char		 mac[AUTH_MAC_BYTES];
	time_t			 now = time(NULL);
	int			 ret = 1;

	if (u->u_ropc_password == NULL) {
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, "a ropc user gets "
		    "a token only with the password its client sends");
		return (1);
	}
	if ((r = ropc_state(sl)) == NULL || ropc_mac(sl->sl_auth, u, mac) ==
	    -1) {
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, "out of memory");
		return (1);
	}
	if (!need_grant && r->r_good_set &&
	    CRYPTO_memcmp(mac, r->r_good, sizeof(mac)) == 0) {
		ret = 0;
		goto done;
	}
	if ((b = ropc_bad_find(r, mac, now)) != NULL) {
		auth_wait_answer(w, b->b_result, NULL, b->b_reason);
		goto done;
	}
	TAILQ_FOREACH(g, &r->r_grants, g_entry) {
		if (CRYPTO_memcmp(mac, g->g_mac, sizeof(mac)) == 0) {
			auth_wait_enqueue(w, &g->g_waiters);
			goto done;
		}
	}
	if (now < r->r_locked_until) {
		auth_wait_answer(w, AUTH_TOKEN_REFUSED, NULL,
		    r->r_lock_reason);
		goto done;
	}
	ropc_grant_start(sl, r, u, w, mac, need_grant);
done:
	explicit_bzero(mac, sizeof(mac));
	return (ret);
}

int
auth_ropc_gate(struct auth_slot *sl, struct auth_user *u, struct auth_wait *w)
{
	return (ropc_decide(sl, u, w, 0));
}

void
auth_ropc_grant(struct auth_slot *sl, struct auth_user *u,
    struct auth_wait *w)
{
	ropc_decide(sl, u, w, 1);
}

void
auth_ropc_forget(struct auth_slot *sl)
{
	if (sl->sl_ropc == NULL)
		return;
	explicit_bzero(sl->sl_ropc->r_good, sizeof(sl->sl_ropc->r_good));
	sl->sl_ropc->r_good_set = 0;
}

void
auth_ropc_slot_clear(struct auth_slot *sl)
{
	struct auth_ropc	*r = sl->sl_ropc;
	struct auth_ropc_grant	*g;

	if (r == NULL)
		return;
	while ((g = TAILQ_FIRST(&r->r_grants)) != NULL)
		ropc_grant_free(r, g);
	worker_cancel(r->r_hash_job);
	explicit_bzero(r, sizeof(*r));
	free(r);
	sl->sl_ropc = NULL;
}
