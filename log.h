/*
 * Logging for the gateway and its CLI: OpenBSD log.c in shape.
 * Everything goes to stderr (journald, or the terminal), as text or as
 * one JSON object per line. Never pass a password, token or key here.
 */
#ifndef EWSGW_LOG_H
#define EWSGW_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Sets the level and format; callable again after a config reload. */
void	log_init(enum log_level level, int json);
/* Parses "error"|"warn"|"info"|"debug"; -1 when unknown. */
int	log_level_byname(const char *name);
/* The current UTC time as 2026-11-29T16:14:43.123Z into BUF. */
void	log_timestamp(char *buf, size_t len);
/* Nonzero when a message at this level would be written. */
int	log_enabled(enum log_level level);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* A message about one request: carries its id. */
void	log_req(enum log_level, const char *reqid, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* One access line per request; NULL strings are written as "-". */
struct log_access {
	const char	*reqid;
	const char	*client;	/* peer address */
	const char	*user;		/* gateway user name, or NULL */
	const char	*mode;
	const char	*operation;	/* first element of the SOAP Body */
	int		 status;	/* sent to the client */
	int		 upstream_status; /* 0 when there was none */
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
	double		 duration_s;
	const char	*error;		/* short reason when ewsgw failed it */
};
void	log_access(const struct log_access *);

#endif
