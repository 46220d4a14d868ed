/*
 * Certificate credentials: the client assertion JWT the identity
 * platform takes instead of a secret (RS256, x5t thumbprints), signed
 * with OpenSSL's EVP_DigestSign.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "auth/app_int.h"
#include "auth/auth_int.h"

#define APP_ASSERTION_LIFETIME_S	300

char *
app_b64url(const unsigned char *in, size_t len)
{
	char	*out;
	int	 n;

	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	return out;
}

/* Thumbprint MD of CERT's DER as base64url into OUT. 0 / -1. */
static int
app_thumb(X509 *cert, const EVP_MD *md, char *out, size_t len)
{
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen;
	char		*s;
	int		 rc = -1;

	if (X509_digest(cert, md, d, &dlen) != 1 ||
	    (s = app_b64url(d, dlen)) == NULL)
		return -1;
	if (strlen(s) < len) {
		memcpy(out, s, strlen(s) + 1);
		rc = 0;
	}
	free(s);
	return rc;
}

int
app_cert_load(const char *certpath, const char *keypath,
    struct app_cert *ac, char *err, size_t errlen)
{
	FILE		*f = NULL;
	X509		*cert = NULL;
	struct stat	 st;
	int		 ret = -1;

	memset(ac, 0, sizeof(*ac));
	if ((f = fopen(certpath, "r")) == NULL ||
	    (cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "client_cert_file %s: %s", certpath,
		    f == NULL ? "cannot open it" : "not a PEM certificate");
		goto done;
	}
	fclose(f);
	if ((f = fopen(keypath, "r")) == NULL ||
	    fstat(fileno(f), &st) == -1) {
		snprintf(err, errlen, "client_key_file %s: cannot open it",
		    keypath);
		goto done;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "client_key_file %s: others may read "
		    "it; chmod o-rw", keypath);
		goto done;
	}
	if ((ac->ac_key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_base_id(ac->ac_key) != EVP_PKEY_RSA) {
		snprintf(err, errlen, "client_key_file %s: not an unencrypted "
		    "RSA private key (PEM)", keypath);
		goto done;
	}
	if (X509_check_private_key(cert, ac->ac_key) != 1) {
		snprintf(err, errlen, "client_key_file %s does not belong to "
		    "client_cert_file %s", keypath, certpath);
		goto done;
	}
	if (app_thumb(cert, EVP_sha1(), ac->ac_x5t, sizeof(ac->ac_x5t)) ==
	    -1 || app_thumb(cert, EVP_sha256(), ac->ac_x5t256,
	    sizeof(ac->ac_x5t256)) == -1) {
		snprintf(err, errlen, "client_cert_file %s: cannot hash it",
		    certpath);
		goto done;
	}
	ret = 0;
done:
	if (f != NULL)
		fclose(f);
	X509_free(cert);
	if (ret == -1)
		app_cert_clear(ac);
	return ret;
}

void
app_cert_clear(struct app_cert *ac)
{
	EVP_PKEY_free(ac->ac_key);
	memset(ac, 0, sizeof(*ac));
}

/* base64url of the compact JSON of J; new string or NULL. */
static char *
app_b64json(json_t *j)
{
	char	*s, *out;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL)
		return NULL;
	out = app_b64url((unsigned char *)s, strlen(s));
	free(s);
	return out;
}

static void
app_guid(char out[37])
{
	unsigned char	 b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0, sizeof(b));	/* caller sees a 0 jti */
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
app_assertion(const struct app_cert *ac, const char *client_id,
    const char *aud, time_t now)
{
	json_t		*hdr = NULL, *claims = NULL;
	char		*h = NULL, *c = NULL, *tbs = NULL, *sig64 = NULL;
	char		*out = NULL, jti[37];
	unsigned char	*sig = NULL;
	size_t		 siglen = 0;
	EVP_MD_CTX	*ctx = NULL;

	app_guid(jti);
	hdr = json_pack("{s:s, s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT",
	    "x5t", ac->ac_x5t, "x5t#S256", ac->ac_x5t256);
	claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
	    "aud", aud, "iss", client_id, "sub", client_id, "jti", jti,
	    "nbf", (json_int_t)now, "iat", (json_int_t)now,
	    "exp", (json_int_t)(now + APP_ASSERTION_LIFETIME_S));
	if ((h = app_b64json(hdr)) == NULL || (c = app_b64json(claims)) ==
	    NULL || asprintf(&tbs, "%s.%s", h, c) == -1) {
		tbs = NULL;
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ac->ac_key) !=
	    1 || EVP_DigestSign(ctx, NULL, &siglen, (unsigned char *)tbs,
	    strlen(tbs)) != 1 || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)tbs,
	    strlen(tbs)) != 1 || (sig64 = app_b64url(sig, siglen)) == NULL ||
	    asprintf(&out, "%s.%s", tbs, sig64) == -1)
		out = NULL;
done:
	EVP_MD_CTX_free(ctx);
	json_decref(hdr);
	json_decref(claims);
	free(h);
	free(c);
	free(tbs);
	free(sig);
	free(sig64);
	return out;
}
