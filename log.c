/* Text or JSON log lines on stderr; see log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include <jansson.h>

#include "log.h"

static enum log_level	log_level = LOG_LEVEL_INFO;
static int		log_json;

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void
log_init(enum log_level level, int json)
{
	log_level = level;
	log_json = json;
}

int
log_level_byname(const char *name)
{
	for (size_t i = 0; i < sizeof(log_level_names) /
	    sizeof(log_level_names[0]); i++)
		if (strcmp(name, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
}

void
log_timestamp(char *buf, size_t len)
{
	struct timeval	 tv;
	struct tm	 tm;
	size_t		 n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

/* Writes one line: the message, with the request id when there is one. */
static void
log_emit(enum log_level level, const char *reqid, const char *msg)
{
	char	 stamp[32];

	log_timestamp(stamp, sizeof(stamp));
	if (log_json) {
		json_t	*o = json_pack("{s:s,s:s,s:s}", "time", stamp,
		    "level", log_level_names[level], "msg", msg);
		char	*s;

		if (o != NULL && reqid != NULL)
			json_object_set_new(o, "request_id",
			    json_string(reqid));
		s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		if (s != NULL)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(o);
	} else if (reqid != NULL)
		fprintf(stderr, "%s %s [%s] %s\n", stamp,
		    log_level_names[level], reqid, msg);
	else
		fprintf(stderr, "%s %s %s\n", stamp, log_level_names[level],
		    msg);
	fflush(stderr);
}

static void
log_vmsg(enum log_level level, const char *reqid, int with_errno,
    const char *fmt, va_list ap)
{
	char	 msg[2048];
	int	 saved = errno;
	int	 n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	log_emit(level, reqid, msg);
	errno = saved;
}

#define LOG_WRAP(name, level, with_errno)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
	va_start(ap, fmt);					\
	log_vmsg(level, NULL, with_errno, fmt, ap);		\
	va_end(ap);						\
}
LOG_WRAP(log_warn, LOG_LEVEL_WARN, 1)
LOG_WRAP(log_warnx, LOG_LEVEL_WARN, 0)
LOG_WRAP(log_info, LOG_LEVEL_INFO, 0)
LOG_WRAP(log_debug, LOG_LEVEL_DEBUG, 0)

void
log_req(enum log_level level, const char *reqid, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(level, reqid, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, NULL, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

static const char *
dash(const char *s)
{
	return (s != NULL && *s != '\0') ? s : "-";
}

void
log_access(const struct log_access *a)
{
	char	 stamp[32];

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	log_timestamp(stamp, sizeof(stamp));
	if (log_json) {
		json_t	*o;
		char	*s;

		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:I,s:I,"
		    "s:f}", "time", stamp, "level", "info",
		    "request_id", dash(a->reqid), "client", dash(a->client),
		    "user", dash(a->user), "mode", dash(a->mode),
		    "operation", dash(a->operation), "status", a->status,
		    "upstream_status", a->upstream_status,
		    "bytes_in", (json_int_t)a->bytes_in,
		    "bytes_out", (json_int_t)a->bytes_out,
		    "duration", a->duration_s);
		if (o != NULL && a->error != NULL)
			json_object_set_new(o, "error", json_string(a->error));
		s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		if (s != NULL)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(stderr, "%s access %s client=%s user=%s mode=%s "
		    "op=%s status=%d upstream=%d in=%llu out=%llu "
		    "time=%.3f%s%s%s\n", stamp, dash(a->reqid),
		    dash(a->client), dash(a->user), dash(a->mode),
		    dash(a->operation), a->status, a->upstream_status,
		    (unsigned long long)a->bytes_in,
		    (unsigned long long)a->bytes_out, a->duration_s,
		    a->error ? " error=\"" : "", a->error ? a->error : "",
		    a->error ? "\"" : "");
	}
	fflush(stderr);
}
