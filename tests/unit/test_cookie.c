/* Set-Cookie toward a plain-http client: what goes, what stays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "proxy/proxy_int.h"

static const struct {
	const char	*in;
	const char	*out;
} cases[] = {
	/* Exchange Online's affinity cookie (office365.md §2.3) */
	{ "X-BackEndOverrideCookie=AM0PR01MB1234.eurprd01.prod.outlook.com~1;"
	  " path=/; secure; HttpOnly",
	  "X-BackEndOverrideCookie=AM0PR01MB1234.eurprd01.prod.outlook.com~1;"
	  " path=/; HttpOnly" },
	{ "X-BackEndCookie=S-1-5=AbC; expires=Tue, 29-Dec-2026 10:00:00 GMT;"
	  " path=/EWS; secure",
	  "X-BackEndCookie=S-1-5=AbC; expires=Tue, 29-Dec-2026 10:00:00 GMT;"
	  " path=/EWS" },
	{ "a=b;Secure;HttpOnly;Path=/", "a=b; HttpOnly; Path=/" },
	{ "a=b; SECURE ; Domain=.outlook.office365.com; SameSite=None",
	  "a=b" },
	{ "a=b; SameSite=Lax; Max-Age=60", "a=b; SameSite=Lax; Max-Age=60" },
	{ "a=b", "a=b" },
	{ "a=secure; Secured", "a=secure; Secured" },
	{ "a=b;;; path=/ ;", "a=b; path=/" },
	{ "", "" },
};

static void
test_plain_http(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	*out = cookie_plain_http(cases[i].in);

		assert_non_null(out);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
