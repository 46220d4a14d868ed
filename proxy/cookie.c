/*
 * Set-Cookie toward a client that reached ewsgw over plain http
 * (office365.md §2.3): Exchange's affinity cookies carry `secure`, which
 * such a client keeps but never sends back, so X-BackEndOverrideCookie
 * would be lost. The name, value, Path, HttpOnly, Expires and Max-Age
 * stay; EWS lives under the same path on ewsgw as on Exchange.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/proxy_int.h"

/* Attributes dropped: NAME, and VALUE ("" any) when it matters. */
static const struct {
	const char	*name;
	const char	*value;
} cookie_drop[] = {
	{ "Secure", "" },	/* never sent back over http */
	{ "Domain", "" },	/* Exchange's host, not the gateway's */
	{ "SameSite", "None" },	/* only valid with Secure */
};

/* Nonzero when the attribute ATTR (LEN bytes, trimmed) is dropped. */
static int
cookie_dropped(const char *attr, size_t len)
{
	const char	*eq = memchr(attr, '=', len);
	size_t		 nlen = eq ? (size_t)(eq - attr) : len;
	const char	*v = eq ? eq + 1 : attr + len;
	size_t		 vlen = attr + len - v;

	while (nlen > 0 && (attr[nlen - 1] == ' ' || attr[nlen - 1] == '\t'))
		nlen--;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	for (size_t i = 0; i < sizeof(cookie_drop) / sizeof(cookie_drop[0]);
	    i++) {
		const char	*dv = cookie_drop[i].value;

		if (strlen(cookie_drop[i].name) != nlen ||
		    strncasecmp(attr, cookie_drop[i].name, nlen) != 0)
			continue;
		if (dv[0] == '\0' || (strlen(dv) == vlen &&
		    strncasecmp(v, dv, vlen) == 0))
			return 1;
	}
	return 0;
}

char *
cookie_plain_http(const char *value)
{
	size_t		 vlen = strlen(value), n = 0;
	const char	*p = value, *end;
	char		*out;

	if ((out = malloc(2 * vlen + 1)) == NULL)	/* "; " per ";" */
		return NULL;
	/* The first part is name=value, kept as it is. */
	end = strchr(p, ';');
	n = end ? (size_t)(end - p) : vlen;
	memcpy(out, p, n);
	while (end != NULL) {
		size_t	 len;

		p = end + 1;
		p += strspn(p, " \t");
		end = strchr(p, ';');
		len = end ? (size_t)(end - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || cookie_dropped(p, len))
			continue;
		memcpy(out + n, "; ", 2);
		memcpy(out + n + 2, p, len);
		n += len + 2;
	}
	out[n] = '\0';
	return out;
}
