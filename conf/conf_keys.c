/* Every configuration key: where it lives, its type, limits and default. */
#include <stddef.h>
#include <strings.h>

#include "log.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

#define F(field)	offsetof(struct conf, field)
#define KIB		1024ULL
#define GIB		(1024ULL * 1024 * 1024)
#define SEC		1000ULL
#define MIN		(60 * SEC)
#define HOUR		(60 * MIN)

static const struct conf_enum conf_log_levels[] = {
	{ "error", LOG_LEVEL_ERROR },
	{ "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
	{ NULL, 0 },
};

static const struct conf_enum conf_log_formats[] = {
	{ "text", 0 },
	{ "json", 1 },
	{ NULL, 0 },
};

static const struct conf_enum conf_backends[] = {
	{ "ews", CONF_BACKEND_EWS },
	{ "graph", CONF_BACKEND_GRAPH },
	{ NULL, 0 },
};

const struct conf_key conf_keys[] = {
	{ "gateway", "listen", CONF_HOSTPORT, 0, 1, 65535, NULL,
	    "127.0.0.1:8080", F(listen_host), F(listen_port),
	    "where legacy clients connect" },
	{ "gateway", "tls_cert", CONF_PATH, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(tls_cert), 0,
	    "with tls_key: listen speaks HTTPS (PEM certificate chain)" },
	{ "gateway", "tls_key", CONF_PATH, CONF_F_OPTIONAL | CONF_F_SECRET,
	    0, 0, NULL, NULL, F(tls_key), 0,
	    "the private key of tls_cert (PEM)" },
	{ "gateway", "state_dir", CONF_PATH, 0, 0, 0, NULL,
	    "/var/lib/ewsgw", F(state_dir), 0,
	    "ewsgw.db (SQLite) and key (0600)" },
	{ "gateway", "admin_listen", CONF_HOSTPORT, 0, 1, 65535, NULL,
	    "127.0.0.1:8081", F(admin_host), F(admin_port),
	    "/healthz and /metrics" },
	{ "gateway", "max_body", CONF_SIZE, 0, KIB, 4 * GIB, NULL,
	    "32M", F(max_body), 0,
	    "larger requests get 413" },
	{ "gateway", "log_level", CONF_ENUM, 0, 0, 0, conf_log_levels,
	    "info", F(log_level), 0,
	    "error | warn | info | debug" },
	{ "gateway", "log_format", CONF_ENUM, 0, 0, 0, conf_log_formats,
	    "text", F(log_json), 0,
	    "text | json" },
	{ "gateway", "connect_timeout", CONF_DURATION, 0, 100, 10 * MIN, NULL,
	    "10s", F(connect_timeout_ms), 0,
	    "to open a connection upstream (identity platform, EWS, Graph)" },
	{ "gateway", "upstream_timeout", CONF_DURATION, 0, 100, 24 * HOUR, NULL,
	    "120s", F(upstream_timeout_ms), 0,
	    "for a whole ordinary upstream request" },
	{ "gateway", "stream_timeout", CONF_DURATION, 0, 100, 24 * HOUR, NULL,
	    "35m", F(stream_timeout_ms), 0,
	    "for a streaming request (GetStreamingEvents)" },
	{ "gateway", "client_timeout", CONF_DURATION, 0, 100, 24 * HOUR, NULL,
	    "60s", F(client_timeout_ms), 0,
	    "a client that sends nothing or takes no output this long" },
	{ "gateway", "max_concurrent_per_mailbox", CONF_COUNT, 0, 1, 1000,
	    NULL, "27", F(max_per_mailbox), 0,
	    "upstream requests in flight per mailbox (EWSMaxConcurrency)" },
	{ "gateway", "max_streams_per_mailbox", CONF_COUNT, 0, 1, 1000,
	    NULL, "10", F(max_streams_per_mailbox), 0,
	    "GetStreamingEvents in flight per mailbox (hanging connections)" },
	{ "gateway", "queue_timeout", CONF_DURATION, 0, 0, 10 * MIN, NULL,
	    "30s", F(queue_timeout_ms), 0,
	    "how long a request over those limits waits for a slot" },

	{ "office365", "tenant_id", CONF_TENANT, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(tenant_id), 0,
	    "Directory (tenant) ID" },
	{ "office365", "client_id", CONF_GUID, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(client_id), 0,
	    "Application (client) ID" },
	{ "office365", "redirect_uri", CONF_URL, 0, 0, 0, NULL,
	    "https://login.microsoftonline.com/common/oauth2/nativeclient",
	    F(redirect_uri), 0,
	    "the app registration's redirect URI (sent as written)" },
	{ "office365", "authority", CONF_URL, CONF_F_BASEURL, 0, 0, NULL,
	    "https://login.microsoftonline.com", F(authority), 0,
	    "identity platform; token URLs are {authority}/{tenant_id}/..." },
	{ "office365", "ews_url", CONF_URL, 0, 0, 0, NULL,
	    "https://outlook.office365.com/EWS/Exchange.asmx", F(ews_url), 0,
	    "Exchange Online EWS endpoint" },
	{ "office365", "graph_url", CONF_URL, CONF_F_BASEURL, 0, 0, NULL,
	    "https://graph.microsoft.com/v1.0", F(graph_url), 0,
	    "Microsoft Graph base URL" },
	{ "office365", "backend", CONF_ENUM, 0, 0, 0, conf_backends,
	    "ews", F(backend), 0,
	    "default backend: ews | graph" },
	{ "office365", "scope", CONF_STRING, 0, 0, 0, NULL,
	    "https://outlook.office365.com/EWS.AccessAsUser.All offline_access",
	    F(scope), 0,
	    "scopes asked for at sign-in" },
	{ "office365", "client_secret_file", CONF_PATH,
	    CONF_F_OPTIONAL | CONF_F_SECRET, 0, 0, NULL, NULL,
	    F(client_secret_file), 0,
	    "app mode: file holding the secret" },
	{ "office365", "client_cert_file", CONF_PATH, CONF_F_OPTIONAL,
	    0, 0, NULL, NULL, F(client_cert_file), 0,
	    "app mode: certificate credential (PEM)" },
	{ "office365", "client_key_file", CONF_PATH,
	    CONF_F_OPTIONAL | CONF_F_SECRET, 0, 0, NULL, NULL,
	    F(client_key_file), 0,
	    "app mode: the private key of client_cert_file (PEM)" },
	{ "office365", "ca_file", CONF_PATH, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(ca_file), 0,
	    "extra CA bundle for authority and ews_url" },

	{ "onprem", "ews_url", CONF_URL, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(onprem_ews_url), 0,
	    "on-premises EWS endpoint for onprem users" },
	{ "onprem", "ca_file", CONF_PATH, CONF_F_OPTIONAL, 0, 0, NULL,
	    NULL, F(onprem_ca_file), 0,
	    "extra CA bundle for [onprem] ews_url" },
};

const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

const struct conf_key *
conf_key_byname(const char *section, const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcasecmp(conf_keys[i].section, section) == 0 &&
		    strcasecmp(conf_keys[i].key, name) == 0)
			return &conf_keys[i];
	return NULL;
}

int
conf_section_known(const char *section)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcasecmp(conf_keys[i].section, section) == 0)
			return 1;
	return 0;
}
