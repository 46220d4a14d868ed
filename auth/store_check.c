/* Validation of user fields before they reach the database. Pure. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/store_int.h"

#define STORE_LOCAL_MAX		64
#define STORE_LABEL_MAX		63

int
store_check_name(const char *name, char *err, size_t errlen)
{
	size_t	 len;

	if (name == NULL || *name == '\0') {
		snprintf(err, errlen, "missing user name");
		return -1;
	}
	len = strlen(name);
	if (len <= STORE_NAME_MAX && strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@\\-") == len)
		return 0;
	snprintf(err, errlen, "bad user name '%.*s%s': use 1 to %d letters, "
	    "digits and . _ @ \\ -", STORE_NAME_MAX, name,
	    len > STORE_NAME_MAX ? "..." : "", STORE_NAME_MAX);
	return -1;
}

/* Atoms of the local part: printable ASCII but specials (RFC 5322). */
static int
store_local_char(int c)
{
	return c > ' ' && c < 0x7f && strchr("\"(),:;<>@[\\]", c) == NULL;
}

/* LEN bytes of DOMAIN: two or more dot-separated labels of letters, digits
 * and inner hyphens; the last one is not all digits. */
static int
store_domain_ok(const char *domain, size_t len)
{
	size_t	 i, label = 0, labels = 0, digits = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || domain[i] == '.') {
			if (label == 0 || label > STORE_LABEL_MAX ||
			    domain[i - 1] == '-')
				return 0;
			labels++;
			if (i == len)
				break;
			label = digits = 0;
			continue;
		}
		if (!isalnum((unsigned char)domain[i]) &&
		    !(domain[i] == '-' && label > 0))
			return 0;
		if (isdigit((unsigned char)domain[i]))
			digits++;
		label++;
	}
	return labels >= 2 && digits < label;
}

/* An address, or with WILDCARD also "*@domain". */
static int
store_address_ok(const char *addr, size_t len, int wildcard)
{
	const char	*at;
	size_t		 local, i;

	if (len == 0 || len > STORE_MAILBOX_MAX ||
	    (at = memchr(addr, '@', len)) == NULL)
		return 0;
	local = (size_t)(at - addr);
	if (wildcard && local == 1 && addr[0] == '*')
		return store_domain_ok(at + 1, len - local - 1);
	if (local == 0 || local > STORE_LOCAL_MAX || addr[0] == '.' ||
	    addr[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++)
		if (!store_local_char((unsigned char)addr[i]) ||
		    (addr[i] == '.' && addr[i + 1] == '.'))
			return 0;
	return store_domain_ok(at + 1, len - local - 1);
}

int
store_check_mailbox(const char *addr, char *err, size_t errlen)
{
	if (addr != NULL && store_address_ok(addr, strlen(addr), 0))
		return 0;
	snprintf(err, errlen, "bad mailbox '%.80s%s': expected an address "
	    "like alice@contoso.com", addr != NULL ? addr : "",
	    addr != NULL && strlen(addr) > 80 ? "..." : "");
	return -1;
}

int
store_check_impersonate(const char *list, char **out, char *err,
    size_t errlen)
{
	const char	*p, *end;
	char		*buf = NULL;
	size_t		 n = 0, len;

	*out = NULL;
	if (list == NULL)
		return 0;
	if ((buf = malloc(strlen(list) + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			continue;
		if (!store_address_ok(p, len, 1)) {
			snprintf(err, errlen, "bad impersonation entry "
			    "'%.*s': expected an address like "
			    "bob@contoso.com or *@contoso.com",
			    (int)(len > 80 ? 80 : len), p);
			free(buf);
			return -1;
		}
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, p, len);
		n += len;
	}
	buf[n] = '\0';
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	return 0;
}

int
store_check_values(const struct store_user *u, char *err, size_t errlen)
{
	if (u->mode != -1 && auth_mode_name(u->mode) == NULL) {
		snprintf(err, errlen, "bad mode %d", u->mode);
		return -1;
	}
	if (u->backend != AUTH_BACKEND_DEFAULT &&
	    auth_backend_name(u->backend) == NULL) {
		snprintf(err, errlen, "bad backend %d", u->backend);
		return -1;
	}
	if (u->enabled < -1 || u->enabled > 1) {
		snprintf(err, errlen, "bad enabled value %d", u->enabled);
		return -1;
	}
	return 0;
}
