/* auth/ app mode: assertion.c (client assertion JWT), app_scope.c and
 * allow.c (the impersonation allow-list). */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth/app_int.h"
#include "auth/serve_int.h"
#include "conf/conf.h"

struct certs {
	char	 dir[64];
	char	 cert[96], key[96], cert2[96], key2[96];
	X509	*x;
};

/* A self-signed RSA certificate and its key, as PEM files. */
static X509 *
make_cert(const char *certpath, const char *keypath)
{
	EVP_PKEY	*k = EVP_RSA_gen(2048);
	X509		*x = X509_new();
	FILE		*f;

	assert_non_null(k);
	assert_non_null(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"ewsgw-test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_non_null(f = fopen(certpath, "w"));
	PEM_write_X509(f, x);
	fclose(f);
	assert_non_null(f = fopen(keypath, "w"));
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	chmod(keypath, 0600);
	EVP_PKEY_free(k);
	return x;
}

static int
setup(void **state)
{
	struct certs	*c = calloc(1, sizeof(*c));
	X509		*x2;

	snprintf(c->dir, sizeof(c->dir), "/tmp/test_app.XXXXXX");
	if (c == NULL || mkdtemp(c->dir) == NULL)
		return -1;
	snprintf(c->cert, sizeof(c->cert), "%s/a.pem", c->dir);
	snprintf(c->key, sizeof(c->key), "%s/a.key", c->dir);
	snprintf(c->cert2, sizeof(c->cert2), "%s/b.pem", c->dir);
	snprintf(c->key2, sizeof(c->key2), "%s/b.key", c->dir);
	c->x = make_cert(c->cert, c->key);
	x2 = make_cert(c->cert2, c->key2);
	X509_free(x2);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct certs	*c = *state;
	char		 cmd[128];

	X509_free(c->x);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", c->dir);
	if (system(cmd) != 0)
		return -1;
	free(c);
	return 0;
}

/* base64url JSON segment -> object. */
static json_t *
segment(const char *s, size_t len)
{
	unsigned char	 buf[4096];
	char		 in[4096];
	size_t		 i, pad = (4 - len % 4) % 4;
	int		 n;

	assert_true(len + pad < sizeof(in));
	for (i = 0; i < len; i++)
		in[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(in + len, '=', pad);
	n = EVP_DecodeBlock(buf, (unsigned char *)in, (int)(len + pad));
	assert_true(n >= (int)pad);
	return json_loadb((char *)buf, n - pad, 0, NULL);
}

static void
test_assertion(void **state)
{
	struct certs	*c = *state;
	struct app_cert	 ac;
	unsigned char	 md[EVP_MAX_MD_SIZE], sig[512];
	unsigned int	 mdlen;
	char		 err[256], *jwt, *d1, *d2, *x5t, sig64[1024];
	json_t		*h, *cl;
	EVP_MD_CTX	*ctx;
	size_t		 i, n, pad;
	int		 siglen;
	time_t		 now = time(NULL);
	const char	*aud = "https://login.example/t/oauth2/v2.0/token";

	assert_int_equal(app_cert_load(c->cert, c->key, &ac, err,
	    sizeof(err)), 0);
	assert_non_null(jwt = app_assertion(&ac, "client-1", aud, now));
	assert_non_null(d1 = strchr(jwt, '.'));
	assert_non_null(d2 = strchr(d1 + 1, '.'));
	assert_null(strchr(d2 + 1, '.'));
	assert_null(strchr(jwt, '='));

	h = segment(jwt, d1 - jwt);
	cl = segment(d1 + 1, d2 - d1 - 1);
	assert_non_null(h);
	assert_non_null(cl);
	assert_string_equal(json_string_value(json_object_get(h, "alg")),
	    "RS256");
	assert_string_equal(json_string_value(json_object_get(h, "typ")),
	    "JWT");
	X509_digest(c->x, EVP_sha1(), md, &mdlen);
	x5t = app_b64url(md, mdlen);
	assert_string_equal(json_string_value(json_object_get(h, "x5t")), x5t);
	free(x5t);
	X509_digest(c->x, EVP_sha256(), md, &mdlen);
	x5t = app_b64url(md, mdlen);
	assert_string_equal(json_string_value(json_object_get(h, "x5t#S256")),
	    x5t);
	free(x5t);
	assert_string_equal(json_string_value(json_object_get(cl, "aud")), aud);
	assert_string_equal(json_string_value(json_object_get(cl, "iss")),
	    "client-1");
	assert_string_equal(json_string_value(json_object_get(cl, "sub")),
	    "client-1");
	assert_int_equal(strlen(json_string_value(json_object_get(cl, "jti"))),
	    36);
	assert_int_equal(json_integer_value(json_object_get(cl, "nbf")), now);
	assert_int_equal(json_integer_value(json_object_get(cl, "iat")), now);
	assert_int_equal(json_integer_value(json_object_get(cl, "exp")),
	    now + 300);
	json_decref(h);
	json_decref(cl);

	/* The signature verifies with the certificate's public key. */
	n = strlen(d2 + 1);
	pad = (4 - n % 4) % 4;
	for (i = 0; i < n; i++)
		sig64[i] = d2[1 + i] == '-' ? '+' : d2[1 + i] == '_' ? '/' :
		    d2[1 + i];
	memset(sig64 + n, '=', pad);
	siglen = EVP_DecodeBlock(sig, (unsigned char *)sig64, (int)(n + pad));
	assert_int_equal(siglen - (int)pad, 256);
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    X509_get0_pubkey(c->x)), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, siglen - pad,
	    (unsigned char *)jwt, d2 - jwt), 1);
	/* A changed claim does not. */
	jwt[(d1 - jwt) + 3] ^= 1;
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    X509_get0_pubkey(c->x)), 1);
	assert_int_not_equal(EVP_DigestVerify(ctx, sig, siglen - pad,
	    (unsigned char *)jwt, d2 - jwt), 1);
	EVP_MD_CTX_free(ctx);
	free(jwt);

	/* Two assertions never share a jti. */
	d1 = app_assertion(&ac, "client-1", aud, now);
	d2 = app_assertion(&ac, "client-1", aud, now);
	assert_string_not_equal(d1, d2);
	free(d1);
	free(d2);
	app_cert_clear(&ac);
}

static void
test_cert_refusals(void **state)
{
	struct certs	*c = *state;
	struct app_cert	 ac;
	char		 err[256];

	assert_int_equal(app_cert_load(c->cert, c->key2, &ac, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "does not belong to"));
	assert_null(ac.ac_key);
	assert_int_equal(app_cert_load(c->key, c->key, &ac, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PEM certificate"));
	chmod(c->cert, 0600);
	assert_int_equal(app_cert_load(c->cert, c->cert, &ac, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "RSA private key"));
	chmod(c->cert, 0644);
	chmod(c->key, 0644);
	assert_int_equal(app_cert_load(c->cert, c->key, &ac, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "others may read"));
	chmod(c->key, 0600);
}

static void
test_scope(void **state)
{
	static const struct {
		const char	*ews_url, *scope, *want;
	} cases[] = {
		{ "https://outlook.office365.com/EWS/Exchange.asmx", NULL,
		    "https://outlook.office365.com/.default" },
		{ "https://outlook.office365.us/EWS/Exchange.asmx", NULL,
		    "https://outlook.office365.us/.default" },
		{ "https://OUTLOOK-DOD.office365.us/EWS/Exchange.asmx", NULL,
		    "https://outlook-dod.office365.us/.default" },
		{ "https://partner.outlook.cn/EWS/Exchange.asmx", NULL,
		    "https://partner.outlook.cn/.default" },
		{ "http://127.0.0.1:8000/EWS/Exchange.asmx",
		    "https://outlook.office365.com/EWS.AccessAsUser.All "
		    "offline_access", "https://outlook.office365.com/.default" },
		{ "http://127.0.0.1:8000/EWS/Exchange.asmx",
		    "offline_access https://partner.outlook.cn/EWS.AccessAsUser.All",
		    "https://partner.outlook.cn/.default" },
		{ "https://evil.example/outlook.office365.us/EWS", "openid",
		    "https://outlook.office365.com/.default" },
	};
	struct conf	 conf;
	char		*s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&conf, 0, sizeof(conf));
		conf.ews_url = (char *)(uintptr_t)cases[i].ews_url;
		conf.scope = (char *)(uintptr_t)cases[i].scope;
		assert_non_null(s = app_scope(&conf));
		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void
test_allow(void **state)
{
	static const struct {
		const char	*list, *addr;
		int		 want;
	} cases[] = {
		{ NULL, "alice@contoso.example", 1 },	/* own mailbox */
		{ NULL, "ALICE@Contoso.Example", 1 },
		{ NULL, "bob@contoso.example", 0 },
		{ "bob@contoso.example", "Bob@CONTOSO.example", 1 },
		{ "bob@contoso.example", "bob@contoso.example.evil.com", 0 },
		{ "bob@contoso.example", "xbob@contoso.example", 0 },
		{ "a@x.example,bob@contoso.example", "bob@contoso.example", 1 },
		{ "*@rooms.example", "room1@ROOMS.example", 1 },
		{ "*@rooms.example", "room1@rooms.example.evil.com", 0 },
		{ "*@rooms.example", "room1@evilrooms.example", 0 },
		{ "*@rooms.example", "room1@sub.rooms.example", 0 },
		{ "*@rooms.example", "@rooms.example", 0 },
		{ "*@rooms.example", "a@b@rooms.example", 0 },
		{ "*@rooms.example", "a b@rooms.example", 0 },
		{ "*@rooms.example", "rooms.example", 0 },
		{ "*@rooms.example", "S-1-5-21-1-2-3-1001", 0 },
		{ "*@rooms.example", "", 0 },
	};
	struct auth_user	 u;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&u, 0, sizeof(u));
		u.u_mailbox = (char *)(uintptr_t)"alice@contoso.example";
		u.u_impersonate = (char *)(uintptr_t)cases[i].list;
		print_message("%s %s\n", cases[i].list ? cases[i].list : "-",
		    cases[i].addr);
		assert_int_equal(auth_user_may_reach(&u, cases[i].addr),
		    cases[i].want);
		assert_ptr_equal(auth_user_impersonate(&u), cases[i].list);
	}
	memset(&u, 0, sizeof(u));
	u.u_mailbox = (char *)(uintptr_t)"alice@contoso.example";
	assert_int_equal(auth_user_may_reach(&u, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assertion),
		cmocka_unit_test(test_cert_refusals),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_allow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
