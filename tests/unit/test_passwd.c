/* auth/passwd.c: PBKDF2-HMAC-SHA256 password hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"

/* "pw" hashed with 600000 iterations and salt "0123456789abcdef",
 * computed independently (Python hashlib.pbkdf2_hmac). */
#define KNOWN	"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==$" \
		"Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0="

static void
test_roundtrip(void **state)
{
	char	*h;

	h = passwd_hash("correct horse battery staple");
	assert_non_null(h);
	assert_int_equal(strncmp(h, "pbkdf2-sha256$600000$", 21), 0);
	assert_null(strstr(h, "correct horse"));
	assert_int_equal(passwd_verify("correct horse battery staple", h), 1);
	assert_int_equal(passwd_verify("correct horse battery stapl", h), 0);
	assert_int_equal(passwd_verify("", h), 0);
	auth_secret_free(h);
}

static void
test_known_vector(void **state)
{
	assert_int_equal(passwd_verify("pw", KNOWN), 1);
	assert_int_equal(passwd_verify("pW", KNOWN), 0);
}

static void
test_salts_differ(void **state)
{
	char	*a, *b;

	a = passwd_hash("same");
	b = passwd_hash("same");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	assert_int_equal(passwd_verify("same", a), 1);
	assert_int_equal(passwd_verify("same", b), 1);
	auth_secret_free(a);
	auth_secret_free(b);
}

static void
test_iterations_parsed(void **state)
{
	char	 buf[256];

	/* The count comes from the string: the same salt and hash under
	 * another count no longer match, and too few are refused. */
	snprintf(buf, sizeof(buf), "%s", KNOWN);
	memcpy(buf + strlen("pbkdf2-sha256$"), "600001", 6);
	assert_int_equal(passwd_verify("pw", buf), 0);
	snprintf(buf, sizeof(buf), "pbkdf2-sha256$1000$%s",
	    strchr(KNOWN + 14, '$') + 1);
	assert_int_equal(passwd_verify("pw", buf), -1);
	snprintf(buf, sizeof(buf), "pbkdf2-sha256$999999999999$%s",
	    strchr(KNOWN + 14, '$') + 1);
	assert_int_equal(passwd_verify("pw", buf), -1);
	/* A higher count (a future default) verifies with its own count. */
	assert_int_equal(passwd_verify("pw", "pbkdf2-sha256$700000$"
	    "MDEyMzQ1Njc4OWFiY2RlZg==$"
	    "NwnCrrM2AZv/nYrBHHLzpWMBfXZdmB0b29ruG1VQHRs="), 1);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"pbkdf2-sha256$",
		"pbkdf2-sha256$600000$",
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==",
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==$",
		"pbkdf2-sha1$600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$0600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$-600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$600000x$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		/* salt not base64, wrong padding, too short */
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2Rl!g==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg=$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$600000$MDEy$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		"pbkdf2-sha256$600000$MD=yMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=",
		/* hash of the wrong length, trailing garbage */
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7Q",
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0=$",
		"pbkdf2-sha256$600000$MDEyMzQ1Njc4OWFiY2RlZg==$"
		    "Tcq8Og0rH+PKcYVQGma20jx7E/qV8Y7QtPVFieEZxJ0= ",
		"plain-text-password",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(passwd_verify("pw", bad[i]), -1);
	}
	assert_int_equal(passwd_verify("pw", NULL), -1);
	assert_int_equal(passwd_verify(NULL, KNOWN), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_known_vector),
		cmocka_unit_test(test_salts_differ),
		cmocka_unit_test(test_iterations_parsed),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
