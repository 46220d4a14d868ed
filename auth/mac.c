/*
 * The keyed hash under which the serving side remembers passwords (the
 * Basic cache in basic.c, ropc's good and refused passwords in ropc.c):
 * HMAC-SHA256 under the per-process random key, so nothing remembered
 * outlives the process or helps an offline guesser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/serve_int.h"

int
auth_mac(const struct auth *a, const char *tag, int64_t id, const char *s1,
    const char *s2, unsigned char *mac)
{
	unsigned char	*msg;
	size_t		 tlen = strlen(tag) + 1, l1 = strlen(s1) + 1;
	size_t		 l2 = strlen(s2), len, i;
	unsigned int	 maclen = AUTH_MAC_BYTES;
	int		 ret = -1;

	len = tlen + 8 + l1 + l2;
	if ((msg = malloc(len)) == NULL)
		return (-1);
	memcpy(msg, tag, tlen);
	for (i = 0; i < 8; i++)
		msg[tlen + i] = (uint64_t)id >> (56 - 8 * i);
	memcpy(msg + tlen + 8, s1, l1);
	memcpy(msg + tlen + 8 + l1, s2, l2);
	if (HMAC(EVP_sha256(), a->a_mac_key, sizeof(a->a_mac_key), msg, len,
	    mac, &maclen) != NULL && maclen == AUTH_MAC_BYTES)
		ret = 0;
	OPENSSL_cleanse(msg, len);
	free(msg);
	return (ret);
}
