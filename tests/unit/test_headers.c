/* Which headers cross the gateway, and Via loop detection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proxy/proxy_int.h"

static void
test_hop_by_hop(void **state)
{
	const char *hop[] = { "Connection", "keep-alive", "TE", "Trailer",
	    "transfer-encoding", "Upgrade", "Proxy-Authorization",
	    "Proxy-Authenticate", "Proxy-Connection" };

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
		assert_true(headers_is_hop(hop[i], NULL));
		assert_true(headers_drop_request(hop[i], NULL));
		assert_true(headers_drop_response(hop[i], NULL));
	}
	assert_false(headers_is_hop("Content-Type", NULL));
	assert_false(headers_is_hop("SOAPAction", NULL));
}

static void
test_connection_lists(void **state)
{
	assert_true(headers_is_hop("X-Secret", "keep-alive, X-Secret"));
	assert_true(headers_is_hop("x-secret", "X-SECRET"));
	assert_true(headers_is_hop("X-B", "X-A,X-B ,\tX-C"));
	assert_false(headers_is_hop("X-Secre", "X-Secret"));
	assert_false(headers_is_hop("X-Secret-2", "X-Secret"));
	assert_false(headers_is_hop("X-Other", ""));
}

static void
test_request_side(void **state)
{
	const char *drop[] = { "Authorization", "authorization", "Host",
	    "Content-Length", "Expect", "X-AnchorMailbox", "Via",
	    "X-Forwarded-For" };
	const char *keep[] = { "Content-Type", "SOAPAction", "User-Agent",
	    "Accept", "Accept-Encoding", "Cookie", "client-request-id",
	    "return-client-request-id", "X-PreferServerAffinity",
	    "X-PublicFolderMailbox", "Accept-Language" };

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		assert_true(headers_drop_request(drop[i], NULL));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		assert_false(headers_drop_request(keep[i], NULL));
}

static void
test_response_side(void **state)
{
	const char *drop[] = { "WWW-Authenticate", "www-authenticate",
	    "Strict-Transport-Security", "Alt-Svc", "Transfer-Encoding" };
	const char *keep[] = { "Content-Type", "Content-Length",
	    "Content-Encoding", "request-id", "X-BackEndHttpStatus",
	    "Set-Cookie", "Date", "Cache-Control", "x-ms-diagnostics" };

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		assert_true(headers_drop_response(drop[i], NULL));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		assert_false(headers_drop_response(keep[i], NULL));
}

static void
test_via_loop(void **state)
{
	assert_true(headers_via_loop("1.1 ewsgw"));
	assert_true(headers_via_loop("1.0 fred, 1.1 ewsgw"));
	assert_true(headers_via_loop("1.1 EWSGW, 1.1 other"));
	assert_false(headers_via_loop("1.1 ewsgwx"));
	assert_false(headers_via_loop("1.1 my-ewsgw"));
	assert_false(headers_via_loop("1.1 proxy.example"));
	assert_false(headers_via_loop(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hop_by_hop),
		cmocka_unit_test(test_connection_lists),
		cmocka_unit_test(test_request_side),
		cmocka_unit_test(test_response_side),
		cmocka_unit_test(test_via_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
