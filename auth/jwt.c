/* Reading claims from an ID token's payload (no signature check). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auth/auth_int.h"

#define JWT_MAX_BYTES	(16 * 1024)

/*
 * base64url (RFC 4648 §5, padding optional) of LEN bytes at S into a new
 * NUL-terminated buffer; *OUTLEN is the decoded length. NULL if malformed.
 */
static unsigned char *
jwt_b64url_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*in = NULL, *out = NULL;
	size_t		 padded, pad;
	int		 n;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len == 0 || len > JWT_MAX_BYTES || len % 4 == 1)
		return NULL;
	pad = (4 - len % 4) % 4;
	padded = len + pad;
	if ((in = malloc(padded + 1)) == NULL ||
	    (out = malloc(padded / 4 * 3 + 1)) == NULL)
		goto fail;
	for (size_t i = 0; i < len; i++) {
		char	 c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '+' || c == '/')
			goto fail;	/* plain base64, not base64url */
		in[i] = (unsigned char)c;
	}
	memset(in + len, '=', pad);
	in[padded] = '\0';
	/* EVP_DecodeBlock counts '=' as zero bytes and rejects junk. */
	if ((n = EVP_DecodeBlock(out, in, (int)padded)) < 0 ||
	    (size_t)n < pad)
		goto fail;
	*outlen = (size_t)n - pad;
	out[*outlen] = '\0';
	free(in);
	return out;
 fail:
	free(in);
	free(out);
	return NULL;
}

char *
jwt_claim(const char *jwt, const char *const *names)
{
	const char	*p, *q;
	unsigned char	*payload = NULL;
	json_t		*o = NULL, *v;
	char		*ret = NULL;
	size_t		 len;

	if (jwt == NULL || (p = strchr(jwt, '.')) == NULL ||
	    (q = strchr(++p, '.')) == NULL)
		return NULL;
	if ((payload = jwt_b64url_decode(p, (size_t)(q - p), &len)) == NULL)
		return NULL;
	if ((o = json_loadb((char *)payload, len, 0, NULL)) == NULL ||
	    !json_is_object(o))
		goto done;
	for (; *names != NULL; names++) {
		v = json_object_get(o, *names);
		if (json_is_string(v) && json_string_length(v) > 0) {
			ret = strdup(json_string_value(v));
			break;
		}
	}
 done:
	json_decref(o);
	free(payload);
	return ret;
}
