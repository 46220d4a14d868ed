/*
 * auth/ropc.c: tokens from the client's password, against a token
 * endpoint played in-process. Requests sending one password share one
 * password grant; a token made with one password never answers a request
 * with another; refused passwords are answered from memory; the AADSTS
 * answers map to 401 / 403 with a reason; after 50053 nothing is sent;
 * a restart checks the password against the stored hash, not Microsoft.
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
#include <openssl/evp.h>

#include "auth/auth_int.h"
#include "tests/unit/auth_fixture.h"

#define CALLS		16
#define TIMEOUT_S	10

struct fx;
struct fx_call {
	struct fx		*fx;
	int			 i;	/* results[i] is its answer */
};

struct fx {
	struct auth_fixture	 af;
	struct fx_call		 calls[CALLS];
	struct evhttp		*http;
	int			 port;
	int			 grants;	/* grant_type=password seen */
	int			 refreshes;
	long			 aadsts;	/* answer to a right password */

	int			 answers;
	int			 expect;
	int			 results[CALLS];
	char			 bearer[CALLS][64];
	char			 reason[512];
};

static void
idp_error(struct evhttp_request *req, long aadsts)
{
	char	 json[256];

	snprintf(json, sizeof(json), "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"AADSTS%ld: refused.\\r\\nTrace ID: x\","
	    "\"error_codes\":[%ld]}", aadsts, aadsts);
	auth_fixture_reply_json(req, 400, json);
}

/* The right password is "pw-good"; anything else is 50126. */
static void
idp_cb(struct evhttp_request *req, void *arg)
{
	struct fx		*fx = arg;
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq	 q;
	char			 form[1024], json[256];
	const char		*grant, *pw;
	size_t			 len = evbuffer_get_length(in);

	assert_true(len < sizeof(form));
	evbuffer_copyout(in, form, len);
	form[len] = '\0';
	memset(&q, 0, sizeof(q));
	assert_int_equal(evhttp_parse_query_str(form, &q), 0);
	grant = evhttp_find_header(&q, "grant_type");
	assert_non_null(grant);
	if (strcmp(grant, "refresh_token") == 0)
		fx->refreshes++;
	else {
		assert_string_equal(grant, "password");
		assert_string_equal(evhttp_find_header(&q, "username"),
		    "x@contoso.example");
		fx->grants++;
		pw = evhttp_find_header(&q, "password");
		if (pw == NULL || strcmp(pw, "pw-good") != 0) {
			idp_error(req, 50126);
			goto done;
		}
		if (fx->aadsts != 0) {
			idp_error(req, fx->aadsts);
			goto done;
		}
	}
	snprintf(json, sizeof(json), "{\"token_type\":\"Bearer\","
	    "\"expires_in\":3600,\"access_token\":\"at-%d\","
	    "\"refresh_token\":\"rt-%d\"}", fx->grants + fx->refreshes,
	    fx->grants + fx->refreshes);
	auth_fixture_reply_json(req, 200, json);
done:
	evhttp_clear_headers(&q);
}

static void
fx_token_cb(void *arg, enum auth_token_result result, const char *bearer,
    const char *reason)
{
	struct fx_call	*c = arg;
	struct fx	*fx = c->fx;

	assert_true(fx->answers < CALLS);
	fx->results[c->i] = result;
	snprintf(fx->bearer[c->i], sizeof(fx->bearer[0]), "%s",
	    bearer != NULL ? bearer : "");
	if (reason != NULL)
		snprintf(fx->reason, sizeof(fx->reason), "%s", reason);
	if (++fx->answers == fx->expect)
		event_base_loopexit(fx->af.af_base, NULL);
}

/* "Basic base64(NAME:PW)" into OUT. */
static void
fx_basic(const char *name, const char *pw, char *out, size_t len)
{
	char		 plain[128];
	unsigned char	 b64[256];

	snprintf(plain, sizeof(plain), "%s:%s", name, pw);
	EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)strlen(plain));
	snprintf(out, len, "Basic %s", b64);
}

/* Starts auth_token_get for the request's user, as forward.c does;
 * its answer goes to results[I]. Returns the wait. */
static struct auth_wait *
fx_request(struct fx *fx, const char *pw, int i)
{
	struct auth_user	*u = NULL;
	struct auth_wait	*w = NULL;
	char			 authz[300];

	fx_basic("bob", pw, authz, sizeof(authz));
	assert_int_equal(auth_check_basic(fx->af.af_auth, authz, &u, NULL,
	    NULL, &w), AUTH_OK);
	assert_non_null(u);
	fx->calls[i].fx = fx;
	fx->calls[i].i = i;
	assert_non_null(w = auth_token_get(fx->af.af_auth, u, NULL,
	    fx_token_cb, &fx->calls[i]));
	auth_user_unref(u);	/* the wait holds its own reference */
	return (w);
}

/* Requests with the passwords of PWS (NULL-terminated), answered. */
static void
fx_run(struct fx *fx, const char *const *pws)
{
	int	 n = 0;

	fx->answers = 0;
	fx->reason[0] = '\0';
	while (pws[n] != NULL)
		n++;
	fx->expect = n;
	for (int i = 0; i < n; i++)
		fx_request(fx, pws[i], i);
	assert_int_equal(fx->answers, 0);	/* never inside the call */
	auth_fixture_dispatch(&fx->af, TIMEOUT_S);
	assert_int_equal(fx->answers, n);
}

static void
fx_one(struct fx *fx, const char *pw, enum auth_token_result want)
{
	const char	*pws[] = { pw, NULL };

	fx_run(fx, pws);
	assert_int_equal(fx->results[0], want);
}

static int
setup(void **state)
{
	struct fx			*fx;
	struct evhttp_bound_socket	*bs;
	char				 url[64];

	assert_non_null(fx = calloc(1, sizeof(*fx)));
	auth_fixture_open(&fx->af);
	assert_non_null(fx->http = evhttp_new(fx->af.af_base));
	evhttp_set_gencb(fx->http, idp_cb, fx);
	bs = evhttp_bind_socket_with_handle(fx->http, "127.0.0.1", 0);
	assert_non_null(bs);
	fx->port = auth_fixture_port(evhttp_bound_socket_get_fd(bs));
	free(fx->af.af_conf->authority);
	free(fx->af.af_conf->tenant_id);
	free(fx->af.af_conf->client_id);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", fx->port);
	fx->af.af_conf->authority = strdup(url);
	fx->af.af_conf->tenant_id = strdup("contoso.example");
	fx->af.af_conf->client_id =
	    strdup("aaaaaaaa-0000-4000-8000-000000000001");
	auth_fixture_user(&fx->af, "bob", AUTH_MODE_ROPC, NULL, 1);
	auth_fixture_start(&fx->af);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	int		 rc;

	auth_free(fx->af.af_auth);	/* before the server it talks to */
	fx->af.af_auth = NULL;
	evhttp_free(fx->http);
	rc = auth_fixture_close(&fx->af);
	free(fx);
	return (rc);
}

/* One grant per password; nobody gets a token made with another one. */
static void
test_shared_grant(void **state)
{
	struct fx		*fx = *state;
	const char *const	 pws[] = { "pw-good", "pw-bad", "pw-good",
	    "pw-bad", "pw-good", "pw-other", "pw-good", NULL };

	fx_run(fx, pws);
	assert_int_equal(fx->grants, 3);
	for (int i = 0; pws[i] != NULL; i++) {
		if (strcmp(pws[i], "pw-good") == 0) {
			assert_int_equal(fx->results[i], AUTH_TOKEN_OK);
			assert_string_equal(fx->bearer[i], fx->bearer[0]);
		} else {
			assert_int_equal(fx->results[i],
			    AUTH_TOKEN_BAD_PASSWORD);
			assert_string_equal(fx->bearer[i], "");
		}
	}
	/* From memory now: no grant for either password. */
	fx_run(fx, pws);
	assert_int_equal(fx->grants, 3);
	assert_int_equal(fx->results[1], AUTH_TOKEN_BAD_PASSWORD);
	assert_int_equal(fx->results[6], AUTH_TOKEN_OK);
	assert_non_null(strstr(fx->reason, "AADSTS50126"));
}

/* The grant's refusals: 403 with what to do, remembered. */
static void
test_refusals(void **state)
{
	static const struct {
		long		 aadsts;
		const char	*says;
	} cases[] = {
		{ 50076, "switch the user to delegated mode and run 'ewsgw "
		    "login bob'" },
		{ 53003, "Conditional Access" },
		{ 65001, "grant consent" },
		{ 50057, "disabled" },
		{ 50055, "expired" },
		{ 50034, "--mailbox" },
		{ 700016, "AADSTS700016" },	/* not in the table */
	};
	struct fx	*fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx->aadsts = cases[i].aadsts;
		/* Each case needs a password not yet remembered, and the
		 * directory takes only pw-good: clear the memory. */
		auth_free(fx->af.af_auth);
		auth_fixture_start(&fx->af);
		fx_one(fx, "pw-good", AUTH_TOKEN_REFUSED);
		if (strstr(fx->reason, cases[i].says) == NULL)
			fail_msg("%ld: %s", cases[i].aadsts, fx->reason);
		assert_null(strstr(fx->reason, "pw-good"));
		fx_one(fx, "pw-good", AUTH_TOKEN_REFUSED);	/* memory */
		assert_int_equal(fx->grants, (int)(i + 1));
	}
}

/* After 50053 no password is sent, right or wrong. */
static void
test_locked(void **state)
{
	struct fx	*fx = *state;

	fx->aadsts = 50053;
	fx_one(fx, "pw-good", AUTH_TOKEN_REFUSED);
	assert_non_null(strstr(fx->reason, "AADSTS50053"));
	fx_one(fx, "pw-bad", AUTH_TOKEN_REFUSED);
	fx_one(fx, "pw-other", AUTH_TOKEN_REFUSED);
	assert_int_equal(fx->grants, 1);
}

/* A restart: the stored check accepts the right password without a
 * grant and sends a wrong one to the identity platform. */
static void
test_restart(void **state)
{
	struct fx		*fx = *state;
	const char *const	 together[] = { "pw-good", "pw-good",
	    "pw-other", "pw-good", "pw-other", "pw-good", NULL };

	fx_one(fx, "pw-good", AUTH_TOKEN_OK);
	assert_int_equal(fx->grants, 1);
	/* The hash is computed on the pool: let it land in the store. */
	for (int i = 0; i < 50; i++) {
		char	*check = NULL, err[256];
		int64_t	 gen;
		struct store_user u;

		memset(&u, 0, sizeof(u));
		assert_int_equal(store_user_get(fx->af.af_store, "bob", &u,
		    err, sizeof(err)), 0);
		gen = u.token_generation;
		assert_int_equal(store_password_check_load(fx->af.af_store,
		    u.id, gen, &check, err, sizeof(err)), 0);
		store_user_clear(&u);
		if (check != NULL) {
			assert_non_null(strstr(check, "pbkdf2-sha256$"));
			free(check);
			break;
		}
		assert_true(i < 49);
		auth_fixture_run(&fx->af, 100);
	}
	auth_free(fx->af.af_auth);
	auth_fixture_start(&fx->af);
	fx_one(fx, "pw-bad", AUTH_TOKEN_BAD_PASSWORD);
	assert_int_equal(fx->grants, 2);
	fx_one(fx, "pw-good", AUTH_TOKEN_OK);
	assert_string_equal(fx->bearer[0], "at-1");	/* the stored one */
	assert_int_equal(fx->grants, 2);
	assert_int_equal(fx->refreshes, 0);

	/* Again, with requests arriving together: the good ones share one
	 * check and use the stored token; the other password is checked,
	 * then sent once. */
	auth_free(fx->af.af_auth);
	auth_fixture_start(&fx->af);
	fx_run(fx, together);
	for (int i = 0; together[i] != NULL; i++)
		assert_int_equal(fx->results[i], strcmp(together[i],
		    "pw-good") == 0 ? AUTH_TOKEN_OK : AUTH_TOKEN_BAD_PASSWORD);
	assert_string_equal(fx->bearer[5], "at-1");
	assert_int_equal(fx->grants, 3);
	assert_int_equal(fx->refreshes, 0);
}

/* Starts a request with PW and cancels it at once, as a client that
 * leaves does; runs the loop for MS. */
static void
fx_leave(struct fx *fx, const char *pw, int ms)
{
	/* The grant or check is on its way. */
	auth_wait_cancel(fx_request(fx, pw, 0));
	fx->answers = 0;
	auth_fixture_run(&fx->af, ms);
	assert_int_equal(fx->answers, 0);
}

/* Clients that leave while their password is checked or sent: the
 * grant's tokens are kept, a failed check sends nothing. */
static void
test_client_leaves(void **state)
{
	struct fx	*fx = *state;

	fx_leave(fx, "pw-good", 300);
	assert_int_equal(fx->grants, 1);
	fx_one(fx, "pw-good", AUTH_TOKEN_OK);
	assert_int_equal(fx->grants, 1);	/* its tokens were kept */
	/* Nobody was left to hash the password for: a restart sends it
	 * again, once, and stores the check this time. */
	auth_free(fx->af.af_auth);
	auth_fixture_start(&fx->af);
	fx_one(fx, "pw-good", AUTH_TOKEN_OK);
	assert_int_equal(fx->grants, 2);
	auth_fixture_run(&fx->af, 1500);	/* the check is stored */
	auth_free(fx->af.af_auth);
	auth_fixture_start(&fx->af);
	fx_leave(fx, "pw-other", 1500);		/* PBKDF2: no match */
	assert_int_equal(fx->grants, 2);
	fx_one(fx, "pw-good", AUTH_TOKEN_OK);
	assert_int_equal(fx->grants, 2);
}

/* Without its password a ropc user gets no token (e.g. 'ewsgw check'). */
static void
test_no_password(void **state)
{
	struct fx		*fx = *state;
	struct auth_user	*u;

	assert_non_null(u = auth_user_byname(fx->af.af_auth, "bob"));
	fx->answers = 0;
	fx->expect = 1;
	fx->calls[0].fx = fx;
	assert_non_null(auth_token_get(fx->af.af_auth, u, NULL, fx_token_cb,
	    &fx->calls[0]));
	auth_user_unref(u);
	auth_fixture_dispatch(&fx->af, TIMEOUT_S);
	assert_int_equal(fx->results[0], AUTH_TOKEN_FAILED);
	assert_int_equal(fx->grants, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared_grant, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_client_leaves, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_password, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
