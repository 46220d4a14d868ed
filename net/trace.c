/*
 * curl's debug stream at log level debug: info text and header lines,
 * credentials redacted, body bytes never.
 */
#include <string.h>
#include <strings.h>

#include "log.h"
#include "net/net_int.h"

#define NET_TRACE_LINE_MAX	512

static const struct {
	curl_infotype	 type;
	const char	*mark;
} net_trace_kinds[] = {
	{ CURLINFO_TEXT,	"*" },
	{ CURLINFO_HEADER_IN,	"<" },
	{ CURLINFO_HEADER_OUT,	">" },
};

/*
 * Anywhere in a line, not only at its start: curl's own info text
 * echoes HTTP/2 request headers as "h2h3 [authorization: ...]".
 */
static const char *const net_trace_secret[] = {
	"authorization",	/* also Proxy-Authorization */
	"cookie",		/* also Set-Cookie */
};

/* Where a secret value starts in LINE (after its name), or LEN. */
static size_t
net_trace_cut(const char *line, size_t len)
{
	size_t	 i, j, n;

	for (i = 0; i < len; i++)
		for (j = 0; j < sizeof(net_trace_secret) /
		    sizeof(net_trace_secret[0]); j++) {
			n = strlen(net_trace_secret[j]);
			if (len - i >= n && strncasecmp(line + i,
			    net_trace_secret[j], n) == 0)
				return i + n;
		}
	return len;
}

static void
net_trace_line(struct fetch *f, const char *mark, const char *line,
    size_t len)
{
	size_t	 cut;

	if (len > NET_TRACE_LINE_MAX)
		len = NET_TRACE_LINE_MAX;
	cut = net_trace_cut(line, len);
	if (cut < len)
		log_debug("fetch %lu %s %.*s: [redacted]", f->f_id, mark,
		    (int)cut, line);
	else
		log_debug("fetch %lu %s %.*s", f->f_id, mark, (int)len, line);
}

int
net_trace_cb(CURL *easy, curl_infotype type, char *data, size_t size,
    void *clientp)
{
	const char	*mark = NULL, *p, *end, *nl;
	size_t		 i, len;

	for (i = 0; i < sizeof(net_trace_kinds) / sizeof(net_trace_kinds[0]);
	    i++)
		if (net_trace_kinds[i].type == type)
			mark = net_trace_kinds[i].mark;
	if (mark == NULL || !log_enabled(LOG_LEVEL_DEBUG))
		return 0;
	for (p = data, end = data + size; p < end; p = nl) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		len = nl - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0)
			net_trace_line(clientp, mark, p, len);
		if (nl < end)
			nl++;
	}
	return 0;
}
