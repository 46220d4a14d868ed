/*
 * Authorization: Basic, checked against the local password.
 *
 * PBKDF2 is slow on purpose, so a verified password is remembered as a
 * keyed hash: HMAC-SHA256 under a random per-process key over (user id,
 * stored hash string, password). A hit skips PBKDF2; a new password hash
 * (user set --password-stdin) changes the input, so the cache forgets it
 * by construction. A miss runs passwd_verify on the worker pool; requests
 * that arrive with the same password while it runs wait for that run.
 * A wrong password is remembered for AUTH_BAD_TTL_S in a small ring per
 * user, so a client retrying a stale password costs no PBKDF2.
 *
 * The password is checked before the enabled flag, so a 403 (disabled)
 * is only ever shown to someone who knows the password; a guesser sees
 * 401 for a disabled account as for any other. Users without a local
 * password have nothing to check here: delegated and app users are then
 * refused, ropc and onprem users pass (their password is checked by the
 * identity platform or the on-prem server) unless disabled. A ropc user
 * comes back as a copy carrying the password (auth_ropc_user), for the
 * password grant in auth_token_get.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/serve_int.h"
#include "log.h"

/* Base64 of AUTH_BASIC_MAX_BYTES, padded. */
#define AUTH_BASIC_MAX_B64	(((AUTH_BASIC_MAX_BYTES + 2) / 3) * 4)

struct auth_verify_job {
	char			*j_password;	/* secret */
	char			*j_encoded;
	struct auth_verify	*j_verify;	/* valid unless cancelled */
};

static int
auth_b64_char(int c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/');
}

int
auth_basic_parse(const char *value, char *buf, size_t buflen, char **user,
    char **pass)
{
	char		 in[AUTH_BASIC_MAX_B64 + 4];
	const char	*p;
	char		*colon;
	size_t		 len, i, pad = 0;
	int		 n, ret = -1;

	if (value == NULL)
		return (1);
	for (p = value; *p == ' ' || *p == '\t'; p++)
		;
	if (strncasecmp(p, "Basic", 5) != 0)
		return (1);
	if (p[5] != ' ' && p[5] != '\t' && p[5] != '\0')
		return (1);	/* "Basicfoo": some other scheme */
	for (p += 5; *p == ' ' || *p == '\t'; p++)
		;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len == 0 || len > AUTH_BASIC_MAX_B64 || len % 4 == 1)
		return (-1);

	/* EVP_DecodeBlock wants whole quads and counts padding as zero
	 * bytes: check the alphabet, pad what is missing, count the pad. */
	for (i = 0; i < len; i++) {
		if (p[i] == '=') {
			if (i + 2 < len || len % 4 != 0 ||
			    (i + 1 < len && p[i + 1] != '='))
				return (-1);
			pad++;
		} else if (!auth_b64_char((unsigned char)p[i]))
			return (-1);
	}
	memcpy(in, p, len);
	while (len % 4 != 0) {
		in[len++] = '=';
		pad++;
	}
	in[len] = '\0';
	if (buflen < len / 4 * 3 + 1)
		goto done;
	if ((n = EVP_DecodeBlock((unsigned char *)buf, (unsigned char *)in,
	    (int)len)) < 0 || (size_t)n < pad)
		goto done;
	n -= (int)pad;
	if ((size_t)n > AUTH_BASIC_MAX_BYTES || memchr(buf, '\0', n) != NULL)
		goto done;
	buf[n] = '\0';
	if ((colon = memchr(buf, ':', n)) == NULL)
		goto done;
	*colon = '\0';
	*user = buf;
	*pass = colon + 1;
	ret = 0;

 done:
	explicit_bzero(in, sizeof(in));
	if (ret == -1)
		explicit_bzero(buf, buflen);
	return (ret);
}

/* The keyed hash of (user id, stored hash, password). 0 / -1. */
static int
auth_basic_mac(const struct auth *a, const struct auth_user *u,
    const char *password, unsigned char *mac)
{
	return (auth_mac(a, "basic", u->u_id, u->u_password_hash, password,
	    mac));
}

static enum auth_verdict
auth_basic_pass(struct auth_user *u, struct auth_user **user)
{
	if (!u->u_enabled)
		return (AUTH_DISABLED);
	auth_user_ref(u);
	*user = u;
	return (AUTH_OK);
}

static int
auth_verify_run(void *arg)
{
	struct auth_verify_job	*j = arg;

	return (passwd_verify(j->j_password, j->j_encoded));
}

static void
auth_verify_job_free(void *arg)
{
	struct auth_verify_job	*j = arg;

	auth_secret_free(j->j_password);
	free(j->j_encoded);
	free(j);
}

static void
auth_verify_free(struct auth_verify *v)
{
	struct auth_wait	*w;

	/* Only at shutdown with waits still held: they never answer. */
	while ((w = TAILQ_FIRST(&v->v_waiters)) != NULL) {
		TAILQ_REMOVE(&v->v_waiters, w, w_entry);
		w->w_queue = NULL;
	}
	worker_cancel(v->v_job);
	TAILQ_REMOVE(&v->v_slot->sl_verifies, v, v_entry);
	free(v);
}

static void
auth_verify_done_cb(void *arg, int result)
{
	struct auth_verify_job	*j = arg;
	struct auth_verify	*v = j->j_verify;
	struct auth_slot	*sl = v->v_slot;
	struct auth_wait	*w;
	struct auth_bad		*b;
	int			 verdict;

	v->v_job = NULL;	/* the worker frees it after this returns */
	if (result == 1) {
		memcpy(sl->sl_good, v->v_mac, sizeof(sl->sl_good));
		sl->sl_good_set = 1;
	} else if (result == 0) {
		b = &sl->sl_bad[sl->sl_bad_next++ % AUTH_BAD_RING];
		memcpy(b->b_mac, v->v_mac, sizeof(b->b_mac));
		b->b_at = time(NULL);
	} else
		log_warnx("auth: the password hash of %s is malformed",
		    sl->sl_name);

	while ((w = TAILQ_FIRST(&v->v_waiters)) != NULL) {
		if (result == 1)
			verdict = w->w_user->u_enabled ? AUTH_OK :
			    AUTH_DISABLED;
		else
			verdict = result == 0 ? AUTH_BAD_CREDENTIALS :
			    AUTH_ERROR;
		auth_wait_answer(w, verdict, NULL, NULL);
	}
	auth_verify_free(v);
}

/* A verification of PASSWORD for U on the pool, or NULL (queue full). */
static struct auth_verify *
auth_verify_start(struct auth *a, struct auth_user *u, const char *password,
    const unsigned char *mac)
{
	struct auth_slot	*sl = u->u_slot;
	struct auth_verify	*v;
	struct auth_verify_job	*j;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return (NULL);
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->j_password = strdup(password)) == NULL ||
	    (j->j_encoded = strdup(u->u_password_hash)) == NULL) {
		if (j != NULL)
			auth_verify_job_free(j);
		free(v);
		return (NULL);
	}
	j->j_verify = v;
	v->v_slot = sl;
	memcpy(v->v_mac, mac, sizeof(v->v_mac));
	TAILQ_INIT(&v->v_waiters);
	v->v_job = worker_submit(a->a_worker, auth_verify_run,
	    auth_verify_done_cb, auth_verify_job_free, j);
	if (v->v_job == NULL) {
		free(v);
		return (NULL);
	}
	TAILQ_INSERT_TAIL(&sl->sl_verifies, v, v_entry);
	return (v);
}

static enum auth_verdict
auth_basic_password(struct auth *a, struct auth_user *u, const char *password,
    struct auth_user **user, auth_basic_cb cb, void *arg,
    struct auth_wait **wait)
{
	struct auth_slot	*sl = u->u_slot;
	struct auth_verify	*v;
	struct auth_wait	*w = NULL;
	unsigned char		 mac[AUTH_MAC_BYTES];
	enum auth_verdict	 ret = AUTH_ERROR;
	time_t			 now = time(NULL);
	size_t			 i;

	if (auth_basic_mac(a, u, password, mac) == -1)
		goto done;
	if (sl->sl_good_set &&
	    CRYPTO_memcmp(mac, sl->sl_good, sizeof(mac)) == 0) {
		ret = auth_basic_pass(u, user);
		goto done;
	}
	for (i = 0; i < AUTH_BAD_RING; i++) {
		if (sl->sl_bad[i].b_at != 0 &&
		    now - sl->sl_bad[i].b_at < AUTH_BAD_TTL_S &&
		    CRYPTO_memcmp(mac, sl->sl_bad[i].b_mac, sizeof(mac)) == 0) {
			ret = AUTH_BAD_CREDENTIALS;
			goto done;
		}
	}

	if ((w = auth_wait_new(a, AUTH_WAIT_BASIC, u)) == NULL)
		goto done;
	w->w_basic_cb = cb;
	w->w_arg = arg;
	TAILQ_FOREACH(v, &sl->sl_verifies, v_entry) {
		if (CRYPTO_memcmp(mac, v->v_mac, sizeof(mac)) == 0)
			break;
	}
	if (v == NULL && (v = auth_verify_start(a, u, password, mac)) == NULL) {
		log_warnx("auth: cannot queue a password check for %s "
		    "(worker queue full)", u->u_name);
		auth_wait_cancel(w);
		goto done;
	}
	auth_wait_enqueue(w, &v->v_waiters);
	*wait = w;
	ret = AUTH_PENDING;

 done:
	explicit_bzero(mac, sizeof(mac));
	return (ret);
}

/* Exact name first, then without a "DOMAIN\" prefix. New reference. */
static struct auth_user *
auth_basic_user(struct auth *a, const char *name)
{
	struct auth_user	*u;
	const char		*bs;

	if ((u = auth_user_byname(a, name)) != NULL)
		return (u);
	if ((bs = strrchr(name, '\\')) != NULL && bs[1] != '\0')
		return (auth_user_byname(a, bs + 1));
	return (NULL);
}

enum auth_verdict
auth_check_basic(struct auth *a, const char *authorization,
    struct auth_user **user, auth_basic_cb cb, void *arg,
    struct auth_wait **wait)
{
	char			 buf[AUTH_BASIC_MAX_BYTES + 3];
	char			*name, *password;
	struct auth_user	*u;
	enum auth_verdict	 ret;
	int			 rc;

	*user = NULL;
	*wait = NULL;
	rc = auth_basic_parse(authorization, buf, sizeof(buf), &name,
	    &password);
	if (rc == 1)
		return (AUTH_NO_CREDENTIALS);
	if (rc == -1)
		return (AUTH_BAD_CREDENTIALS);

	if ((u = auth_basic_user(a, name)) != NULL &&
	    u->u_mode == AUTH_MODE_ROPC) {
		/* The request's own copy, carrying the password to
		 * auth_token_get (ropc.c). */
		struct auth_user	*c = auth_ropc_user(u, password);

		auth_user_unref(u);
		if ((u = c) == NULL) {
			explicit_bzero(buf, sizeof(buf));
			return (AUTH_ERROR);
		}
	}
	if (u == NULL)
		ret = AUTH_BAD_CREDENTIALS;
	else if (u->u_password_hash != NULL)
		ret = auth_basic_password(a, u, password, user, cb, arg, wait);
	else if (u->u_mode == AUTH_MODE_DELEGATED || u->u_mode == AUTH_MODE_APP)
		ret = AUTH_BAD_CREDENTIALS;
	else
		ret = auth_basic_pass(u, user);
	auth_user_unref(u);
	explicit_bzero(buf, sizeof(buf));
	return (ret);
}

void
auth_basic_slot_clear(struct auth_slot *sl)
{
	struct auth_verify	*v;

	while ((v = TAILQ_FIRST(&sl->sl_verifies)) != NULL)
		auth_verify_free(v);
	explicit_bzero(sl->sl_good, sizeof(sl->sl_good));
	sl->sl_good_set = 0;
	explicit_bzero(sl->sl_bad, sizeof(sl->sl_bad));
}
