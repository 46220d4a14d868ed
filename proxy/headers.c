/*
 * Which headers cross the gateway (RFC 9110 §7.6.1 and office365.md §5.1).
 * Hop-by-hop headers never do; the rest is decided by two small tables.
 */
#include <string.h>
#include <strings.h>

#include "proxy/proxy_int.h"

static const char *const hop_headers[] = {
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding",
	"Upgrade",
};

/* Client headers ewsgw replaces or must not pass on. */
static const char *const request_drop[] = {
	"Authorization",	/* swapped for the user's Bearer token */
	"Host",			/* curl sets the upstream's */
	"Content-Length",	/* curl sets it from the body it sends */
	"Expect",		/* evhttp answered 100-continue already */
	"X-AnchorMailbox",	/* set to the mapped mailbox */
	"Via",			/* re-sent with ewsgw appended */
	"Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
	"X-Forwarded-Proto",
};

/* Upstream headers that would mislead the legacy client. */
static const char *const response_drop[] = {
	"WWW-Authenticate",	/* ewsgw issues its own Basic challenge */
	"Strict-Transport-Security", "Alt-Svc",
};

static int
in_table(const char *name, const char *const *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(name, table[i]) == 0)
			return 1;
	return 0;
}

/* Nonzero when the comma-separated LIST names NAME (case-insensitive). */
static int
in_list(const char *name, const char *list)
{
	size_t	 nlen = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t	 len;

		p += strspn(p, " \t,");
		len = strcspn(p, " \t,");
		if (len == nlen && strncasecmp(p, name, len) == 0)
			return 1;
		p += len;
	}
	return 0;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int
headers_is_hop(const char *name, const char *connection)
{
	if (in_table(name, hop_headers, NELEM(hop_headers)))
		return 1;
	return connection != NULL && in_list(name, connection);
}

int
headers_drop_request(const char *name, const char *connection)
{
	return headers_is_hop(name, connection) ||
	    in_table(name, request_drop, NELEM(request_drop));
}

int
headers_drop_response(const char *name, const char *connection)
{
	return headers_is_hop(name, connection) ||
	    in_table(name, response_drop, NELEM(response_drop));
}

int
headers_via_loop(const char *via)
{
	const char *p = via;

	/* Via: 1.1 ewsgw, 1.1 proxy.example (received-by pseudonyms) */
	while (p != NULL && (p = strcasestr(p, HEADERS_VIA_TOKEN)) != NULL) {
		size_t	 tl = strlen(HEADERS_VIA_TOKEN);
		int	 start = (p == via || p[-1] == ' ' || p[-1] == ',');
		int	 end = (p[tl] == '\0' || p[tl] == ' ' || p[tl] == ',' ||
		    p[tl] == '\t');

		if (start && end)
			return 1;
		p += tl;
	}
	return 0;
}
