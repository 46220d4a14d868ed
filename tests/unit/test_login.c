/*
 * `ewsgw login --browser` without a network: PKCE (RFC 7636), what a
 * pasted or received redirect carries, and which redirect URIs get a
 * loopback listener.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/login_int.h"

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"

/* RFC 7636 Appendix B. */
static void
test_pkce_challenge(void **state)
{
	char	 c[PKCE_CHALLENGE_CHARS + 1];

	assert_int_equal(pkce_challenge(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c), 0);
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_pkce_random(void **state)
{
	char	 a[PKCE_VERIFIER_CHARS + 1], b[PKCE_VERIFIER_CHARS + 1];
	char	 small[10];

	assert_int_equal(pkce_random(a, sizeof(a), 48), 0);
	assert_int_equal(pkce_random(b, sizeof(b), 48), 0);
	assert_int_equal(strlen(a), PKCE_VERIFIER_CHARS);
	assert_int_equal(strspn(a, B64URL), PKCE_VERIFIER_CHARS);
	assert_string_not_equal(a, b);
	assert_int_equal(pkce_random(a, sizeof(a), 16), 0);
	assert_int_equal(strlen(a), PKCE_STATE_CHARS);
	/* never past the buffer, never more than RFC 7636's 128 chars */
	assert_int_equal(pkce_random(small, sizeof(small), 16), -1);
	assert_int_equal(pkce_random(a, sizeof(a), 97), -1);
}

/* One input and what must come out of it. */
static const struct redirect_case {
	const char	*input;
	int		 rc;
	const char	*code, *state, *error, *desc;
	int		 bare;
} redirect_cases[] = {
	{ "https://login.microsoftonline.com/common/oauth2/nativeclient"
	  "?code=0.AXEA-abc_d&state=s%2B1&session_state=x\n",
	  0, "0.AXEA-abc_d", "s+1", NULL, NULL, 0 },
	{ "  http://localhost:5000/?state=S&code=C#frag  ",
	  0, "C", "S", NULL, NULL, 0 },
	{ "https://app.example/cb#code=F&state=T", 0, "F", "T", NULL, NULL,
	  0 },
	{ "code=Q&state=R", 0, "Q", "R", NULL, NULL, 0 },
	{ "0.AXEA-just_the-code.x~y", 0, "0.AXEA-just_the-code.x~y", NULL,
	  NULL, NULL, 1 },
	{ "https://x/cb?error=access_denied&error_description=AADSTS65004"
	  "%3a+User+declined+to+consent.%0d%0aTrace+ID%3a+1&state=S",
	  0, NULL, "S", "access_denied",
	  "AADSTS65004: User declined to consent.\r\nTrace ID: 1", 0 },
	{ "https://x/cb?state=S", -1, NULL, NULL, NULL, NULL, 0 },
	{ "https://x/cb?code=&state=S", -1, NULL, NULL, NULL, NULL, 0 },
	{ "two words", -1, NULL, NULL, NULL, NULL, 0 },
	{ "https://x/cb", -1, NULL, NULL, NULL, NULL, 0 },
	{ "   \n", -1, NULL, NULL, NULL, NULL, 0 },
	{ "", -1, NULL, NULL, NULL, NULL, 0 },
};

static void
check_opt(const char *what, const char *got, const char *want)
{
	if (want == NULL && got != NULL)
		fail_msg("%s: got '%s', want none", what, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s: got '%s', want '%s'", what, got ? got : "(none)",
		    want);
}

static void
test_redirect_parse(void **state)
{
	struct login_redirect	 r;

	for (size_t i = 0; i < sizeof(redirect_cases) /
	    sizeof(redirect_cases[0]); i++) {
		const struct redirect_case *c = &redirect_cases[i];

		assert_int_equal(login_redirect_parse(c->input, &r), c->rc);
		check_opt("code", r.code, c->code);
		check_opt("state", r.state, c->state);
		check_opt("error", r.error, c->error);
		check_opt("error_description", r.error_description, c->desc);
		assert_int_equal(r.bare, c->bare);
		login_redirect_clear(&r);
		assert_null(r.code);
	}
}

static void
test_loopback(void **state)
{
	char	 host[64], path[256];
	int	 port = -1;

	assert_int_equal(login_loopback("http://localhost", host,
	    sizeof(host), &port, path, sizeof(path)), 1);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 0);
	assert_string_equal(path, "/");
	assert_int_equal(login_loopback("http://127.0.0.1:8400/auth/cb",
	    host, sizeof(host), &port, path, sizeof(path)), 1);
	assert_int_equal(port, 8400);
	assert_string_equal(path, "/auth/cb");
	assert_int_equal(login_loopback("HTTP://LocalHost:9/", host,
	    sizeof(host), &port, path, sizeof(path)), 1);
	assert_int_equal(port, 9);
	/* not loopback listeners: https, other hosts, the native client */
	assert_int_equal(login_loopback("https://localhost:8400/", host,
	    sizeof(host), &port, path, sizeof(path)), 0);
	assert_int_equal(login_loopback("http://localhost.evil.example/",
	    host, sizeof(host), &port, path, sizeof(path)), 0);
	assert_int_equal(login_loopback("https://login.microsoftonline.com/"
	    "common/oauth2/nativeclient", host, sizeof(host), &port, path,
	    sizeof(path)), 0);
	assert_int_equal(login_loopback("not a uri", host, sizeof(host),
	    &port, path, sizeof(path)), 0);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_pkce_challenge),
		cmocka_unit_test(test_pkce_random),
		cmocka_unit_test(test_redirect_parse),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
