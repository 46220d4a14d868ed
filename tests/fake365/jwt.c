/*
 * fake365 JWTs: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) under an RSA 2048
 * key made at start-up, base64url over OpenSSL's base64, and the JWKS
 * that publishes the public half.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "log.h"
#include "tests/fake365/fake365.h"

#define JWT_MAX_BYTES	16384

static EVP_PKEY	*jwt_key;
static char	*jwt_kid;	/* base64url SHA-1 of the public key */

char *
b64url_encode(const unsigned char *in, size_t len)
{
	char	*out;
	int	 n;

	if (len > JWT_MAX_BYTES * 4 ||
	    (out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p != '\0'; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

unsigned char *
b64url_decode(const char *in, size_t len, size_t *lenp)
{
	unsigned char	*std = NULL, *out = NULL;
	size_t		 pad = (4 - len % 4) % 4;
	int		 n;

	if (len == 0 || len > JWT_MAX_BYTES || pad == 3 ||
	    strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") < len)
		return NULL;
	if ((std = malloc(len + pad + 1)) == NULL ||
	    (out = malloc((len + pad) / 4 * 3 + 1)) == NULL)
		goto fail;
	for (size_t i = 0; i < len; i++)
		std[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	memset(std + len, '=', pad);
	if ((n = EVP_DecodeBlock(out, std, (int)(len + pad))) < (int)pad)
		goto fail;
	*lenp = (size_t)n - pad;
	out[*lenp] = '\0';
	free(std);
	return out;
fail:
	free(std);
	free(out);
	return NULL;
}

int
jwt_init(void)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 len, ret = -1;

	if ((jwt_key = EVP_RSA_gen(2048)) == NULL)
		goto done;
	if ((len = i2d_PUBKEY(jwt_key, &der)) <= 0 ||
	    EVP_Digest(der, len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    (jwt_kid = b64url_encode(md, mdlen)) == NULL)
		goto done;
	ret = 0;
done:
	OPENSSL_free(der);
	return ret;
}

void
jwt_free(void)
{
	EVP_PKEY_free(jwt_key);
	free(jwt_kid);
	jwt_key = NULL;
	jwt_kid = NULL;
}

/* base64url of JSON J, compact (new). */
static char *
jwt_part(json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT);
	char	*b;

	if (s == NULL)
		return NULL;
	b = b64url_encode((unsigned char *)s, strlen(s));
	free(s);
	return b;
}

char *
jwt_sign(json_t *claims)
{
	EVP_MD_CTX	*ctx = NULL;
	json_t		*hdr = NULL;
	char		*h = NULL, *p = NULL, *input = NULL, *s = NULL;
	char		*tok = NULL;
	unsigned char	 sig[512];
	size_t		 siglen = sizeof(sig), len;

	hdr = json_pack("{s:s, s:s, s:s, s:s}", "typ", "JWT", "alg", "RS256",
	    "x5t", jwt_kid, "kid", jwt_kid);
	if (hdr == NULL || (h = jwt_part(hdr)) == NULL ||
	    (p = jwt_part(claims)) == NULL)
		goto done;
	len = strlen(h) + 1 + strlen(p);
	if ((input = malloc(len + 1)) == NULL)
		goto done;
	snprintf(input, len + 1, "%s.%s", h, p);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, jwt_key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)input,
	    len) != 1 || (s = b64url_encode(sig, siglen)) == NULL)
		goto done;
	if ((tok = malloc(len + 1 + strlen(s) + 1)) != NULL)
		snprintf(tok, len + 1 + strlen(s) + 1, "%s.%s", input, s);
done:
	EVP_MD_CTX_free(ctx);
	json_decref(hdr);
	free(h);
	free(p);
	free(input);
	free(s);
	return tok;
}

/* The JSON object in base64url part [P, P+LEN) (new), or NULL. */
static json_t *
jwt_json(const char *p, size_t len)
{
	unsigned char	*raw;
	size_t		 n;
	json_t		*j;

	if ((raw = b64url_decode(p, len, &n)) == NULL)
		return NULL;
	j = json_loadb((char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

json_t *
jwt_verify(const char *tok, const char **why)
{
	EVP_MD_CTX	*ctx = NULL;
	json_t		*hdr = NULL, *claims = NULL;
	unsigned char	*sig = NULL;
	const char	*d1, *d2, *alg, *kid;
	size_t		 siglen;

	*why = "The token is malformed.";
	if (strlen(tok) > JWT_MAX_BYTES || (d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		goto fail;
	if ((hdr = jwt_json(tok, d1 - tok)) == NULL ||
	    (claims = jwt_json(d1 + 1, d2 - d1 - 1)) == NULL ||
	    (sig = b64url_decode(d2 + 1, strlen(d2 + 1), &siglen)) == NULL)
		goto fail;
	alg = json_string_value(json_object_get(hdr, "alg"));
	kid = json_string_value(json_object_get(hdr, "kid"));
	*why = "The token is not signed with RS256.";
	if (alg == NULL || strcmp(alg, "RS256") != 0)
		goto fail;
	*why = "The signing key of the token was not found.";
	if (kid == NULL || strcmp(kid, jwt_kid) != 0)
		goto fail;
	*why = "The token signature is invalid.";
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    jwt_key) != 1 || EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)tok, d2 - tok) != 1)
		goto fail;
	*why = NULL;
	goto done;
fail:
	json_decref(claims);
	claims = NULL;
done:
	EVP_MD_CTX_free(ctx);
	json_decref(hdr);
	free(sig);
	return claims;
}

/* base64url of the big-endian bytes of RSA parameter NAME (new). */
static char *
jwt_bn(const char *name)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[512];
	char		*s = NULL;
	int		 n;

	if (EVP_PKEY_get_bn_param(jwt_key, name, &bn) == 1 &&
	    (n = BN_num_bytes(bn)) <= (int)sizeof(buf) &&
	    BN_bn2bin(bn, buf) == n)
		s = b64url_encode(buf, n);
	BN_free(bn);
	return s;
}

json_t *
jwt_jwks(void)
{
	char	*n = jwt_bn(OSSL_PKEY_PARAM_RSA_N);
	char	*e = jwt_bn(OSSL_PKEY_PARAM_RSA_E);
	json_t	*j = NULL;

	if (n != NULL && e != NULL)
		j = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s++}]}",
		    "keys", "kty", "RSA", "use", "sig", "kid", jwt_kid,
		    "x5t", jwt_kid, "n", n, "e", e, "issuer",
		    "https://login.microsoftonline.com/", fake.tenant, "/v2.0");
	free(n);
	free(e);
	return j;
}
