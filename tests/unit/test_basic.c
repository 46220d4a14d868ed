/*
 * auth/basic.c: parsing Authorization: Basic, and the password check
 * against a real store (PBKDF2 on the worker pool, the verified cache,
 * one verification for concurrent requests, wrong passwords remembered,
 * disabled users, users without a local password, CLI changes seen by
 * the running gateway).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>
#include <openssl/evp.h>

#include "auth/serve_int.h"
#include "tests/unit/auth_fixture.h"

/* ---- parsing ---- */

/* One Authorization value and what auth_basic_parse makes of it. */
struct parse_case {
	const char	*what;
	const char	*value;
	int		 rc;		/* 0 ok, 1 no credentials, -1 bad */
	const char	*user;		/* rc 0 */
	const char	*pass;
};

static const struct parse_case parse_cases[] = {
	{ "valid", "Basic YWxpY2U6cHc=", 0, "alice", "pw" },
	{ "lower-case scheme", "basic YWxpY2U6cHc=", 0, "alice", "pw" },
	{ "blanks", "BASIC   YWxpY2U6cHc=  ", 0, "alice", "pw" },
	{ "first colon splits", "Basic YWxpY2U6cDp3", 0, "alice", "p:w" },
	{ "empty password", "Basic YWxpY2U6", 0, "alice", "" },
	{ "DOMAIN\\user", "Basic Q09OVE9TT1xhbGljZTpwdw==", 0,
	  "CONTOSO\\alice", "pw" },
	{ "UTF-8", "Basic Ym9iOnDDpHNzd29yZA==", 0, "bob", "p\xc3\xa4ssword" },

	{ "no padding needed", "Basic YTpi", 0, "a", "b" },
	{ "padding ==", "Basic YTpiYw==", 0, "a", "bc" },
	{ "padding =", "Basic YTpiY2Q=", 0, "a", "bcd" },
	{ "== left out", "Basic YTpiYw", 0, "a", "bc" },
	{ "= left out", "Basic YTpiY2Q", 0, "a", "bcd" },
	{ "half padding", "Basic YTpiYw=", -1, NULL, NULL },
	{ "too much padding", "Basic YTpiY===", -1, NULL, NULL },
	{ "padding inside", "Basic YT=iYw==", -1, NULL, NULL },
	{ "4n+1 characters", "Basic YTpiY", -1, NULL, NULL },
	{ "only padding", "Basic ====", -1, NULL, NULL },

	{ "missing colon", "Basic YWxpY2U=", -1, NULL, NULL },
	{ "bad character", "Basic YWxp!2U6cHc=", -1, NULL, NULL },
	{ "blank inside", "Basic YWxp Y2U6cHc=", -1, NULL, NULL },
	{ "base64url", "Basic -_-_", -1, NULL, NULL },
	{ "NUL byte", "Basic YWwAY2U6cHc=", -1, NULL, NULL },
	{ "scheme alone", "Basic", -1, NULL, NULL },
	{ "scheme and blanks", "Basic   ", -1, NULL, NULL },

	{ "absent", NULL, 1, NULL, NULL },
	{ "empty", "", 1, NULL, NULL },
	{ "Bearer", "Bearer eyJ0eXAi.x.y", 1, NULL, NULL },
	{ "Negotiate", "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag", 1, NULL,
	  NULL },
	{ "NTLM", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAA", 1, NULL,
	  NULL },
	{ "Digest", "Digest username=\"alice\"", 1, NULL, NULL },
	{ "glued scheme", "BasicYWxpY2U6cHc=", 1, NULL, NULL },
};

static int
parse(const char *value, char *user, char *pass)
{
	char	 buf[AUTH_BASIC_MAX_BYTES + 3];
	char	*u, *p;
	int	 rc;

	rc = auth_basic_parse(value, buf, sizeof(buf), &u, &p);
	if (rc == 0) {
		snprintf(user, 256, "%s", u);
		snprintf(pass, 256, "%s", p);
	}
	return (rc);
}

static void
test_parse(void **state)
{
	const struct parse_case	*c;
	char			 u[256], p[256];
	size_t			 i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		c = &parse_cases[i];
		if (parse(c->value, u, p) != c->rc)
			fail_msg("%s: not %d", c->what, c->rc);
		if (c->rc != 0)
			continue;
		assert_string_equal(u, c->user);
		assert_string_equal(p, c->pass);
	}
}

static void
test_parse_long(void **state)
{
	char	 u[256], p[256], big[2048], b64[1400];
	char	 raw[1100];
	size_t	 n;

	/* exactly AUTH_BASIC_MAX_BYTES decoded: accepted */
	memset(raw, 'x', sizeof(raw));
	raw[0] = 'a';
	raw[1] = ':';
	n = EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)raw,
	    AUTH_BASIC_MAX_BYTES);
	b64[n] = '\0';
	snprintf(big, sizeof(big), "Basic %s", b64);
	assert_int_equal(parse(big, u, p), 0);
	/* one more: refused */
	n = EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)raw,
	    AUTH_BASIC_MAX_BYTES + 1);
	b64[n] = '\0';
	snprintf(big, sizeof(big), "Basic %s", b64);
	assert_int_equal(parse(big, u, p), -1);
	/* far more: refused before decoding */
	memset(big, 'Q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Basic ", 6);
	assert_int_equal(parse(big, u, p), -1);
}

/* ---- checking passwords ---- */

struct fx {
	struct auth_fixture	 af;
	int			 answers;
	int			 expect;
	enum auth_verdict	 verdicts[16];
	struct auth_user	*users[16];
};

static int
setup(void **state)
{
	struct fx	*fx;

	assert_non_null(fx = calloc(1, sizeof(*fx)));
	auth_fixture_open(&fx->af);
	auth_fixture_user(&fx->af, "alice", AUTH_MODE_DELEGATED, "pw", 1);
	auth_fixture_user(&fx->af, "bob", AUTH_MODE_DELEGATED, "pw", 0);
	auth_fixture_user(&fx->af, "carol", AUTH_MODE_DELEGATED, NULL, 1);
	auth_fixture_user(&fx->af, "dave", AUTH_MODE_ONPREM, NULL, 1);
	auth_fixture_user(&fx->af, "erin", AUTH_MODE_ONPREM, NULL, 0);
	auth_fixture_start(&fx->af);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	int		 i, rc;

	for (i = 0; i < 16; i++)
		auth_user_unref(fx->users[i]);
	rc = auth_fixture_close(&fx->af);
	free(fx);
	return (rc);
}

static void
fx_basic_cb(void *arg, enum auth_verdict verdict, struct auth_user *u)
{
	struct fx	*fx = arg;

	assert_true(fx->answers < 16);
	assert_true(verdict != AUTH_PENDING);
	if (verdict == AUTH_OK)
		assert_non_null(u);
	else
		assert_null(u);
	fx->verdicts[fx->answers] = verdict;
	fx->users[fx->answers] = u;
	if (++fx->answers == fx->expect)
		event_base_loopexit(fx->af.af_base, NULL);
}

static char *
basic_header(const char *user, const char *pass)
{
	static char	 hdr[512];
	char		 raw[256];
	int		 n;

	n = snprintf(raw, sizeof(raw), "%s:%s", user, pass);
	memcpy(hdr, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)hdr + 6, (unsigned char *)raw, n);
	return (hdr);
}

/* A check answered at once: its verdict. */
static enum auth_verdict
check_now(struct fx *fx, const char *user, const char *pass)
{
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;
	enum auth_verdict	 v;

	v = auth_check_basic(fx->af.af_auth, basic_header(user, pass), &u,
	    fx_basic_cb, fx, &w);
	assert_true(v != AUTH_PENDING);
	assert_null(w);
	if (v == AUTH_OK) {
		assert_non_null(u);
		assert_int_equal(strcasecmp(auth_user_name(u),
		    strchr(user, '\\') != NULL ? strchr(user, '\\') + 1 :
		    user), 0);
		auth_user_unref(u);
	} else
		assert_null(u);
	return (v);
}

/* N identical checks that must all go to the pool; their verdict. */
static enum auth_verdict
check_later(struct fx *fx, int n, const char *user, const char *pass)
{
	struct auth_user	*u;
	struct auth_wait	*w;
	int			 i;

	fx->answers = 0;
	fx->expect = n;
	for (i = 0; i < n; i++) {
		u = NULL;
		w = NULL;
		assert_int_equal(auth_check_basic(fx->af.af_auth,
		    basic_header(user, pass), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
		assert_non_null(w);
		assert_null(u);
	}
	auth_fixture_dispatch(&fx->af, 20);
	assert_int_equal(fx->answers, n);
	for (i = 1; i < n; i++)
		assert_int_equal(fx->verdicts[i], fx->verdicts[0]);
	for (i = 0; i < n; i++) {
		auth_user_unref(fx->users[i]);
		fx->users[i] = NULL;
	}
	return (fx->verdicts[0]);
}

static size_t
verifies(struct fx *fx, const char *name)
{
	struct auth_user	*u = auth_user_byname(fx->af.af_auth, name);
	struct auth_verify	*v;
	size_t			 n = 0;

	assert_non_null(u);
	TAILQ_FOREACH(v, &u->u_slot->sl_verifies, v_entry)
		n++;
	auth_user_unref(u);
	return (n);
}

static void
test_verified_cache(void **state)
{
	struct fx	*fx = *state;
	struct timespec	 t0, t1;
	double		 ms;

	assert_int_equal(check_later(fx, 1, "alice", "pw"), AUTH_OK);
	/* now from the cache: at once, no PBKDF2 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);
	assert_int_equal(check_now(fx, "ALICE", "pw"), AUTH_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 50);
	/* DOMAIN\user finds alice */
	assert_int_equal(check_now(fx, "CONTOSO\\alice", "pw"), AUTH_OK);
	/* another password still goes to the pool */
	assert_int_equal(check_later(fx, 1, "alice", "pW"),
	    AUTH_BAD_CREDENTIALS);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);
}

static void
test_single_verification(void **state)
{
	struct fx	*fx = *state;
	struct auth_user *u;
	struct auth_wait *w;
	int		 i;

	fx->answers = 0;
	fx->expect = 10;
	for (i = 0; i < 8; i++) {
		u = NULL;
		assert_int_equal(auth_check_basic(fx->af.af_auth,
		    basic_header("alice", "pw"), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(auth_check_basic(fx->af.af_auth,
		    basic_header("alice", "wrong"), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
	/* eight requests, one run; the other password its own run */
	assert_int_equal(verifies(fx, "alice"), 2);
	auth_fixture_dispatch(&fx->af, 20);
	assert_int_equal(fx->answers, 10);
	assert_int_equal(verifies(fx, "alice"), 0);
	for (i = 0; i < 10; i++)
		if (fx->verdicts[i] == AUTH_OK)
			assert_string_equal(auth_user_name(fx->users[i]),
			    "alice");
	i = 0;
	for (int k = 0; k < 10; k++)
		i += fx->verdicts[k] == AUTH_OK;
	assert_int_equal(i, 8);
}

static void
test_wrong_password_remembered(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(check_later(fx, 1, "alice", "stale"),
	    AUTH_BAD_CREDENTIALS);
	/* the same wrong password again: refused without PBKDF2 */
	assert_int_equal(check_now(fx, "alice", "stale"),
	    AUTH_BAD_CREDENTIALS);
	assert_int_equal(verifies(fx, "alice"), 0);
}

static void
test_refusals(void **state)
{
	struct fx		*fx = *state;
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;

	assert_int_equal(auth_check_basic(fx->af.af_auth, NULL, &u,
	    fx_basic_cb, fx, &w), AUTH_NO_CREDENTIALS);
	assert_int_equal(auth_check_basic(fx->af.af_auth, "Bearer x.y.z", &u,
	    fx_basic_cb, fx, &w), AUTH_NO_CREDENTIALS);
	assert_int_equal(auth_check_basic(fx->af.af_auth, "Basic !!!!", &u,
	    fx_basic_cb, fx, &w), AUTH_BAD_CREDENTIALS);
	assert_int_equal(check_now(fx, "mallory", "pw"), AUTH_BAD_CREDENTIALS);
	/* delegated without a local password: refused */
	assert_int_equal(check_now(fx, "carol", ""), AUTH_BAD_CREDENTIALS);
	/* onprem without a local password: passed on, unless disabled */
	assert_int_equal(check_now(fx, "dave", "whatever"), AUTH_OK);
	assert_int_equal(check_now(fx, "erin", "whatever"), AUTH_DISABLED);
	/* disabled: 403 only for the right password */
	assert_int_equal(check_later(fx, 1, "bob", "guess"),
	    AUTH_BAD_CREDENTIALS);
	assert_int_equal(check_later(fx, 2, "bob", "pw"), AUTH_DISABLED);
	assert_int_equal(check_now(fx, "bob", "pw"), AUTH_DISABLED);
}

static void
test_cli_changes(void **state)
{
	struct fx		*fx = *state;
	struct store_user	 su;
	char			 err[256];

	assert_int_equal(check_later(fx, 1, "alice", "pw"), AUTH_OK);

	/* 'ewsgw user disable alice' in another process */
	assert_int_equal(store_user_enable(fx->af.af_store, "alice", 0, err,
	    sizeof(err)), 0);
	auth_fixture_run(&fx->af, 600);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_DISABLED);
	assert_int_equal(store_user_enable(fx->af.af_store, "alice", 1, err,
	    sizeof(err)), 0);
	auth_fixture_run(&fx->af, 600);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);

	/* a new password: the cached one no longer passes */
	memset(&su, 0, sizeof(su));
	su.name = "alice";
	su.mode = -1;
	su.backend = -1;
	su.enabled = -1;
	su.token_state = -1;
	su.password_hash = passwd_hash("new");
	assert_int_equal(store_user_set(fx->af.af_store, &su, 0, err,
	    sizeof(err)), 0);
	auth_secret_free(su.password_hash);
	auth_fixture_run(&fx->af, 600);
	assert_int_equal(check_later(fx, 1, "alice", "pw"),
	    AUTH_BAD_CREDENTIALS);
	assert_int_equal(check_later(fx, 1, "alice", "new"), AUTH_OK);

	/* removed: gone */
	assert_int_equal(store_user_remove(fx->af.af_store, "alice", err,
	    sizeof(err)), 0);
	auth_fixture_run(&fx->af, 600);
	assert_int_equal(check_now(fx, "alice", "new"), AUTH_BAD_CREDENTIALS);
}

static void
fx_never_cb(void *arg, enum auth_verdict verdict, struct auth_user *u)
{
	fail_msg("a cancelled wait answered");
}

/* Starts a check of alice's password and cancels its wait at once. */
static void
check_cancelled(struct fx *fx)
{
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;

	assert_int_equal(auth_check_basic(fx->af.af_auth, basic_header("alice",
	    "pw"), &u, fx_never_cb, fx, &w), AUTH_PENDING);
	auth_wait_cancel(w);
}

static void
test_cancel(void **state)
{
	struct fx	*fx = *state;

	check_cancelled(fx);
	auth_fixture_run(&fx->af, 1500);
	/* the verification finished anyway and was kept */
	assert_int_equal(verifies(fx, "alice"), 0);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);
}

static void
test_free_while_verifying(void **state)
{
	struct fx	*fx = *state;

	/* auth freed with PBKDF2 still running: joins, frees, no callback */
	check_cancelled(fx);
	auth_free(fx->af.af_auth);
	fx->af.af_auth = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test_setup_teardown(test_verified_cache, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_single_verification,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password_remembered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cli_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_verifying,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
