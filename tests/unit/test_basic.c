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
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"

/* ---- parsing ---- */

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
test_parse_valid(void **state)
{
	char	 u[256], p[256];

	/* "alice:pw" */
	assert_int_equal(parse("Basic YWxpY2U6cHc=", u, p), 0);
	assert_string_equal(u, "alice");
	assert_string_equal(p, "pw");
	/* scheme case-insensitive, extra blanks */
	assert_int_equal(parse("basic YWxpY2U6cHc=", u, p), 0);
	assert_int_equal(parse("BASIC   YWxpY2U6cHc=  ", u, p), 0);
	assert_string_equal(p, "pw");
	/* split at the first ':' ("alice:p:w") */
	assert_int_equal(parse("Basic YWxpY2U6cDp3", u, p), 0);
	assert_string_equal(u, "alice");
	assert_string_equal(p, "p:w");
	/* empty password ("alice:") */
	assert_int_equal(parse("Basic YWxpY2U6", u, p), 0);
	assert_string_equal(p, "");
	/* DOMAIN\user ("CONTOSO\alice:pw") */
	assert_int_equal(parse("Basic Q09OVE9TT1xhbGljZTpwdw==", u, p), 0);
	assert_string_equal(u, "CONTOSO\\alice");
	/* UTF-8 ("bob:pässword") */
	assert_int_equal(parse("Basic Ym9iOnDDpHNzd29yZA==", u, p), 0);
	assert_string_equal(p, "p\xc3\xa4ssword");
}

static void
test_parse_padding(void **state)
{
	char	 u[256], p[256];

	/* "a:b" (no padding), "a:bc" (==), "a:bcd" (=) */
	assert_int_equal(parse("Basic YTpi", u, p), 0);
	assert_string_equal(p, "b");
	assert_int_equal(parse("Basic YTpiYw==", u, p), 0);
	assert_string_equal(p, "bc");
	assert_int_equal(parse("Basic YTpiY2Q=", u, p), 0);
	assert_string_equal(p, "bcd");
	/* padding left out: tolerated */
	assert_int_equal(parse("Basic YTpiYw", u, p), 0);
	assert_string_equal(p, "bc");
	assert_int_equal(parse("Basic YTpiY2Q", u, p), 0);
	assert_string_equal(p, "bcd");
	/* wrong padding */
	assert_int_equal(parse("Basic YTpiYw=", u, p), -1);
	assert_int_equal(parse("Basic YTpiY===", u, p), -1);
	assert_int_equal(parse("Basic YT=iYw==", u, p), -1);
	assert_int_equal(parse("Basic YTpiY", u, p), -1);	/* 4n+1 */
	assert_int_equal(parse("Basic ====", u, p), -1);
}

static void
test_parse_bad(void **state)
{
	char	 u[256], p[256];

	/* no colon ("alice") */
	assert_int_equal(parse("Basic YWxpY2U=", u, p), -1);
	/* not base64 */
	assert_int_equal(parse("Basic YWxp!2U6cHc=", u, p), -1);
	assert_int_equal(parse("Basic YWxp Y2U6cHc=", u, p), -1);
	assert_int_equal(parse("Basic -_-_", u, p), -1);
	/* a NUL byte ("al\0ce:pw") */
	assert_int_equal(parse("Basic YWwAY2U6cHc=", u, p), -1);
	/* nothing after the scheme */
	assert_int_equal(parse("Basic", u, p), -1);
	assert_int_equal(parse("Basic   ", u, p), -1);
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

static void
test_parse_other_schemes(void **state)
{
	char	 u[256], p[256];

	assert_int_equal(parse(NULL, u, p), 1);
	assert_int_equal(parse("", u, p), 1);
	assert_int_equal(parse("Bearer eyJ0eXAi.x.y", u, p), 1);
	assert_int_equal(parse("Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag", u, p),
	    1);
	assert_int_equal(parse("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAA",
	    u, p), 1);
	assert_int_equal(parse("Digest username=\"alice\"", u, p), 1);
	assert_int_equal(parse("BasicYWxpY2U6cHc=", u, p), 1);
}

/* ---- checking passwords ---- */

struct fx {
	char			 dir[64];
	struct event_base	*base;
	struct net_loop		*net;
	struct conf		*conf;
	struct store		*store;		/* the CLI's connection */
	struct auth		*auth;
	struct event		*timeout;
	int			 answers;
	int			 expect;
	enum auth_verdict	 verdicts[16];
	struct auth_user	*users[16];
};

static void
fx_add(struct fx *fx, const char *name, enum auth_mode mode,
    const char *password, int enabled)
{
	struct store_user	 u;
	char			 err[256];

	memset(&u, 0, sizeof(u));
	u.name = (char *)(uintptr_t)name;
	u.mailbox = "x@contoso.example";
	u.mode = mode;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.enabled = enabled;
	u.password_hash = password != NULL ? passwd_hash(password) : NULL;
	if (store_user_add(fx->store, &u, err, sizeof(err)) != 0)
		fail_msg("store_user_add: %s", err);
	auth_secret_free(u.password_hash);
}

static void
fx_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	fail_msg("no answer in time");
}

static int
setup(void **state)
{
	struct fx	*fx;
	char		 err[256];

	log_init(LOG_LEVEL_WARN, 0);
	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ewsgw-test-basic-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_non_null(fx->base = event_base_new());
	assert_non_null(fx->net = net_loop_new(fx->base));
	assert_non_null(fx->timeout = evtimer_new(fx->base, fx_timeout_cb,
	    fx));
	fx->conf = conf_defaults();
	free(fx->conf->state_dir);
	fx->conf->state_dir = strdup(fx->dir);
	fx->store = store_open(fx->dir, 1, err, sizeof(err));
	assert_non_null(fx->store);
	fx_add(fx, "alice", AUTH_MODE_DELEGATED, "pw", 1);
	fx_add(fx, "bob", AUTH_MODE_DELEGATED, "pw", 0);
	fx_add(fx, "carol", AUTH_MODE_DELEGATED, NULL, 1);
	fx_add(fx, "dave", AUTH_MODE_ONPREM, NULL, 1);
	fx_add(fx, "erin", AUTH_MODE_ONPREM, NULL, 0);
	fx->auth = auth_new(fx->base, fx->net, fx->conf, err, sizeof(err));
	if (fx->auth == NULL)
		fail_msg("auth_new: %s", err);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 cmd[128];
	int		 i;

	for (i = 0; i < 16; i++)
		auth_user_unref(fx->users[i]);
	auth_free(fx->auth);
	store_close(fx->store);
	event_free(fx->timeout);
	net_loop_free(fx->net);
	event_base_free(fx->base);
	conf_free(fx->conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return (-1);
	free(fx);
	return (0);
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
		event_base_loopexit(fx->base, NULL);
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

	v = auth_check_basic(fx->auth, basic_header(user, pass), &u,
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
	struct timeval		 tv = { 20, 0 };
	struct auth_user	*u;
	struct auth_wait	*w;
	int			 i;

	fx->answers = 0;
	fx->expect = n;
	for (i = 0; i < n; i++) {
		u = NULL;
		w = NULL;
		assert_int_equal(auth_check_basic(fx->auth,
		    basic_header(user, pass), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
		assert_non_null(w);
		assert_null(u);
	}
	evtimer_add(fx->timeout, &tv);
	event_base_dispatch(fx->base);
	evtimer_del(fx->timeout);
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
	struct auth_user	*u = auth_user_byname(fx->auth, name);
	struct auth_verify	*v;
	size_t			 n = 0;

	assert_non_null(u);
	TAILQ_FOREACH(v, &u->u_slot->sl_verifies, v_entry)
		n++;
	auth_user_unref(u);
	return (n);
}

static void
fx_run(struct fx *fx, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(fx->base, &tv);
	event_base_dispatch(fx->base);
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
	struct timeval	 tv = { 20, 0 };
	struct auth_user *u;
	struct auth_wait *w;
	int		 i;

	fx->answers = 0;
	fx->expect = 10;
	for (i = 0; i < 8; i++) {
		u = NULL;
		assert_int_equal(auth_check_basic(fx->auth,
		    basic_header("alice", "pw"), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(auth_check_basic(fx->auth,
		    basic_header("alice", "wrong"), &u, fx_basic_cb, fx, &w),
		    AUTH_PENDING);
	/* eight requests, one run; the other password its own run */
	assert_int_equal(verifies(fx, "alice"), 2);
	evtimer_add(fx->timeout, &tv);
	event_base_dispatch(fx->base);
	evtimer_del(fx->timeout);
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

	assert_int_equal(auth_check_basic(fx->auth, NULL, &u, fx_basic_cb, fx,
	    &w), AUTH_NO_CREDENTIALS);
	assert_int_equal(auth_check_basic(fx->auth, "Bearer x.y.z", &u,
	    fx_basic_cb, fx, &w), AUTH_NO_CREDENTIALS);
	assert_int_equal(auth_check_basic(fx->auth, "Basic !!!!", &u,
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
	assert_int_equal(store_user_enable(fx->store, "alice", 0, err,
	    sizeof(err)), 0);
	fx_run(fx, 600);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_DISABLED);
	assert_int_equal(store_user_enable(fx->store, "alice", 1, err,
	    sizeof(err)), 0);
	fx_run(fx, 600);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);

	/* a new password: the cached one no longer passes */
	memset(&su, 0, sizeof(su));
	su.name = "alice";
	su.mode = -1;
	su.backend = -1;
	su.enabled = -1;
	su.token_state = -1;
	su.password_hash = passwd_hash("new");
	assert_int_equal(store_user_set(fx->store, &su, 0, err, sizeof(err)),
	    0);
	auth_secret_free(su.password_hash);
	fx_run(fx, 600);
	assert_int_equal(check_later(fx, 1, "alice", "pw"),
	    AUTH_BAD_CREDENTIALS);
	assert_int_equal(check_later(fx, 1, "alice", "new"), AUTH_OK);

	/* removed: gone */
	assert_int_equal(store_user_remove(fx->store, "alice", err,
	    sizeof(err)), 0);
	fx_run(fx, 600);
	assert_int_equal(check_now(fx, "alice", "new"), AUTH_BAD_CREDENTIALS);
}

static void
fx_never_cb(void *arg, enum auth_verdict verdict, struct auth_user *u)
{
	fail_msg("a cancelled wait answered");
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;

	assert_int_equal(auth_check_basic(fx->auth, basic_header("alice",
	    "pw"), &u, fx_never_cb, fx, &w), AUTH_PENDING);
	auth_wait_cancel(w);
	fx_run(fx, 1500);
	/* the verification finished anyway and was kept */
	assert_int_equal(verifies(fx, "alice"), 0);
	assert_int_equal(check_now(fx, "alice", "pw"), AUTH_OK);
}

static void
test_free_while_verifying(void **state)
{
	struct fx		*fx = *state;
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;

	/* the wait is cancelled and auth freed with PBKDF2 still running */
	assert_int_equal(auth_check_basic(fx->auth, basic_header("alice",
	    "pw"), &u, fx_never_cb, fx, &w), AUTH_PENDING);
	auth_wait_cancel(w);
	auth_free(fx->auth);
	fx->auth = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_padding),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_other_schemes),
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
