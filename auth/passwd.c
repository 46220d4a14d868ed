/*
 * Local passwords: PBKDF2-HMAC-SHA256, stored as
 * "pbkdf2-sha256$ITERATIONS$<base64 salt>$<base64 hash>".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/auth.h"

#define PASSWD_PREFIX		"pbkdf2-sha256$"
#define PASSWD_ITERATIONS	600000	/* OWASP 2023 for PBKDF2-SHA256 */
#define PASSWD_MAX_ITERATIONS	20000000 /* more is a typo or an attack */
#define PASSWD_SALT_BYTES	16
#define PASSWD_MIN_SALT_BYTES	8
#define PASSWD_MAX_SALT_BYTES	64
#define PASSWD_HASH_BYTES	32
#define PASSWD_B64_MAX		((PASSWD_MAX_SALT_BYTES + 2) / 3 * 4)

static int
passwd_derive(const char *password, const unsigned char *salt,
    size_t saltlen, unsigned long iterations, unsigned char *out)
{
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    (int)saltlen, (int)iterations, EVP_sha256(), PASSWD_HASH_BYTES,
	    out) != 1)
		return -1;
	return 0;
}

char *
passwd_hash(const char *password)
{
	unsigned char	 salt[PASSWD_SALT_BYTES], hash[PASSWD_HASH_BYTES];
	unsigned char	 salt64[PASSWD_B64_MAX + 1], hash64[PASSWD_B64_MAX + 1];
	char		*out = NULL;

	if (password == NULL || RAND_bytes(salt, sizeof(salt)) != 1)
		return NULL;
	if (passwd_derive(password, salt, sizeof(salt), PASSWD_ITERATIONS,
	    hash) == -1)
		goto done;
	EVP_EncodeBlock(salt64, salt, sizeof(salt));
	EVP_EncodeBlock(hash64, hash, sizeof(hash));
	if (asprintf(&out, PASSWD_PREFIX "%d$%s$%s", PASSWD_ITERATIONS,
	    (char *)salt64, (char *)hash64) == -1)
		out = NULL;
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hash64, sizeof(hash64));
	return out;
}

/*
 * Decodes the base64 field S of length LEN (padded, no whitespace) into
 * OUT (room for MAX bytes). Returns the byte count or -1.
 */
static int
passwd_b64_decode(const char *s, size_t len, unsigned char *out, size_t max)
{
	unsigned char	 buf[PASSWD_B64_MAX];
	size_t		 pad = 0, i;
	int		 n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(buf))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '=') {
			if (i < len - 2)
				return -1;
			pad++;
		} else if (pad > 0 || !(isalnum((unsigned char)s[i]) ||
		    s[i] == '+' || s[i] == '/'))
			return -1;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > max)
		return -1;
	n -= (int)pad;	/* EVP_DecodeBlock counts padding as zero bytes */
	memcpy(out, buf, (size_t)n);
	return n;
}

int
passwd_verify(const char *password, const char *encoded)
{
	unsigned char	 salt[PASSWD_MAX_SALT_BYTES];
	unsigned char	 want[PASSWD_HASH_BYTES], got[PASSWD_HASH_BYTES];
	const char	*p, *salt64, *hash64;
	char		*end;
	unsigned long	 iterations;
	int		 saltlen, ret = -1;

	if (password == NULL || encoded == NULL ||
	    strncmp(encoded, PASSWD_PREFIX, strlen(PASSWD_PREFIX)) != 0)
		return -1;
	p = encoded + strlen(PASSWD_PREFIX);
	if (!isdigit((unsigned char)*p) || *p == '0')
		return -1;
	errno = 0;
	iterations = strtoul(p, &end, 10);
	if (errno != 0 || *end != '$' || iterations < PASSWD_ITERATIONS ||
	    iterations > PASSWD_MAX_ITERATIONS)
		return -1;
	salt64 = end + 1;
	if ((hash64 = strchr(salt64, '$')) == NULL)
		return -1;
	saltlen = passwd_b64_decode(salt64, (size_t)(hash64 - salt64), salt,
	    sizeof(salt));
	hash64++;
	if (saltlen < PASSWD_MIN_SALT_BYTES ||
	    passwd_b64_decode(hash64, strlen(hash64), want, sizeof(want)) !=
	    PASSWD_HASH_BYTES)
		goto done;
	if (passwd_derive(password, salt, (size_t)saltlen, iterations,
	    got) == -1)
		goto done;
	ret = CRYPTO_memcmp(want, got, sizeof(got)) == 0;
done:
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return ret;
}
