/*
 * The configuration file (INI, see CONTRACT.md): one table of keys read by
 * one inih handler into a fresh struct conf, validated as a whole.
 */
#ifndef EWSGW_CONF_H
#define EWSGW_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_DEFAULT_PATH	"/etc/ewsgw/ewsgw.conf"
#define CONF_ENV		"EWSGW_CONFIG"

enum conf_backend {
	CONF_BACKEND_EWS,
	CONF_BACKEND_GRAPH,
};

struct conf {
	char		*path;		/* the file this came from */

	/* [gateway] */
	char		*listen_host;	/* listen = host:port */
	uint16_t	 listen_port;
	char		*tls_cert;	/* NULL when unset */
	char		*tls_key;
	char		*state_dir;
	char		*admin_host;	/* admin_listen = host:port */
	uint16_t	 admin_port;
	uint64_t	 max_body;	/* bytes; "32M", "512K", "1G" */
	int		 log_level;	/* enum log_level */
	int		 log_json;	/* log_format = json */
	unsigned	 connect_timeout_ms;	/* connect_timeout = 10s */
	unsigned	 upstream_timeout_ms;	/* upstream_timeout = 120s */
	unsigned	 stream_timeout_ms;	/* stream_timeout = 35m */
	unsigned	 client_timeout_ms;	/* client_timeout = 60s */
	unsigned	 max_per_mailbox;	/* max_concurrent_per_mailbox */
	unsigned	 max_streams_per_mailbox;
	unsigned	 queue_timeout_ms;	/* queue_timeout = 30s */

	/* [office365] */
	char		*tenant_id;	/* NULL when unset */
	char		*client_id;
	char		*redirect_uri;
	char		*authority;	/* no trailing slash */
	char		*ews_url;
	char		*graph_url;	/* no trailing slash */
	int		 backend;	/* enum conf_backend */
	char		*scope;
	char		*client_secret_file;
	char		*client_cert_file;
	char		*client_key_file;
	char		*ca_file;

	/* [onprem] */
	char		*onprem_ews_url;
	char		*onprem_ca_file;
};

/* The path to read: the -c argument, else $EWSGW_CONFIG, else the default.
 * Returns a borrowed string. */
const char	*conf_path(const char *arg);

/*
 * Reads and validates FILE. Returns a new conf (free with conf_free), or
 * NULL with "FILE:LINE: reason" (or "FILE: reason") written into err, for
 * the first problem found. Sections and keys match case-insensitively;
 * `key = "v"` is v; an empty value unsets an optional key; a key set
 * twice, an unknown one and a line over 197 characters are errors.
 */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
void		 conf_free(struct conf *);

/* A conf holding only the defaults, for tests; never NULL. */
struct conf	*conf_defaults(void);

/*
 * The identity platform URL for ENDPOINT ("token", "devicecode",
 * "authorize"): {authority}/{tenant_id}/oauth2/v2.0/ENDPOINT.
 * Returns a new string, or NULL when tenant_id is unset.
 */
char		*conf_identity_url(const struct conf *, const char *endpoint);

/* Parses "32M", "512k", "1G", "100" into bytes; -1 on error. */
int		 conf_parse_size(const char *s, uint64_t *out);
/* Parses "10s", "500ms", "35m", "2h", "30" (seconds) into ms; -1 on error. */
int		 conf_parse_duration(const char *s, unsigned *out_ms);

#endif
