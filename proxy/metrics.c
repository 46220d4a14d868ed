/*
 * Prometheus counters: requests by operation and status, a duration
 * histogram; token refreshes and users by token state come from auth.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "proxy/proxy_int.h"

/* Distinct {operation,status} pairs kept; the rest count as "other". */
#define METRICS_MAX_SERIES	512

static const double metrics_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
};
#define NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))

struct metrics_series {
	char		 operation[SOAP_OPERATION_MAX];
	int		 status;
	unsigned long	 count;
};

struct metrics {
	struct metrics_series	*series;
	size_t			 nseries;
	unsigned long		 buckets[NBUCKETS];
	unsigned long		 overflow;	/* past METRICS_MAX_SERIES */
	unsigned long		 count;
	double			 sum;
};

struct metrics *
metrics_new(void)
{
	struct metrics	*m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->series = calloc(METRICS_MAX_SERIES, sizeof(*m->series));
	if (m->series == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->series);
	free(m);
}

/* Operation names come from clients: keep only plain identifiers. */
static const char *
metrics_label(const char *operation)
{
	if (operation == NULL || *operation == '\0')
		return "-";
	for (const char *p = operation; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return "other";
	return operation;
}

void
metrics_request(struct metrics *m, const char *operation, int status,
    double seconds)
{
	const char	*op = metrics_label(operation);
	size_t		 i;

	for (i = 0; i < m->nseries; i++)
		if (m->series[i].status == status &&
		    strcmp(m->series[i].operation, op) == 0)
			break;
	if (i == m->nseries && m->nseries == METRICS_MAX_SERIES)
		m->overflow++;
	else {
		if (i == m->nseries) {
			m->nseries++;
			snprintf(m->series[i].operation,
			    sizeof(m->series[i].operation), "%s", op);
			m->series[i].status = status;
		}
		m->series[i].count++;
	}
	for (size_t b = 0; b < NBUCKETS; b++)
		if (seconds <= metrics_buckets[b])
			m->buckets[b]++;
	m->count++;
	m->sum += seconds;
}

/* Appends to a growing string; returns -1 when out of memory. */
static int
metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		char	*nb = realloc(*buf, *cap * 2 + (size_t)n);
		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
}

char *
metrics_render(struct metrics *m, struct auth *auth, size_t *lenp)
{
	size_t		 len = 0, cap = 4096;
	char		*b = malloc(cap);
	unsigned	 users[AUTH_TOKEN_ERROR + 1] = { 0 };
	unsigned long	 ok = 0, failed = 0;
	int		 rc = 0;

	if (b == NULL)
		return NULL;
	b[0] = '\0';
	rc |= metrics_printf(&b, &len, &cap,
	    "# HELP ewsgw_requests_total EWS requests by operation and "
	    "status.\n# TYPE ewsgw_requests_total counter\n");
	for (size_t i = 0; i < m->nseries; i++)
		rc |= metrics_printf(&b, &len, &cap,
		    "ewsgw_requests_total{operation=\"%s\",status=\"%d\"} "
		    "%lu\n", m->series[i].operation, m->series[i].status,
		    m->series[i].count);
	if (m->overflow != 0)
		rc |= metrics_printf(&b, &len, &cap, "ewsgw_requests_total"
		    "{operation=\"other\",status=\"other\"} %lu\n",
		    m->overflow);
	rc |= metrics_printf(&b, &len, &cap,
	    "# HELP ewsgw_request_duration_seconds Time from request to "
	    "last byte.\n# TYPE ewsgw_request_duration_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++)
		rc |= metrics_printf(&b, &len, &cap,
		    "ewsgw_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
		    metrics_buckets[i], m->buckets[i]);
	rc |= metrics_printf(&b, &len, &cap,
	    "ewsgw_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
	    "ewsgw_request_duration_seconds_sum %.6f\n"
	    "ewsgw_request_duration_seconds_count %lu\n",
	    m->count, m->sum, m->count);

	auth_refresh_counts(auth, &ok, &failed);
	rc |= metrics_printf(&b, &len, &cap,
	    "# HELP ewsgw_token_refresh_total Access token refreshes.\n"
	    "# TYPE ewsgw_token_refresh_total counter\n"
	    "ewsgw_token_refresh_total{result=\"ok\"} %lu\n"
	    "ewsgw_token_refresh_total{result=\"error\"} %lu\n", ok, failed);
	auth_users_by_token_state(auth, users, AUTH_TOKEN_ERROR + 1);
	rc |= metrics_printf(&b, &len, &cap,
	    "# HELP ewsgw_users Users by token state.\n"
	    "# TYPE ewsgw_users gauge\n");
	for (int s = AUTH_TOKEN_NONE; s <= AUTH_TOKEN_ERROR; s++)
		rc |= metrics_printf(&b, &len, &cap,
		    "ewsgw_users{token=\"%s\"} %u\n",
		    auth_token_state_name(s), users[s]);
	if (rc != 0) {
		free(b);
		return NULL;
	}
	*lenp = len;
	return b;
}
