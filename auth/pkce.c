/*
 * PKCE (RFC 7636) for the authorization-code flow: a code verifier and
 * the random state from OpenSSL's CSPRNG, the S256 challenge.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/login_int.h"

#define PKCE_MAX_BYTES	96	/* 128 characters: RFC 7636's maximum */

/* LEN bytes at IN as base64url without padding into OUT. 0 / -1. */
static int
pkce_b64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	char	 b64[(PKCE_MAX_BYTES + 2) / 3 * 4 + 1];
	size_t	 n;

	if (len > PKCE_MAX_BYTES)
		return -1;
	n = (size_t)EVP_EncodeBlock((unsigned char *)b64, in, (int)len);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	if (n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out[n] = '\0';
	OPENSSL_cleanse(b64, sizeof(b64));
	return 0;
}

int
pkce_random(char *out, size_t outlen, size_t len)
{
	unsigned char	 buf[PKCE_MAX_BYTES];
	int		 ret = -1;

	if (len > sizeof(buf) || RAND_bytes(buf, (int)len) != 1)
		return -1;
	ret = pkce_b64url(buf, len, out, outlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

int
pkce_challenge(const char *verifier, char out[PKCE_CHALLENGE_CHARS + 1])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != 32)
		return -1;
	return pkce_b64url(md, mdlen, out, PKCE_CHALLENGE_CHARS + 1);
}
