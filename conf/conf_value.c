/* The value types of configuration keys: parse, check, store. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

#define FIELD(c, k, off, type)	((type *)(void *)((char *)(c) + (k)->off))

struct conf_type_ops {
	int		(*set)(struct conf *, const struct conf_key *,
			    const char *, char *, size_t);
	int		(*check)(const char *);	/* text types: 1 when valid */
	int		 owns;	/* the field at off is a char * we free */
	const char	*expect;
	/* Numbers: parse, print a limit, name one, the field's width. */
	int		(*parse)(const char *, uint64_t *);
	void		(*fmt)(char *, size_t, uint64_t);
	const char	*noun;
	size_t		 width;
};

static int	conf_set_text(struct conf *, const struct conf_key *,
		    const char *, char *, size_t);
static int	conf_set_hostport(struct conf *, const struct conf_key *,
		    const char *, char *, size_t);
static int	conf_set_number(struct conf *, const struct conf_key *,
		    const char *, char *, size_t);
static int	conf_set_enum(struct conf *, const struct conf_key *,
		    const char *, char *, size_t);
static int	conf_check_any(const char *);
static int	conf_check_url(const char *);
static int	conf_check_guid(const char *);
static int	conf_check_tenant(const char *);
static int	conf_parse_ms(const char *, uint64_t *);
static void	conf_fmt_size(char *, size_t, uint64_t);
static void	conf_fmt_duration(char *, size_t, uint64_t);
static int	conf_parse_count(const char *, uint64_t *);
static void	conf_fmt_count(char *, size_t, uint64_t);

static const struct conf_type_ops conf_types[] = {
	[CONF_STRING] = { conf_set_text, conf_check_any, 1, "a value" },
	[CONF_PATH] = { conf_set_text, conf_check_any, 1, "a path" },
	[CONF_HOSTPORT] = { conf_set_hostport, NULL, 1,
	    "host:port, like 127.0.0.1:8080 or [::1]:8080" },
	[CONF_SIZE] = { conf_set_number, NULL, 0, "a size like 32M",
	    conf_parse_size, conf_fmt_size, "a size", sizeof(uint64_t) },
	[CONF_DURATION] = { conf_set_number, NULL, 0,
	    "a duration like 10s, 500ms or 35m", conf_parse_ms,
	    conf_fmt_duration, "a duration", sizeof(unsigned) },
	[CONF_COUNT] = { conf_set_number, NULL, 0, "a whole number like 27",
	    conf_parse_count, conf_fmt_count, "a number", sizeof(unsigned) },
	[CONF_ENUM] = { conf_set_enum, NULL, 0, NULL },
	[CONF_URL] = { conf_set_text, conf_check_url, 1,
	    "an http:// or https:// URL with a host" },
	[CONF_GUID] = { conf_set_text, conf_check_guid, 1,
	    "a GUID like 00000000-0000-0000-0000-000000000000" },
	[CONF_TENANT] = { conf_set_text, conf_check_tenant, 1,
	    "a GUID or a domain name like contoso.onmicrosoft.com" },
};

/* Reads the decimal digits at *SP into *N; -1 when none or too many. */
static int
conf_digits(const char **sp, uint64_t *n)
{
	const char	*s = *sp;
	uint64_t	 v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned	 d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*n = v;
	return 0;
}

/* A plain decimal number, nothing after it. */
static int
conf_parse_count(const char *s, uint64_t *out)
{
	if (conf_digits(&s, out) == -1 || *s != '\0')
		return -1;
	return 0;
}

static void
conf_fmt_count(char *buf, size_t len, uint64_t n)
{
	snprintf(buf, len, "%llu", (unsigned long long)n);
}

int
conf_parse_size(const char *s, uint64_t *out)
{
	static const char	 units[] = "kmgt";
	const char		*u;
	uint64_t		 n;
	unsigned		 shift = 0;

	if (s == NULL || conf_digits(&s, &n) == -1)
		return -1;
	if (*s != '\0' && (u = strchr(units, tolower((unsigned char)*s))) !=
	    NULL) {
		shift = 10 * (unsigned)(u - units + 1);
		s++;
		if (strcasecmp(s, "ib") == 0)
			s += 2;
	}
	if (strcasecmp(s, "b") == 0)
		s++;
	if (*s != '\0')
		return -1;
	if (shift != 0 && n > (UINT64_MAX >> shift))
		return -1;
	*out = n << shift;
	return 0;
}

static const struct {
	const char	*name;
	uint64_t	 ms;
} conf_duration_units[] = {
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
	{ "", 1000 },
};

int
conf_parse_duration(const char *s, unsigned *out_ms)
{
	uint64_t	 n;

	if (s == NULL || conf_digits(&s, &n) == -1)
		return -1;
	for (size_t i = 0; i < sizeof(conf_duration_units) /
	    sizeof(conf_duration_units[0]); i++) {
		uint64_t	 ms = conf_duration_units[i].ms;

		if (strcasecmp(s, conf_duration_units[i].name) != 0)
			continue;
		if (n > UINT_MAX / ms)
			return -1;
		*out_ms = (unsigned)(n * ms);
		return 0;
	}
	return -1;
}

/* "4G", "1K", "100": the largest unit that divides N. */
static void
conf_fmt_size(char *buf, size_t len, uint64_t n)
{
	static const char	 units[] = "KMGT";
	int			 i = 0;

	while (units[i] != '\0' && n != 0 && n % 1024 == 0) {
		n /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%" PRIu64, n);
	else
		snprintf(buf, len, "%" PRIu64 "%c", n, units[i - 1]);
}

/* "24h", "100ms": the largest unit that divides MS. */
static void
conf_fmt_duration(char *buf, size_t len, uint64_t ms)
{
	size_t	 i = 3;		/* "h" down to "ms" */

	while (i > 0 && (ms == 0 || ms % conf_duration_units[i].ms != 0))
		i--;
	snprintf(buf, len, "%" PRIu64 "%s", ms / conf_duration_units[i].ms,
	    conf_duration_units[i].name);
}

static int __attribute__((format(printf, 3, 4)))
conf_why(char *why, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int
conf_check_any(const char *s)
{
	return 1;
}

/* Host name or IPv4 address characters. */
static int
conf_host_ok(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-._", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Splits "host:port" or "[v6]:port" (LEN bytes of S) into a new *HOST,
 * without brackets, and *PORT (1-65535). With PORT_OPTIONAL the ":port"
 * may be left out (*PORT is then 0). Returns 0, or -1 (*HOST untouched).
 */
static int
conf_hostport_split(const char *s, size_t len, int port_optional,
    char **host, unsigned *port)
{
	char		 v6[INET6_ADDRSTRLEN + 1];
	struct in6_addr	 a6;
	const char	*h = s, *p = NULL, *colon;
	size_t		 hlen;
	uint64_t	 n = 0;

	if (len > 0 && s[0] == '[') {
		const char	*rb = memchr(s, ']', len);

		if (rb == NULL)
			return -1;
		h = s + 1;
		hlen = (size_t)(rb - h);
		if (hlen == 0 || hlen >= sizeof(v6))
			return -1;
		memcpy(v6, h, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, &a6) != 1)
			return -1;
		if (rb + 1 < s + len) {
			if (rb[1] != ':')
				return -1;
			p = rb + 2;
		}
	} else {
		colon = memrchr(s, ':', len);
		hlen = colon != NULL ? (size_t)(colon - s) : len;
		if (!conf_host_ok(s, hlen))
			return -1;	/* also an IPv6 address not in [] */
		if (colon != NULL)
			p = colon + 1;
	}
	if (p == NULL) {
		if (!port_optional)
			return -1;
	} else {
		const char	*q = p;

		if (conf_digits(&q, &n) == -1 || q != s + len ||
		    n < 1 || n > 65535)
			return -1;
	}
	if ((*host = strndup(h, hlen)) == NULL)
		return -1;
	*port = (unsigned)n;
	return 0;
}

static int
conf_check_url(const char *s)
{
	const char	*p;
	char		*host = NULL;
	unsigned	 port;
	size_t		 alen;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return 0;
	for (const char *q = s; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f || *q == '#')
			return 0;
	alen = strcspn(p, "/?");
	/* No user:password@ (it would end up in logs), a host, a port. */
	if (memchr(p, '@', alen) != NULL ||
	    conf_hostport_split(p, alen, 1, &host, &port) == -1)
		return 0;
	free(host);
	return 1;
}

static int
conf_check_guid(const char *s)
{
	static const char	 shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i] != '\0'; i++)
		if (shape[i] == '-' ? s[i] != '-' :
		    !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A DNS name of two labels or more: contoso.onmicrosoft.com. */
static int
conf_check_domain(const char *s)
{
	size_t	 len = strlen(s), lab;
	int	 labels = 0;

	if (len == 0 || len > 253)
		return 0;
	for (const char *p = s; ; p += lab + 1) {
		lab = strcspn(p, ".");
		if (lab == 0 || lab > 63 || p[0] == '-' || p[lab - 1] == '-')
			return 0;
		for (size_t i = 0; i < lab; i++)
			if (!isalnum((unsigned char)p[i]) && p[i] != '-')
				return 0;
		labels++;
		if (p[lab] == '\0')
			break;
	}
	return labels >= 2;
}

/* The identity platform's own tenant aliases are accepted too. */
static int
conf_check_tenant(const char *s)
{
	return conf_check_guid(s) || conf_check_domain(s) ||
	    strcasecmp(s, "organizations") == 0 ||
	    strcasecmp(s, "common") == 0 || strcasecmp(s, "consumers") == 0;
}

static int
conf_set_text(struct conf *c, const struct conf_key *k, const char *v,
    char *why, size_t whylen)
{
	const struct conf_type_ops	*t = &conf_types[k->type];
	char				*s, **field = FIELD(c, k, off, char *);
	size_t				 n;

	if (*v == '\0' && (k->flags & CONF_F_OPTIONAL)) {
		conf_value_clear(c, k);
		return 0;
	}
	if (*v == '\0' || !t->check(v))
		return conf_why(why, whylen, "expected %s", t->expect);
	if ((s = strdup(v)) == NULL)
		return conf_why(why, whylen, "%s", "out of memory");
	if (k->flags & CONF_F_BASEURL) {
		/* "https://host/" -> "https://host"; the host stops it. */
		n = strlen(s);
		while (n > 0 && s[n - 1] == '/')
			s[--n] = '\0';
	}
	free(*field);
	*field = s;
	return 0;
}

static int
conf_set_hostport(struct conf *c, const struct conf_key *k, const char *v,
    char *why, size_t whylen)
{
	char		*host = NULL, **field = FIELD(c, k, off, char *);
	unsigned	 port;

	if (conf_hostport_split(v, strlen(v), 0, &host, &port) == -1)
		return conf_why(why, whylen, "expected %s",
		    conf_types[k->type].expect);
	if (port < k->min || port > k->max) {
		free(host);
		snprintf(why, whylen, "expected a port from %" PRIu64
		    " to %" PRIu64, k->min, k->max);
		return -1;
	}
	free(*field);
	*field = host;
	*FIELD(c, k, off2, uint16_t) = (uint16_t)port;
	return 0;
}

/* conf_parse_duration with the width of conf_parse_size. */
static int
conf_parse_ms(const char *s, uint64_t *out)
{
	unsigned	 ms;

	if (conf_parse_duration(s, &ms) == -1)
		return -1;
	*out = ms;
	return 0;
}

/* A size or a duration, within the key's min and max. */
static int
conf_set_number(struct conf *c, const struct conf_key *k, const char *v,
    char *why, size_t whylen)
{
	const struct conf_type_ops	*t = &conf_types[k->type];
	char				 lo[32], hi[32];
	uint64_t			 n;

	if (t->parse(v, &n) == -1)
		return conf_why(why, whylen, "expected %s", t->expect);
	if (n < k->min || n > k->max) {
		t->fmt(lo, sizeof(lo), k->min);
		t->fmt(hi, sizeof(hi), k->max);
		return conf_why(why, whylen, "expected %s from %s to %s",
		    t->noun, lo, hi);
	}
	if (t->width == sizeof(uint64_t))
		*FIELD(c, k, off, uint64_t) = n;
	else
		*FIELD(c, k, off, unsigned) = (unsigned)n;
	return 0;
}

static int
conf_set_enum(struct conf *c, const struct conf_key *k, const char *v,
    char *why, size_t whylen)
{
	const struct conf_enum	*e;
	size_t			 n;

	for (e = k->names; e->name != NULL; e++)
		if (strcasecmp(e->name, v) == 0) {
			*FIELD(c, k, off, int) = e->value;
			return 0;
		}
	n = (size_t)snprintf(why, whylen, "expected one of");
	for (e = k->names; e->name != NULL && n < whylen; e++)
		n += (size_t)snprintf(why + n, whylen - n, "%s %s",
		    e == k->names ? "" : ",", e->name);
	return -1;
}

int
conf_value_set(struct conf *c, const struct conf_key *k, const char *value,
    char *why, size_t whylen)
{
	return conf_types[k->type].set(c, k, value, why, whylen);
}

const char *
conf_value_text(const struct conf *c, const struct conf_key *k)
{
	if (!conf_types[k->type].owns)
		return NULL;
	return *(char *const *)(const void *)((const char *)c + k->off);
}

void
conf_value_clear(struct conf *c, const struct conf_key *k)
{
	char	**field;

	if (!conf_types[k->type].owns)
		return;
	field = FIELD(c, k, off, char *);
	free(*field);
	*field = NULL;
}
