/* fake365 random material: GUIDs, opaque tokens, device user codes. */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "tests/fake365/fake365.h"

static const char rand_b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/* 32 letters and digits, without the look-alikes 0 O 1 I. */
static const char rand_codechars[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static void
rand_fill(unsigned char *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		fatalx("RAND_bytes failed");
}

/* NCHARS characters drawn from the first MASK+1 of SET, then a NUL. */
static void
rand_chars(char *out, size_t nchars, const char *set, unsigned mask)
{
	unsigned char	 buf[64];
	size_t		 i = 0, n;

	while (i < nchars) {
		n = nchars - i < sizeof(buf) ? nchars - i : sizeof(buf);
		rand_fill(buf, n);
		for (size_t j = 0; j < n; j++)
			out[i++] = set[buf[j] & mask];
	}
	out[nchars] = '\0';
}

void
rand_guid(char out[37])
{
	unsigned char	 b[16];

	rand_fill(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void
rand_b64url(char *out, size_t nchars)
{
	rand_chars(out, nchars, rand_b64chars, 63);
}

void
rand_user_code(char *out, size_t nchars)
{
	rand_chars(out, nchars, rand_codechars, 31);
}
