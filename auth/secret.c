/* Wiping secrets before they go back to the allocator. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"

void
auth_secret_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
