/*
 * fake365 client credentials (grant_type=client_credentials, app-only):
 * the registered app proves itself with the secret given by
 * --client-secret FILE, or with a client assertion (RS256 JWT) signed by
 * the key of the certificate given by --client-cert FILE, checked as
 * Entra does: thumbprint (x5t or x5t#S256), signature, aud = the token
 * URL, iss = sub = client id, jti, nbf/exp. The token it issues is
 * app-only: roles ["full_access_as_app"], no scp, no upn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "log.h"
#include "tests/fake365/fake365.h"

#define CLIENT_ASSERTION_TYPE \
	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define CLIENT_APP_OID	"cccccccc-0000-4000-8000-0000000000a1"
#define CLIENT_SECRET_MAX	4096

static char	*client_secret;		/* --client-secret */
static EVP_PKEY	*client_pub;		/* --client-cert's public key */
static char	*client_x5t;		/* b64url SHA-1 of its DER */
static char	*client_x5t256;		/* b64url SHA-256 of its DER */

int
client_secret_load(const char *path)
{
	FILE	*f;
	char	 buf[CLIENT_SECRET_MAX];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]) != NULL)
		n--;
	buf[n] = '\0';
	if (n == 0 || (client_secret = strdup(buf)) == NULL)
		return -1;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

static char *
client_thumb(X509 *cert, const EVP_MD *md)
{
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 n;

	if (X509_digest(cert, md, d, &n) != 1)
		return NULL;
	return b64url_encode(d, n);
}

int
client_cert_load(const char *path)
{
	FILE	*f;
	X509	*cert;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (cert == NULL)
		return -1;
	client_pub = X509_get_pubkey(cert);
	client_x5t = client_thumb(cert, EVP_sha1());
	client_x5t256 = client_thumb(cert, EVP_sha256());
	X509_free(cert);
	return client_pub != NULL && client_x5t != NULL &&
	    client_x5t256 != NULL ? 0 : -1;
}

int
client_confidential(void)
{
	return client_secret != NULL || client_pub != NULL;
}

void
client_free(void)
{
	if (client_secret != NULL) {
		OPENSSL_cleanse(client_secret, strlen(client_secret));
		free(client_secret);
	}
	EVP_PKEY_free(client_pub);
	free(client_x5t);
	free(client_x5t256);
}

/* JSON of one base64url JWT segment (new), or NULL. */
static json_t *
client_segment(const char *s, size_t len)
{
	unsigned char	*raw;
	size_t		 n;
	json_t		*j;

	if ((raw = b64url_decode(s, len, &n)) == NULL)
		return NULL;
	j = json_loadb((const char *)raw, n, 0, NULL);
	free(raw);
	return json_is_object(j) ? j : (json_decref(j), NULL);
}

static int
client_signature_ok(const char *jwt, size_t signed_len, const char *sig64)
{
	unsigned char	*sig;
	size_t		 siglen;
	EVP_MD_CTX	*ctx;
	int		 ok = 0;

	if ((sig = b64url_decode(sig64, strlen(sig64), &siglen)) == NULL)
		return 0;
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, client_pub) ==
	    1 && EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)jwt,
	    signed_len) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	return ok;
}

/* Checks the assertion; 0, or answers FX with Entra's error. */
static int
client_assertion_check(struct fx *fx, const char *jwt)
{
	const char	*dot1, *dot2, *alg, *x5t, *x5t256, *iss, *sub, *aud;
	json_t		*hdr = NULL, *cl = NULL;
	json_int_t	 now = time(NULL), nbf, exp;
	char		 want[256];
	int		 ret = -1;

	if ((dot1 = strchr(jwt, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    (hdr = client_segment(jwt, dot1 - jwt)) == NULL ||
	    (cl = client_segment(dot1 + 1, dot2 - dot1 - 1)) == NULL) {
		aad_error(fx, 401, "invalid_client", 50027, "JWT token is "
		    "invalid or malformed.");
		goto done;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	x5t = json_string_value(json_object_get(hdr, "x5t"));
	x5t256 = json_string_value(json_object_get(hdr, "x5t#S256"));
	if (client_pub == NULL || !((x5t != NULL && strcmp(x5t,
	    client_x5t) == 0) || (x5t256 != NULL && strcmp(x5t256,
	    client_x5t256) == 0))) {
		aad_error(fx, 401, "invalid_client", 700027, "Client assertion "
		    "failed signature validation. [Reason - The key was not "
		    "found.] Thumbprint of key used by client: '%.64s'.",
		    x5t ? x5t : x5t256 ? x5t256 : "");
		goto done;
	}
	if (alg == NULL || strcmp(alg, "RS256") != 0 ||
	    !client_signature_ok(jwt, dot2 - jwt, dot2 + 1)) {
		aad_error(fx, 401, "invalid_client", 700027, "Client assertion "
		    "failed signature validation.");
		goto done;
	}
	iss = json_string_value(json_object_get(cl, "iss"));
	sub = json_string_value(json_object_get(cl, "sub"));
	if (iss == NULL || sub == NULL || strcmp(iss, sub) != 0 ||
	    strcmp(iss, fake.client_id) != 0) {
		aad_error(fx, 401, "invalid_client", 50048, "Subject "
		    "mismatches Issuer claim in the client assertion.");
		goto done;
	}
	snprintf(want, sizeof(want), "%s/%s/oauth2/v2.0/token", fake.base_url,
	    fake.tenant);
	aud = json_string_value(json_object_get(cl, "aud"));
	nbf = json_integer_value(json_object_get(cl, "nbf"));
	exp = json_integer_value(json_object_get(cl, "exp"));
	if (aud == NULL || strcmp(aud, want) != 0) {
		aad_error(fx, 401, "invalid_client", 50012, "The audience "
		    "claim value of the client assertion is invalid: expected "
		    "'%s'.", want);
		goto done;
	}
	if (!json_is_string(json_object_get(cl, "jti")) ||
	    json_string_length(json_object_get(cl, "jti")) == 0 ||
	    !json_is_integer(json_object_get(cl, "exp")) || exp <= now ||
	    (json_is_integer(json_object_get(cl, "nbf")) && nbf > now + 300) ||
	    exp > now + 86400) {
		aad_error(fx, 401, "invalid_client", 50012, "The client "
		    "assertion has no jti, is expired, or is not yet valid.");
		goto done;
	}
	ret = 0;
done:
	json_decref(hdr);
	json_decref(cl);
	return ret;
}

/* Authenticates the app: 0, or answers FX. *ACR: "1" secret, "2" cert. */
static int
client_authenticate(struct fx *fx, struct evkeyvalq *q, const char **acr)
{
	const char	*secret = evhttp_find_header(q, "client_secret");
	const char	*assertion = evhttp_find_header(q, "client_assertion");
	const char	*type = evhttp_find_header(q, "client_assertion_type");

	if (assertion != NULL) {
		if (type == NULL || strcmp(type, CLIENT_ASSERTION_TYPE) != 0) {
			aad_error(fx, 400, "invalid_request", 50027, "Invalid "
			    "client_assertion_type.");
			return -1;
		}
		*acr = "2";
		return client_assertion_check(fx, assertion);
	}
	if (secret != NULL) {
		*acr = "1";
		if (client_secret != NULL && strlen(secret) ==
		    strlen(client_secret) && CRYPTO_memcmp(secret,
		    client_secret, strlen(secret)) == 0)
			return 0;
		aad_error(fx, 401, "invalid_client", 7000215, "Invalid client "
		    "secret provided. Ensure the secret being sent in the "
		    "request is the client secret value, not the client "
		    "secret ID, for a secret added to app '%s'.",
		    fake.client_id);
		return -1;
	}
	aad_error(fx, 401, "invalid_client", 7000218, "The request body must "
	    "contain the following parameter: 'client_assertion' or "
	    "'client_secret'.");
	return -1;
}

void
client_grant(struct fx *fx, struct evkeyvalq *q)
{
	struct scope	 sc;
	const char	*scope, *error, *text, *acr = "1";
	json_t		*claims = NULL, *j;
	char		*at = NULL, uti[23];
	time_t		 now = time(NULL);
	int		 aadsts;
	size_t		 n;

	if (client_authenticate(fx, q, &acr) == -1 ||
	    (scope = identity_param(fx, q, "scope")) == NULL)
		return;
	n = strlen(scope);
	if (n < 9 || strcmp(scope + n - 9, "/.default") != 0 ||
	    strchr(scope, ' ') != NULL) {
		aad_error(fx, 400, "invalid_scope", 1002012, "The provided "
		    "value for scope %.128s is not valid. Client credential "
		    "flows must have a scope value with /.default suffixed to "
		    "the resource identifier (application ID URI).", scope);
		return;
	}
	if (scope_parse(scope, &sc, &error, &aadsts, &text) == -1) {
		aad_error(fx, 400, error, aadsts, "%s", text);
		return;
	}
	rand_b64url(uti, 22);
	claims = json_pack("{s:s, s:s++, s:I, s:I, s:I, s:s, s:s, s:s,"
	    " s:s, s:s, s:[s], s:s, s:s, s:s, s:s}",
	    "aud", sc.aud, "iss", "https://sts.windows.net/", fake.tenant, "/",
	    "iat", (json_int_t)now, "nbf", (json_int_t)now,
	    "exp", (json_int_t)(now + fake.token_lifetime),
	    "app_displayname", "ewsgw", "appid", fake.client_id,
	    "appidacr", acr, "idp", "https://sts.windows.net/",
	    "oid", CLIENT_APP_OID, "roles", "full_access_as_app",
	    "sub", CLIENT_APP_OID, "tid", fake.tenant, "uti", uti,
	    "ver", "1.0");
	if (claims == NULL || (at = jwt_sign(claims)) == NULL ||
	    (j = json_pack("{s:s, s:I, s:I, s:s}", "token_type", "Bearer",
	    "expires_in", (json_int_t)fake.token_lifetime, "ext_expires_in",
	    (json_int_t)fake.token_lifetime, "access_token", at)) == NULL) {
		aad_error(fx, 500, "server_error", 90033, "A transient error "
		    "has occurred. Please try again.");
		goto done;
	}
	reqlog_issued(at);
	json_object_set_new(fx->fx_log, "app", json_true());
	json_object_set_new(fx->fx_log, "client_auth",
	    json_string(*acr == '2' ? "certificate" : "secret"));
	fx_reply_json(fx, 200, j);
done:
	json_decref(claims);
	free(at);
}

int
client_user(struct evkeyvalq *q)
{
	return -1;	/* app-only: no user */
}
