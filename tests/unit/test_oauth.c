/*
 * The identity-platform client: token answers and their classification
 * (office365.md §1.9-1.11), url-encoded forms, ID token claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "auth/auth_int.h"
#include "conf/conf.h"

#define SECRET_AT	"eyJ0eXAiOiJKV1Qi.SECRET-ACCESS.sig"
#define SECRET_RT	"1.AXEA-SECRET-REFRESH"

/* One answer to classify and what must come out of it. */
struct oauth_case {
	const char		*name;
	long			 status;
	const char		*body;
	enum oauth_outcome	 outcome;
	const char		*error;		/* NULL: not checked */
	long			 aadsts;
	const char		*message;	/* NULL: not checked */
};

static const struct oauth_case oauth_cases[] = {
	{ "pending", 400,
	  "{\"error\":\"authorization_pending\",\"error_description\":"
	  "\"AADSTS70016: OAuth 2.0 device flow error. Authorization is "
	  "pending. Continue polling.\\r\\nTrace ID: 0b3c\\r\\nCorrelation "
	  "ID: 7f21\\r\\nTimestamp: 2026-08-20 09:14:03Z\","
	  "\"error_codes\":[70016],\"timestamp\":\"2026-08-20 09:14:03Z\","
	  "\"trace_id\":\"0b3c\",\"correlation_id\":\"7f21\"}",
	  OAUTH_PENDING, "authorization_pending", 70016,
	  "AADSTS70016: OAuth 2.0 device flow error. Authorization is "
	  "pending. Continue polling." },
	{ "pending, empty error_codes", 400,
	  "{\"error\":\"authorization_pending\",\"error_description\":"
	  "\"Authorization is pending.\",\"error_codes\":[]}",
	  OAUTH_PENDING, "authorization_pending", 0,
	  "Authorization is pending." },
	{ "slow_down, no description", 400,
	  "{\"error\":\"slow_down\"}",
	  OAUTH_SLOW_DOWN, "slow_down", 0, "slow_down" },
	{ "declined", 400,
	  "{\"error\":\"authorization_declined\",\"error_description\":"
	  "\"AADSTS70000: The user declined.\\nTrace ID: x\","
	  "\"error_codes\":[70000]}",
	  OAUTH_DECLINED, "authorization_declined", 70000,
	  "AADSTS70000: The user declined." },
	{ "access_denied (consent declined)", 400,
	  "{\"error\":\"access_denied\",\"error_description\":"
	  "\"AADSTS65004: User declined to consent.\","
	  "\"error_codes\":[65004]}",
	  OAUTH_DECLINED, "access_denied", 65004, NULL },
	{ "access_denied by Conditional Access is no user's no", 400,
	  "{\"error\":\"access_denied\",\"error_description\":"
	  "\"AADSTS53003: Access has been blocked by Conditional Access "
	  "policies.\",\"error_codes\":[53003]}",
	  OAUTH_FAILED, "access_denied", 53003, NULL },
	{ "expired", 400,
	  "{\"error\":\"expired_token\",\"error_description\":"
	  "\"AADSTS70019: Verification code expired.\","
	  "\"error_codes\":[70019]}",
	  OAUTH_EXPIRED, "expired_token", 70019, NULL },
	{ "invalid_grant, refresh token revoked", 400,
	  "{\"error\":\"invalid_grant\",\"error_description\":"
	  "\"AADSTS50173: The provided grant has expired due to it being "
	  "revoked.\\r\\nTrace ID: 1\\r\\nCorrelation ID: 2\\r\\n"
	  "Timestamp: 3\",\"error_codes\":[50173,50000]}",
	  OAUTH_INVALID_GRANT, "invalid_grant", 50173,
	  "AADSTS50173: The provided grant has expired due to it being "
	  "revoked." },
	{ "interaction_required (MFA after a policy change)", 400,
	  "{\"error\":\"interaction_required\",\"error_description\":"
	  "\"AADSTS50076: Due to a configuration change made by your "
	  "administrator, you must use multi-factor authentication.\","
	  "\"error_codes\":[50076],\"suberror\":\"basic_action\","
	  "\"claims\":\"{\\\"access_token\\\":{\\\"capolids\\\":{}}}\"}",
	  OAUTH_INVALID_GRANT, "interaction_required", 50076, NULL },
	{ "consent_required", 400,
	  "{\"error\":\"consent_required\",\"error_description\":"
	  "\"AADSTS65001: The user or administrator has not consented.\","
	  "\"error_codes\":[65001]}",
	  OAUTH_INVALID_GRANT, "consent_required", 65001, NULL },
	{ "temporarily_unavailable", 400,
	  "{\"error\":\"temporarily_unavailable\",\"error_description\":"
	  "\"AADSTS50196: The server terminated an operation because it "
	  "encountered a client request loop.\",\"error_codes\":[50196]}",
	  OAUTH_TRANSIENT, "temporarily_unavailable", 50196, NULL },
	{ "server_error", 500,
	  "{\"error\":\"server_error\",\"error_description\":"
	  "\"AADSTS90033: A transient error has occurred.\","
	  "\"error_codes\":[90033]}",
	  OAUTH_TRANSIENT, "server_error", 90033, NULL },
	{ "unknown error on a 503", 503,
	  "{\"error\":\"overloaded\"}",
	  OAUTH_TRANSIENT, "overloaded", 0, NULL },
	{ "invalid_client, public flows off (HTTP 401)", 401,
	  "{\"error\":\"invalid_client\",\"error_description\":"
	  "\"AADSTS7000218: The request body must contain the following "
	  "parameter: 'client_assertion' or 'client_secret'.\","
	  "\"error_codes\":[7000218]}",
	  OAUTH_FAILED, "invalid_client", 7000218,
	  "AADSTS7000218: The request body must contain the following "
	  "parameter: 'client_assertion' or 'client_secret'." },
	{ "bad_verification_code", 400,
	  "{\"error\":\"bad_verification_code\",\"error_codes\":[70018]}",
	  OAUTH_FAILED, "bad_verification_code", 70018,
	  "AADSTS70018: bad_verification_code" },
	{ "description without its AADSTS prefix", 400,
	  "{\"error\":\"invalid_scope\",\"error_description\":"
	  "\"The provided value for scope is not valid.\","
	  "\"error_codes\":[70011]}",
	  OAUTH_FAILED, "invalid_scope", 70011,
	  "AADSTS70011: The provided value for scope is not valid." },
	{ "not JSON", 200, "this is not json",
	  OAUTH_TRANSIENT, "", 0, NULL },
	{ "HTML 502 from a load balancer", 502,
	  "<html><head><title>502 Bad Gateway</title></head><body>"
	  "<center><h1>502 Bad Gateway</h1></center></body></html>",
	  OAUTH_TRANSIENT, "", 0, NULL },
	{ "empty body", 504, "",
	  OAUTH_TRANSIENT, "", 0, NULL },
	{ "JSON array", 200, "[1,2]",
	  OAUTH_TRANSIENT, "", 0, NULL },
	{ "JSON without error on a 404", 404, "{\"x\":1}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "JSON without error on a 503", 503, "{}",
	  OAUTH_TRANSIENT, "", 0, NULL },
	{ "missing access_token", 200,
	  "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	  "\"refresh_token\":\"" SECRET_RT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "empty access_token", 200,
	  "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	  "\"access_token\":\"\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "token_type other than Bearer", 200,
	  "{\"token_type\":\"pop\",\"expires_in\":3599,"
	  "\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "no token_type", 200,
	  "{\"expires_in\":3599,\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "no expires_in", 200,
	  "{\"token_type\":\"Bearer\",\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "expires_in not a number", 200,
	  "{\"token_type\":\"Bearer\",\"expires_in\":\"12x\","
	  "\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "expires_in zero", 200,
	  "{\"token_type\":\"Bearer\",\"expires_in\":0,"
	  "\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_FAILED, "", 0, NULL },
	{ "error wins over a token", 200,
	  "{\"error\":\"invalid_grant\",\"token_type\":\"Bearer\","
	  "\"expires_in\":1,\"access_token\":\"" SECRET_AT "\"}",
	  OAUTH_INVALID_GRANT, "invalid_grant", 0, "invalid_grant" },
};

static void
test_classify(void **state)
{
	struct oauth_tokens	 t;
	struct oauth_error	 e;

	for (size_t i = 0; i < sizeof(oauth_cases) / sizeof(oauth_cases[0]);
	    i++) {
		const struct oauth_case	*c = &oauth_cases[i];
		enum oauth_outcome	 got;

		print_message("case: %s\n", c->name);
		got = oauth_parse_response(c->status, c->body,
		    strlen(c->body), &t, &e);
		assert_int_equal(got, c->outcome);
		if (c->error != NULL)
			assert_string_equal(e.error, c->error);
		assert_int_equal(e.aadsts, c->aadsts);
		if (c->message != NULL)
			assert_string_equal(e.message, c->message);
		/* one line an admin can read, never a secret */
		assert_true(e.message[0] != '\0');
		assert_null(strpbrk(e.message, "\r\n"));
		assert_null(strstr(e.message, "SECRET"));
		assert_null(strstr(e.message, "Trace ID"));
		assert_null(strstr(e.error, "SECRET"));
		assert_null(t.access_token);
		assert_null(t.refresh_token);
	}
}

static void
test_success_delegated(void **state)
{
	static const char	 body[] =
	    "{\"token_type\":\"Bearer\","
	    "\"scope\":\"https://outlook.office365.com/EWS.AccessAsUser.All\","
	    "\"expires_in\":4432,\"ext_expires_in\":4432,"
	    "\"access_token\":\"" SECRET_AT "\","
	    "\"refresh_token\":\"" SECRET_RT "\","
	    "\"id_token\":\"eyJ0eXAiOiJKV1Qi.e30.x\"}";
	struct oauth_tokens	 t;
	struct oauth_error	 e;
	time_t			 now = time(NULL);

	assert_int_equal(oauth_parse_response(200, body, strlen(body), &t,
	    &e), OAUTH_OK);
	assert_string_equal(t.access_token, SECRET_AT);
	assert_string_equal(t.refresh_token, SECRET_RT);
	assert_string_equal(t.scope,
	    "https://outlook.office365.com/EWS.AccessAsUser.All");
	assert_string_equal(t.id_token, "eyJ0eXAiOiJKV1Qi.e30.x");
	assert_int_equal(t.expires_in, 4432);
	assert_in_range(t.expires_at, now + 4432, now + 4432 + 2);
	assert_string_equal(e.message, "");
	oauth_tokens_clear(&t);
	assert_null(t.access_token);
	assert_null(t.refresh_token);
	assert_null(t.scope);
	assert_null(t.id_token);
	oauth_tokens_clear(NULL);
}

static void
test_success_string_expires_in(void **state)
{
	static const char	 body[] =
	    "{\"token_type\":\"Bearer\",\"expires_in\":\"3599\","
	    "\"access_token\":\"" SECRET_AT "\"}";
	struct oauth_tokens	 t;
	struct oauth_error	 e;

	assert_int_equal(oauth_parse_response(200, body, strlen(body), &t,
	    &e), OAUTH_OK);
	assert_int_equal(t.expires_in, 3599);
	/* client credentials: no refresh token, no scope */
	assert_null(t.refresh_token);
	assert_null(t.scope);
	assert_null(t.id_token);
	oauth_tokens_clear(&t);
}

static void
test_success_lower_case_bearer(void **state)
{
	static const char	 body[] =
	    "{\"token_type\":\"bearer\",\"expires_in\":3599,"
	    "\"access_token\":\"" SECRET_AT "\","
	    "\"refresh_token\":\"" SECRET_RT "\"}";
	struct oauth_tokens	 t;
	struct oauth_error	 e;

	assert_int_equal(oauth_parse_response(200, body, strlen(body), &t,
	    &e), OAUTH_OK);
	assert_string_equal(t.refresh_token, SECRET_RT);
	oauth_tokens_clear(&t);
}

static void
test_long_description(void **state)
{
	char			 body[2048];
	struct oauth_tokens	 t;
	struct oauth_error	 e;
	int			 n;

	n = snprintf(body, sizeof(body), "{\"error\":\"invalid_request\","
	    "\"error_description\":\"AADSTS90002: %0900d\","
	    "\"error_codes\":[90002]}", 7);
	assert_int_equal(oauth_parse_response(400, body, (size_t)n, &t, &e),
	    OAUTH_FAILED);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
	assert_memory_equal(e.message, "AADSTS90002: 000", 16);
}

static void
test_form_escapes(void **state)
{
	const struct auth_form_field	 f[] = {
		{ "a b", "x+y&z=w v" },
		{ "skipped", NULL },
		{ "u", "caf\xc3\xa9 \xe2\x82\xac" },
		{ "keep", "AZaz09-._~" },
		{ "scope", "https://outlook.office365.com/EWS.AccessAsUser.All "
		  "offline_access" },
	};
	char				*s;

	s = auth_form(f, sizeof(f) / sizeof(f[0]));
	assert_non_null(s);
	assert_string_equal(s, "a%20b=x%2By%26z%3Dw%20v"
	    "&u=caf%C3%A9%20%E2%82%AC&keep=AZaz09-._~"
	    "&scope=https%3A%2F%2Foutlook.office365.com%2F"
	    "EWS.AccessAsUser.All%20offline_access");
	auth_secret_free(s);

	s = auth_form(f, 0);
	assert_string_equal(s, "");
	auth_secret_free(s);
}

static void
test_refresh_form(void **state)
{
	struct conf	 conf;
	char		*s;

	memset(&conf, 0, sizeof(conf));
	conf.client_id = "aaaaaaaa-0000-4000-8000-000000000001";
	conf.scope = "https://outlook.office365.com/EWS.AccessAsUser.All "
	    "offline_access";
	s = oauth_refresh_form(&conf, "1.AXEA+/=&x");
	assert_string_equal(s, "client_id=aaaaaaaa-0000-4000-8000-"
	    "000000000001&grant_type=refresh_token"
	    "&refresh_token=1.AXEA%2B%2F%3D%26x"
	    "&scope=https%3A%2F%2Foutlook.office365.com%2F"
	    "EWS.AccessAsUser.All%20offline_access");
	auth_secret_free(s);

	conf.client_id = NULL;
	assert_null(oauth_refresh_form(&conf, "rt"));
}

/* base64url of {"preferred_username":"Alice@Contoso.example","name":
 * "Al?ce>>"} : the name makes '-' and '_' appear in the encoding. */
#define JWT_PAYLOAD	"eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJBbGljZUBDb250b3NvLmV4" \
			"YW1wbGUiLCJuYW1lIjoiQWw_Y2U-PiJ9"

static void
test_jwt_claim(void **state)
{
	const char *const	 pu[] = { "preferred_username", "upn", NULL };
	const char *const	 upn[] = { "upn", "name", NULL };
	const char *const	 none[] = { "oid", NULL };
	char			*s;

	s = jwt_claim("eyJhbGciOiJub25lIn0." JWT_PAYLOAD ".sig", pu);
	assert_string_equal(s, "Alice@Contoso.example");
	free(s);
	/* the first one present wins */
	s = jwt_claim("h." JWT_PAYLOAD "==.", upn);
	assert_string_equal(s, "Al?ce>>");
	free(s);
	assert_null(jwt_claim("h." JWT_PAYLOAD ".s", none));
	assert_null(jwt_claim(NULL, pu));
	assert_null(jwt_claim("no-dots", pu));
	assert_null(jwt_claim("h.!!!!.s", pu));
	assert_null(jwt_claim("h.a.s", pu));		/* 1 mod 4 */
	assert_null(jwt_claim("h.W10.s", pu));		/* [] */
	assert_null(jwt_claim("h..s", pu));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_success_delegated),
		cmocka_unit_test(test_success_string_expires_in),
		cmocka_unit_test(test_success_lower_case_bearer),
		cmocka_unit_test(test_long_description),
		cmocka_unit_test(test_form_escapes),
		cmocka_unit_test(test_refresh_form),
		cmocka_unit_test(test_jwt_claim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
