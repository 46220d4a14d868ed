/*
 * auth/token.c: refresh timing, and access tokens against a token
 * endpoint played in-process (an evhttp server on 127.0.0.1 in the same
 * event base): one refresh for many waiters, rotation committed to the
 * store, invalid_grant, an unreachable identity platform, a login that
 * lands while a refresh is in flight, and a token refused upstream.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "auth/auth_int.h"
#include "tests/unit/auth_fixture.h"

#define WAITERS		50
#define TIMEOUT_S	10

static void
test_refresh_due(void **state)
{
	/* min(300 s, lifetime / 4) before the end */
	assert_int_equal(auth_refresh_due(1000, 3), 1000);
	assert_int_equal(auth_refresh_due(1000, 60), 985);
	assert_int_equal(auth_refresh_due(10000, 3600), 9700);
	assert_int_equal(auth_refresh_due(10000, 1200), 9700);
	assert_int_equal(auth_refresh_due(10000, 1199), 9701);
	/* unknown lifetime (read back from the store): the full margin */
	assert_int_equal(auth_refresh_due(10000, 0), 9700);
}

enum idp_mode {
	IDP_OK,			/* a new access and refresh token */
	IDP_INVALID_GRANT,	/* AADSTS50173 */
	IDP_LOGIN_FIRST,	/* a "login" writes tokens, then OK */
};

struct fx {
	struct auth_fixture	 af;
	struct evhttp		*http;
	struct auth_user	*alice;
	int64_t			 alice_id;

	enum idp_mode		 mode;
	int			 requests;
	char			 last_form[1024];

	int			 answers;
	int			 expect;
	int			 results[WAITERS];
	char			 bearer[WAITERS][64];
	char			 reason[256];
};

static void
idp_cb(struct evhttp_request *req, void *arg)
{
	struct fx	*fx = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	char		 json[512], err[256];

	fx->requests++;
	if (len >= sizeof(fx->last_form))
		len = sizeof(fx->last_form) - 1;
	evbuffer_copyout(in, fx->last_form, len);
	fx->last_form[len] = '\0';

	switch (fx->mode) {
	case IDP_INVALID_GRANT:
		auth_fixture_reply_json(req, 400,
		    "{\"error\":\"invalid_grant\","
		    "\"error_description\":\"AADSTS50173: The provided grant "
		    "has expired due to it being revoked.\\r\\nTrace ID: x\","
		    "\"error_codes\":[50173]}");
		return;
	case IDP_LOGIN_FIRST:
		assert_int_equal(store_tokens_save(fx->af.af_store,
		    fx->alice_id, "rt-login", "at-login", time(NULL) + 3600,
		    AUTH_TOKEN_VALID, NULL, -1, NULL, err, sizeof(err)), 0);
		break;
	case IDP_OK:
		break;
	}
	snprintf(json, sizeof(json), "{\"token_type\":\"Bearer\","
	    "\"expires_in\":3600,\"access_token\":\"at-%d\","
	    "\"refresh_token\":\"rt-%d\"}", fx->requests, fx->requests);
	auth_fixture_reply_json(req, 200, json);
}

static void
fx_token_cb(void *arg, enum auth_token_result result, const char *bearer,
    const char *reason)
{
	struct fx	*fx = arg;

	assert_true(fx->answers < WAITERS);
	fx->results[fx->answers] = result;
	snprintf(fx->bearer[fx->answers], sizeof(fx->bearer[0]), "%s",
	    bearer != NULL ? bearer : "");
	if (reason != NULL)
		snprintf(fx->reason, sizeof(fx->reason), "%s", reason);
	if (result == AUTH_TOKEN_OK)
		assert_null(reason);
	if (++fx->answers == fx->expect)
		event_base_loopexit(fx->af.af_base, NULL);
}

/* Runs N auth_token_get calls and the loop until all have answered. */
static void
fx_get(struct fx *fx, int n, const char *rejected)
{
	int	 i;

	fx->answers = 0;
	fx->expect = n;
	fx->reason[0] = '\0';
	for (i = 0; i < n; i++)
		assert_non_null(auth_token_get(fx->af.af_auth, fx->alice,
		    rejected, fx_token_cb, fx));
	assert_int_equal(fx->answers, 0);	/* never inside the call */
	auth_fixture_dispatch(&fx->af, TIMEOUT_S);
	assert_int_equal(fx->answers, n);
}

static int
fx_setup(void **state, int server_up, int64_t access_expires)
{
	struct fx			*fx;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	char				 err[256], url[64];
	int				 port, fd;

	assert_non_null(fx = calloc(1, sizeof(*fx)));
	auth_fixture_open(&fx->af);
	if (server_up) {
		assert_non_null(fx->http = evhttp_new(fx->af.af_base));
		evhttp_set_gencb(fx->http, idp_cb, fx);
		bs = evhttp_bind_socket_with_handle(fx->http, "127.0.0.1", 0);
		assert_non_null(bs);
		port = auth_fixture_port(evhttp_bound_socket_get_fd(bs));
	} else {
		/* A port nobody listens on: bound, then closed. */
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
		assert_int_equal(bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
		port = auth_fixture_port(fd);
		close(fd);
	}

	free(fx->af.af_conf->authority);
	free(fx->af.af_conf->tenant_id);
	free(fx->af.af_conf->client_id);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	fx->af.af_conf->authority = strdup(url);
	fx->af.af_conf->tenant_id = strdup("contoso.example");
	fx->af.af_conf->client_id =
	    strdup("aaaaaaaa-0000-4000-8000-000000000001");

	fx->alice_id = auth_fixture_user(&fx->af, "alice",
	    AUTH_MODE_DELEGATED, NULL, 1);
	if (access_expires != 0)
		assert_int_equal(store_tokens_save(fx->af.af_store,
		    fx->alice_id, "rt-0", "at-old", access_expires,
		    AUTH_TOKEN_VALID, NULL, -1, NULL, err, sizeof(err)), 0);
	auth_fixture_start(&fx->af);
	assert_non_null(fx->alice = auth_user_byname(fx->af.af_auth,
	    "ALICE"));
	*state = fx;
	return (0);
}

static int
setup_expired(void **state)
{
	return (fx_setup(state, 1, time(NULL) - 10));
}

static int
setup_due(void **state)
{
	/* 100 s left, lifetime unknown: due (300 s margin) but valid */
	return (fx_setup(state, 1, time(NULL) + 100));
}

static int
setup_no_tokens(void **state)
{
	return (fx_setup(state, 1, 0));
}

static int
setup_down(void **state)
{
	return (fx_setup(state, 0, time(NULL) - 10));
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	int		 rc;

	auth_user_unref(fx->alice);
	auth_free(fx->af.af_auth);	/* before the server it talks to */
	fx->af.af_auth = NULL;
	if (fx->http != NULL)
		evhttp_free(fx->http);
	rc = auth_fixture_close(&fx->af);
	free(fx);
	return (rc);
}

static void
fx_stored(struct fx *fx, struct store_tokens *t)
{
	char	 err[256];

	memset(t, 0, sizeof(*t));
	assert_int_equal(store_tokens_load(fx->af.af_store, fx->alice_id, t,
	    err, sizeof(err)), 0);
}

static void
test_single_flight(void **state)
{
	struct fx		*fx = *state;
	struct store_tokens	 t;
	unsigned		 counts[AUTH_TOKEN_ERROR + 1];
	unsigned long		 ok, failed;
	int			 i;

	fx_get(fx, WAITERS, NULL);
	assert_int_equal(fx->requests, 1);
	assert_non_null(strstr(fx->last_form, "grant_type=refresh_token"));
	assert_non_null(strstr(fx->last_form, "refresh_token=rt-0"));
	for (i = 0; i < WAITERS; i++) {
		assert_int_equal(fx->results[i], AUTH_TOKEN_OK);
		assert_string_equal(fx->bearer[i], "at-1");
	}
	/* the rotated refresh token is committed */
	fx_stored(fx, &t);
	assert_string_equal(t.refresh_token, "rt-1");
	assert_string_equal(t.access_token, "at-1");
	store_tokens_clear(&t);
	auth_refresh_counts(fx->af.af_auth, &ok, &failed);
	assert_int_equal(ok, 1);
	assert_int_equal(failed, 0);
	auth_users_by_token_state(fx->af.af_auth, counts, AUTH_TOKEN_ERROR + 1);
	assert_int_equal(counts[AUTH_TOKEN_VALID], 1);

	/* valid and not due: answered without a request */
	fx_get(fx, 3, NULL);
	assert_int_equal(fx->requests, 1);
	assert_string_equal(fx->bearer[2], "at-1");
}

static void
test_rejected(void **state)
{
	struct fx	*fx = *state;

	fx_get(fx, 1, NULL);
	assert_string_equal(fx->bearer[0], "at-1");
	/* a token other than the current one: no refresh */
	fx_get(fx, 1, "at-older");
	assert_int_equal(fx->requests, 1);
	/* the current one was refused upstream: one forced refresh */
	fx_get(fx, 5, "at-1");
	assert_int_equal(fx->requests, 2);
	assert_string_equal(fx->bearer[4], "at-2");
}

static void
test_due_background(void **state)
{
	struct fx		*fx = *state;
	struct store_tokens	 t;

	/* due but valid: the old token now, one refresh behind it */
	fx_get(fx, 5, NULL);
	assert_string_equal(fx->bearer[0], "at-old");
	assert_string_equal(fx->bearer[4], "at-old");
	auth_fixture_run(&fx->af, 300);
	assert_int_equal(fx->requests, 1);
	fx_get(fx, 1, NULL);
	assert_string_equal(fx->bearer[0], "at-1");
	fx_stored(fx, &t);
	assert_string_equal(t.refresh_token, "rt-1");
	store_tokens_clear(&t);
}

static void
test_invalid_grant(void **state)
{
	struct fx		*fx = *state;
	struct store_user	 u;
	struct store_tokens	 t;
	char			 err[256];
	int			 i;

	fx->mode = IDP_INVALID_GRANT;
	fx_get(fx, WAITERS, NULL);
	assert_int_equal(fx->requests, 1);
	for (i = 0; i < WAITERS; i++)
		assert_int_equal(fx->results[i], AUTH_TOKEN_NEEDS_SIGNIN);
	assert_string_equal(fx->reason, "the refresh token for alice was "
	    "refused (AADSTS50173): run 'ewsgw login alice'");

	memset(&u, 0, sizeof(u));
	assert_int_equal(store_user_get(fx->af.af_store, "alice", &u, err,
	    sizeof(err)), 0);
	assert_int_equal(u.token_state, AUTH_TOKEN_NEEDS_LOGIN);
	assert_non_null(u.token_error);
	assert_int_equal(strncmp(u.token_error, "AADSTS50173: The provided "
	    "grant", 30), 0);
	store_user_clear(&u);
	fx_stored(fx, &t);
	assert_null(t.refresh_token);
	store_tokens_clear(&t);

	/* no second request: the answer is known */
	fx_get(fx, 2, NULL);
	assert_int_equal(fx->requests, 1);
	assert_int_equal(fx->results[1], AUTH_TOKEN_NEEDS_SIGNIN);
	assert_non_null(strstr(fx->reason, "AADSTS50173"));
}

static void
test_no_tokens(void **state)
{
	struct fx	*fx = *state;

	fx_get(fx, 2, NULL);
	assert_int_equal(fx->requests, 0);
	assert_int_equal(fx->results[0], AUTH_TOKEN_NEEDS_SIGNIN);
	assert_string_equal(fx->reason,
	    "no token for alice: run 'ewsgw login alice'");
}

static void
test_login_during_refresh(void **state)
{
	struct fx		*fx = *state;
	struct store_tokens	 t;

	fx->mode = IDP_LOGIN_FIRST;
	fx_get(fx, 10, NULL);
	assert_int_equal(fx->requests, 1);
	/* the login's tokens win the compare-and-swap */
	assert_int_equal(fx->results[9], AUTH_TOKEN_OK);
	assert_string_equal(fx->bearer[0], "at-login");
	assert_string_equal(fx->bearer[9], "at-login");
	fx_stored(fx, &t);
	assert_string_equal(t.refresh_token, "rt-login");
	store_tokens_clear(&t);
}

static void
test_login_reaches_serve(void **state)
{
	struct fx	*fx = *state;
	char		 err[256];

	fx->mode = IDP_INVALID_GRANT;
	fx_get(fx, 1, NULL);
	assert_int_equal(fx->results[0], AUTH_TOKEN_NEEDS_SIGNIN);
	/* 'ewsgw login alice' in another process */
	assert_int_equal(store_tokens_save(fx->af.af_store, fx->alice_id,
	    "rt-new", "at-new", time(NULL) + 3600, AUTH_TOKEN_VALID, NULL,
	    -1, NULL, err, sizeof(err)), 0);
	auth_fixture_run(&fx->af, 600);
	auth_user_unref(fx->alice);
	fx->alice = auth_user_byname(fx->af.af_auth, "alice");
	fx_get(fx, 1, NULL);
	assert_int_equal(fx->results[0], AUTH_TOKEN_OK);
	assert_string_equal(fx->bearer[0], "at-new");
	assert_int_equal(fx->requests, 1);
}

static void
test_unreachable(void **state)
{
	struct fx	*fx = *state;
	time_t		 start = time(NULL);
	unsigned long	 ok, failed;
	int		 i;

	fx_get(fx, WAITERS, NULL);
	for (i = 0; i < WAITERS; i++)
		assert_int_equal(fx->results[i], AUTH_TOKEN_UNAVAILABLE);
	assert_non_null(strstr(fx->reason, "cannot reach the identity "
	    "platform"));
	assert_true(time(NULL) - start < 5);
	auth_refresh_counts(fx->af.af_auth, &ok, &failed);
	assert_int_equal(failed, 1);

	/* backing off: answered at once, no new attempt */
	fx_get(fx, 3, NULL);
	assert_int_equal(fx->results[2], AUTH_TOKEN_UNAVAILABLE);
	auth_refresh_counts(fx->af.af_auth, &ok, &failed);
	assert_int_equal(failed, 1);
}

static void
fx_never_cb(void *arg, enum auth_token_result result, const char *bearer,
    const char *reason)
{
	fail_msg("a cancelled wait answered");
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	struct auth_wait	*w;

	w = auth_token_get(fx->af.af_auth, fx->alice, NULL, fx_never_cb, fx);
	assert_non_null(w);
	auth_wait_cancel(w);
	auth_fixture_run(&fx->af, 300);
	/* the refresh still ran, and its result is kept */
	assert_int_equal(fx->requests, 1);
	fx_get(fx, 1, NULL);
	assert_string_equal(fx->bearer[0], "at-1");
	assert_int_equal(fx->requests, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_due),
		cmocka_unit_test_setup_teardown(test_single_flight,
		    setup_expired, teardown),
		cmocka_unit_test_setup_teardown(test_rejected,
		    setup_expired, teardown),
		cmocka_unit_test_setup_teardown(test_due_background,
		    setup_due, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_grant,
		    setup_expired, teardown),
		cmocka_unit_test_setup_teardown(test_no_tokens,
		    setup_no_tokens, teardown),
		cmocka_unit_test_setup_teardown(test_login_during_refresh,
		    setup_expired, teardown),
		cmocka_unit_test_setup_teardown(test_login_reaches_serve,
		    setup_expired, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable,
		    setup_down, teardown),
		cmocka_unit_test_setup_teardown(test_cancel,
		    setup_expired, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
