/* conf/: the table of keys, the value types, errors with their lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "log.h"
#include "conf/conf.h"
#include "cli/cli.h"

struct fx {
	char		 dir[64];
	char		 path[128];
	char		 err[1024];
	struct conf	*conf;
};

static int
setup(void **state)
{
	struct fx	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_conf.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/ewsgw.conf", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	conf_free(fx->conf);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	unsetenv(CONF_ENV);
	return 0;
}

/* Writes TEXT (LEN bytes, or strlen) as the file and loads it. */
static struct conf *
load_n(struct fx *fx, const char *text, size_t len)
{
	FILE	*fp;

	conf_free(fx->conf);
	fx->conf = NULL;
	fx->err[0] = '\0';
	fp = fopen(fx->path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	fx->conf = conf_load(fx->path, fx->err, sizeof(fx->err));
	return fx->conf;
}

static struct conf *
load(struct fx *fx, const char *text)
{
	return load_n(fx, text, strlen(text));
}

/* TEXT must fail with "PATH:LINE: REASON" (LINE 0: "PATH: REASON"). */
static void
load_fails(struct fx *fx, const char *text, int line, const char *reason)
{
	char	 want[1024];

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", fx->path, line,
		    reason);
	else
		snprintf(want, sizeof(want), "%s: %s", fx->path, reason);
	assert_null(load(fx, text));
	assert_string_equal(fx->err, want);
}

static void
check_defaults(const struct conf *c)
{
	assert_string_equal(c->listen_host, "127.0.0.1");
	assert_int_equal(c->listen_port, 8080);
	assert_null(c->tls_cert);
	assert_null(c->tls_key);
	assert_string_equal(c->state_dir, "/var/lib/ewsgw");
	assert_string_equal(c->admin_host, "127.0.0.1");
	assert_int_equal(c->admin_port, 8081);
	assert_true(c->max_body == 32ULL * 1024 * 1024);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	assert_int_equal(c->log_json, 0);
	assert_int_equal(c->connect_timeout_ms, 10000);
	assert_int_equal(c->upstream_timeout_ms, 120000);
	assert_int_equal(c->stream_timeout_ms, 35 * 60 * 1000);
	assert_int_equal(c->client_timeout_ms, 60000);
	assert_int_equal(c->max_per_mailbox, 27);
	assert_int_equal(c->max_streams_per_mailbox, 10);
	assert_int_equal(c->queue_timeout_ms, 30000);
	assert_null(c->tenant_id);
	assert_null(c->client_id);
	assert_string_equal(c->redirect_uri,
	    "https://login.microsoftonline.com/common/oauth2/nativeclient");
	assert_string_equal(c->authority, "https://login.microsoftonline.com");
	assert_string_equal(c->ews_url,
	    "https://outlook.office365.com/EWS/Exchange.asmx");
	assert_string_equal(c->graph_url, "https://graph.microsoft.com/v1.0");
	assert_int_equal(c->backend, CONF_BACKEND_EWS);
	assert_string_equal(c->scope,
	    "https://outlook.office365.com/EWS.AccessAsUser.All "
	    "offline_access");
	assert_null(c->client_secret_file);
	assert_null(c->client_cert_file);
	assert_null(c->client_key_file);
	assert_null(c->ca_file);
	assert_null(c->onprem_ews_url);
	assert_null(c->onprem_ca_file);
}

static void
t_defaults(void **state)
{
	struct conf	*c = conf_defaults();

	check_defaults(c);
	assert_null(c->path);
	conf_free(c);
	conf_free(NULL);
}

static void
t_empty_file(void **state)
{
	struct fx	*fx = *state;

	assert_non_null(load(fx, ""));
	check_defaults(fx->conf);
	assert_string_equal(fx->conf->path, fx->path);
}

/* The sample in CONTRACT.md, comments and all, is the defaults. */
static void
t_contract_sample(void **state)
{
	struct fx	*fx = *state;

	assert_non_null(load(fx,
	    "[gateway]\n"
	    "listen        = 127.0.0.1:8080      "
	    "; where legacy clients connect\n"
	    "tls_cert      =                     "
	    "; with tls_key: listen speaks HTTPS\n"
	    "tls_key       =\n"
	    "state_dir     = /var/lib/ewsgw      "
	    "; ewsgw.db (SQLite) and key (0600)\n"
	    "admin_listen  = 127.0.0.1:8081      ; /healthz and /metrics\n"
	    "max_body      = 32M                 ; larger requests get 413\n"
	    "log_level     = info                "
	    "; error | warn | info | debug\n"
	    "log_format    = text                ; text | json\n"
	    "\n"
	    "[office365]\n"
	    "tenant_id     =                     ; Directory (tenant) ID\n"
	    "client_id     =                     ; Application (client) ID\n"
	    "redirect_uri  = "
	    "https://login.microsoftonline.com/common/oauth2/nativeclient\n"
	    "authority     = https://login.microsoftonline.com\n"
	    "ews_url       = https://outlook.office365.com/EWS/Exchange.asmx\n"
	    "graph_url     = https://graph.microsoft.com/v1.0\n"
	    "backend       = ews                 "
	    "; default backend: ews | graph\n"
	    "scope         = "
	    "https://outlook.office365.com/EWS.AccessAsUser.All offline_access\n"
	    "client_secret_file =                "
	    "; app mode: file holding the secret\n"
	    "client_cert_file   =                "
	    "; app mode: certificate credential (PEM)\n"
	    "client_key_file    =\n"
	    "ca_file       =                     "
	    "; extra CA bundle for authority and ews_url\n"
	    "\n"
	    "[onprem]\n"
	    "ews_url       =                     "
	    "; e.g. https://mail.example.com/EWS/Exchange.asmx\n"
	    "ca_file       =\n"));
	check_defaults(fx->conf);
}

static void
t_every_key(void **state)
{
	struct fx	*fx = *state;
	struct conf	*c;

	c = load(fx,
	    "# a comment\n"
	    "[gateway]\n"
	    "listen = [::1]:8443\n"
	    "tls_cert = /etc/ewsgw/cert.pem\n"
	    "tls_key = /etc/ewsgw/key.pem\n"
	    "state_dir = /srv/ewsgw\n"
	    "admin_listen = localhost:9090\n"
	    "max_body = 1G\n"
	    "log_level = debug\n"
	    "log_format = json\n"
	    "connect_timeout = 500ms\n"
	    "upstream_timeout = 2m\n"
	    "stream_timeout = 1h\n"
	    "[office365]\n"
	    "tenant_id = 11111111-2222-3333-4444-555555555555\n"
	    "client_id = aaaaaaaa-0000-4000-8000-000000000001\n"
	    "redirect_uri = http://localhost:53682/\n"
	    "authority = http://127.0.0.1:9999/\n"
	    "ews_url = http://127.0.0.1:9999/EWS/Exchange.asmx\n"
	    "graph_url = http://127.0.0.1:9999/v1.0/\n"
	    "backend = graph\n"
	    "scope = https://outlook.office365.com/.default\n"
	    "client_cert_file = /etc/ewsgw/app.pem\n"
	    "client_key_file = /etc/ewsgw/app.key\n"
	    "ca_file = /etc/ewsgw/ca.pem\n"
	    "[onprem]\n"
	    "ews_url = https://mail.example.com/EWS/Exchange.asmx\n"
	    "ca_file = /etc/ewsgw/onprem-ca.pem\n");
	assert_non_null(c);
	assert_string_equal(c->listen_host, "::1");
	assert_int_equal(c->listen_port, 8443);
	assert_string_equal(c->tls_cert, "/etc/ewsgw/cert.pem");
	assert_string_equal(c->tls_key, "/etc/ewsgw/key.pem");
	assert_string_equal(c->state_dir, "/srv/ewsgw");
	assert_string_equal(c->admin_host, "localhost");
	assert_int_equal(c->admin_port, 9090);
	assert_true(c->max_body == 1024ULL * 1024 * 1024);
	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c->log_json, 1);
	assert_int_equal(c->connect_timeout_ms, 500);
	assert_int_equal(c->upstream_timeout_ms, 120000);
	assert_int_equal(c->stream_timeout_ms, 3600000);
	assert_string_equal(c->tenant_id,
	    "11111111-2222-3333-4444-555555555555");
	assert_string_equal(c->client_id,
	    "aaaaaaaa-0000-4000-8000-000000000001");
	/* Sent as written: it must match the app registration. */
	assert_string_equal(c->redirect_uri, "http://localhost:53682/");
	assert_string_equal(c->authority, "http://127.0.0.1:9999");
	assert_string_equal(c->ews_url,
	    "http://127.0.0.1:9999/EWS/Exchange.asmx");
	assert_string_equal(c->graph_url, "http://127.0.0.1:9999/v1.0");
	assert_int_equal(c->backend, CONF_BACKEND_GRAPH);
	assert_string_equal(c->scope, "https://outlook.office365.com/.default");
	assert_null(c->client_secret_file);
	assert_string_equal(c->client_cert_file, "/etc/ewsgw/app.pem");
	assert_string_equal(c->client_key_file, "/etc/ewsgw/app.key");
	assert_string_equal(c->ca_file, "/etc/ewsgw/ca.pem");
	assert_string_equal(c->onprem_ews_url,
	    "https://mail.example.com/EWS/Exchange.asmx");
	assert_string_equal(c->onprem_ca_file, "/etc/ewsgw/onprem-ca.pem");
}

/* What admins write: indentation, CRLF, quotes, BOM, case, ';' comments. */
static void
t_lenient_syntax(void **state)
{
	struct fx	*fx = *state;
	struct conf	*c;

	c = load(fx,
	    "\xef\xbb\xbf; leading comment\r\n"
	    "[Gateway]\r\n"
	    "    Listen = 0.0.0.0:80\r\n"
	    "\tmax_body = 512K ; half a MiB\r\n"
	    "state_dir = \"/var/lib/ewsgw two\"\r\n"
	    "log_level = WARN\r\n"
	    "[office365]\r\n"
	    "tenant_id = contoso.onmicrosoft.com\r\n");
	assert_non_null(c);
	assert_string_equal(c->listen_host, "0.0.0.0");
	assert_int_equal(c->listen_port, 80);
	assert_true(c->max_body == 512 * 1024);
	assert_string_equal(c->state_dir, "/var/lib/ewsgw two");
	assert_int_equal(c->log_level, LOG_LEVEL_WARN);
	assert_string_equal(c->tenant_id, "contoso.onmicrosoft.com");
}

/* A file with one problem: where it is and what is said about it. */
static const struct {
	const char	*text;
	int		 line;
	const char	*reason;
} bad_files[] = {
	/* Values. */
	{ "[gateway]\nlisten = 127.0.0.1:8080\nmax_body = 12Q\n", 3,
	    "bad value for max_body: '12Q' (expected a size like 32M)" },
	{ "[gateway]\nmax_body = 1023\n", 2,
	    "bad value for max_body: '1023' (expected a size from 1K to 4G)" },
	{ "[gateway]\nmax_body = 5G\n", 2,
	    "bad value for max_body: '5G' (expected a size from 1K to 4G)" },
	{ "[gateway]\nmax_concurrent_per_mailbox = 0\n", 2,
	    "bad value for max_concurrent_per_mailbox: '0' (expected a number "
	    "from 1 to 1000)" },
	{ "[gateway]\nmax_streams_per_mailbox = 10s\n", 2,
	    "bad value for max_streams_per_mailbox: '10s' (expected a whole "
	    "number like 27)" },
	{ "[gateway]\nqueue_timeout = 11m\n", 2,
	    "bad value for queue_timeout: '11m' (expected a duration from 0ms "
	    "to 10m)" },
	{ "[gateway]\nconnect_timeout = 10x\n", 2,
	    "bad value for connect_timeout: '10x' (expected a duration like "
	    "10s, 500ms or 35m)" },
	{ "[gateway]\nconnect_timeout = 50ms\n", 2,
	    "bad value for connect_timeout: '50ms' (expected a duration from "
	    "100ms to 10m)" },
	{ "[gateway]\n\nstream_timeout = 25h\n", 3,
	    "bad value for stream_timeout: '25h' (expected a duration from "
	    "100ms to 24h)" },
	{ "[gateway]\nupstream_timeout = 0\n", 2,
	    "bad value for upstream_timeout: '0' (expected a duration from "
	    "100ms to 24h)" },
	{ "[gateway]\nlog_level = loud\n", 2,
	    "bad value for log_level: 'loud' (expected one of error, warn, "
	    "info, debug)" },
	{ "[gateway]\nlog_format = xml\n", 2,
	    "bad value for log_format: 'xml' (expected one of text, json)" },
	{ "[office365]\nbackend = rest\n", 2,
	    "bad value for backend: 'rest' (expected one of ews, graph)" },
	/* An empty value unsets an optional key; a required one needs one. */
	{ "[gateway]\nstate_dir =\n", 2,
	    "bad value for state_dir: '' (expected a path)" },
	{ "[office365]\nscope =\n", 2,
	    "bad value for scope: '' (expected a value)" },
	{ "[office365]\news_url =\n", 2,
	    "bad value for ews_url: '' (expected an http:// or https:// URL "
	    "with a host)" },

	/* Names. */
	{ "[gateway]\nlisten = 127.0.0.1:1\n\nlisen = x\n", 4,
	    "unknown key 'lisen' in [gateway]" },
	{ "[gatway]\nlisten = 127.0.0.1:1\n", 2,
	    "unknown section [gatway]" },
	{ "listen = 127.0.0.1:1\n", 1,
	    "key 'listen' outside any section" },
	{ "[gateway]\ntenant_id = common\n", 2,
	    "unknown key 'tenant_id' in [gateway]" },
	{ "[gateway]\nlisten = 127.0.0.1:1\nLISTEN = 127.0.0.1:2\n", 3,
	    "duplicate key 'listen' in [gateway] (first set on line 2)" },
	{ "[gateway]\nlog_level = info\n[office365]\n[gateway]\n"
	    "log_level = debug\n", 5,
	    "duplicate key 'log_level' in [gateway] (first set on line 2)" },

	/* Syntax; the first problem is the one reported. */
	{ "[gateway\nlisten = 127.0.0.1:1\n", 1,
	    "expected [section] or key = value" },
	{ "[gateway]\nmax_body 32M\n", 2,
	    "expected [section] or key = value" },
	{ "[gateway]\nmax_body 32M\nmax_body = 1Q\n", 2,
	    "expected [section] or key = value" },
	{ "[gateway]\nmax_body = 1Q\nmax_body 32M\n", 2,
	    "bad value for max_body: '1Q' (expected a size like 32M)" },

	/* Keys that go together; the line is that of the key set. */
	{ "[gateway]\ntls_cert = /c.pem\n", 2,
	    "tls_cert and tls_key go together: set both or neither" },
	{ "[gateway]\n\ntls_key = /k.pem\n", 3,
	    "tls_cert and tls_key go together: set both or neither" },
	{ "[office365]\nclient_key_file = /k.pem\n", 2,
	    "client_key_file is set but client_cert_file is not" },
	{ "[office365]\nclient_secret_file = /s\nclient_cert_file = /c.pem\n",
	    3, "set client_secret_file or client_cert_file, not both" },
	{ "[gateway]\nlisten = 127.0.0.1:8081\n", 2,
	    "admin_listen is the same address as listen" },
	{ "[gateway]\nadmin_listen = 127.0.0.1:8080\n", 2,
	    "admin_listen is the same address as listen" },
};

static void
t_errors(void **state)
{
	struct fx	*fx = *state;

	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++)
		load_fails(fx, bad_files[i].text, bad_files[i].line,
		    bad_files[i].reason);
}

/* The good side of the limits and rules above. */
static void
t_limits_ok(void **state)
{
	struct fx	*fx = *state;

	assert_non_null(load(fx, "[office365]\ntenant_id =\nca_file = \"\"\n"));
	assert_null(fx->conf->tenant_id);
	assert_null(fx->conf->ca_file);
	assert_non_null(load(fx, "[gateway]\nmax_body = 1K\n"));
	assert_true(fx->conf->max_body == 1024);
	assert_non_null(load(fx, "[gateway]\nmax_body = 4G\n"));
	assert_true(fx->conf->max_body == 4ULL << 30);
	assert_non_null(load(fx, "[gateway]\nupstream_timeout = 30\n"));
	assert_int_equal(fx->conf->upstream_timeout_ms, 30000);
	assert_non_null(load(fx, "[gateway]\ntls_key = /k.pem\n"
	    "tls_cert = /c.pem\n"));
	/* Same name, different sections: two keys. */
	assert_non_null(load(fx, "[office365]\news_url = https://a.example/x\n"
	    "[onprem]\news_url = https://b.example/y\n"));
	assert_string_equal(fx->conf->ews_url, "https://a.example/x");
	assert_string_equal(fx->conf->onprem_ews_url, "https://b.example/y");
}

static void
t_hostport(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:80x", "::1:8080", "[::1]",
		"[::1]8080", "[nope]:80", "host name:80", "127.0.0.1:-1",
	};
	struct fx	*fx = *state;
	char		 text[256], reason[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[gateway]\nlisten = %s\n",
		    bad[i]);
		snprintf(reason, sizeof(reason), "bad value for listen: '%s' "
		    "(expected host:port, like 127.0.0.1:8080 or [::1]:8080)",
		    bad[i]);
		load_fails(fx, text, 2, reason);
	}
	assert_non_null(load(fx, "[gateway]\nadmin_listen = [::]:65535\n"));
	assert_string_equal(fx->conf->admin_host, "::");
	assert_int_equal(fx->conf->admin_port, 65535);
	assert_non_null(load(fx, "[gateway]\nlisten = gw.example.com:1\n"));
	assert_string_equal(fx->conf->listen_host, "gw.example.com");
	assert_int_equal(fx->conf->listen_port, 1);
}

static void
t_url(void **state)
{
	static const char *const bad[] = {
		"ftp://example.com", "https://", "https:///path",
		"example.com/EWS", "https://user:pw@example.com/",
		"https://example.com:99999/", "https://example.com:/x",
		"https://exa mple.com/", "https://example.com/a b",
		"https://example.com/#frag", "https//example.com",
		"https://[::1/x", "file:///etc/passwd",
	};
	static const char *const good[] = {
		"http://127.0.0.1:8080/EWS/Exchange.asmx",
		"HTTPS://Mail.Example.COM/EWS/Exchange.asmx",
		"https://[2001:db8::1]:8443/EWS/Exchange.asmx",
		"https://mail.example.com?x=1",
		"https://mail.example.com",
	};
	struct fx	*fx = *state;
	char		 text[256], reason[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[onprem]\news_url = %s\n",
		    bad[i]);
		snprintf(reason, sizeof(reason), "bad value for ews_url: '%s' "
		    "(expected an http:// or https:// URL with a host)", bad[i]);
		load_fails(fx, text, 2, reason);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[onprem]\news_url = %s\n",
		    good[i]);
		assert_non_null(load(fx, text));
		assert_string_equal(fx->conf->onprem_ews_url, good[i]);
	}
}

static void
t_ids(void **state)
{
	static const char *const tenants[] = {
		"11111111-2222-3333-4444-555555555555", "contoso.com",
		"contoso.onmicrosoft.com", "organizations", "common",
		"xn--bcher-kva.example",
	};
	static const char *const bad_tenants[] = {
		"contoso", "-contoso.com", "contoso-.com", "contoso..com",
		"contoso.com.", "con_toso.com", "1111-2222", "a/b.com",
	};
	struct fx	*fx = *state;
	char		 text[256], reason[256];

	for (size_t i = 0; i < sizeof(tenants) / sizeof(tenants[0]); i++) {
		snprintf(text, sizeof(text), "[office365]\ntenant_id = %s\n",
		    tenants[i]);
		assert_non_null(load(fx, text));
		assert_string_equal(fx->conf->tenant_id, tenants[i]);
	}
	for (size_t i = 0; i < sizeof(bad_tenants) / sizeof(bad_tenants[0]);
	    i++) {
		snprintf(text, sizeof(text), "[office365]\ntenant_id = %s\n",
		    bad_tenants[i]);
		snprintf(reason, sizeof(reason), "bad value for tenant_id: "
		    "'%s' (expected a GUID or a domain name like "
		    "contoso.onmicrosoft.com)", bad_tenants[i]);
		load_fails(fx, text, 2, reason);
	}
	assert_non_null(load(fx, "[office365]\nclient_id = "
	    "AAAAAAAA-bbbb-4000-8000-0123456789ab\n"));
	load_fails(fx, "[office365]\nclient_id = my-app\n", 2,
	    "bad value for client_id: 'my-app' (expected a GUID like "
	    "00000000-0000-0000-0000-000000000000)");
	load_fails(fx, "[office365]\nclient_id = "
	    "aaaaaaaa-0000-4000-8000-00000000000g\n", 2,
	    "bad value for client_id: 'aaaaaaaa-0000-4000-8000-00000000000g' "
	    "(expected a GUID like 00000000-0000-0000-0000-000000000000)");
	load_fails(fx, "[office365]\nclient_id = "
	    "{aaaaaaaa-0000-4000-8000-000000000000}\n", 2,
	    "bad value for client_id: '{aaaaaaaa-0000-4000-8000-000000000000}' "
	    "(expected a GUID like 00000000-0000-0000-0000-000000000000)");
}

static void
t_long_line(void **state)
{
	struct fx	*fx = *state;
	char		 text[1024];

	snprintf(text, sizeof(text), "[office365]\n; ok\nscope = %0400d\n",
	    7);
	load_fails(fx, text, 3, "line too long (at most 197 characters)");
	/* 197 characters is fine, also without a final newline. */
	snprintf(text, sizeof(text), "[office365]\nscope = %0189d", 7);
	assert_non_null(load(fx, text));
	assert_int_equal(strlen(fx->conf->scope), 189);
	assert_null(load_n(fx, "[gateway]\nlog_level = in\0fo\n", 28));
	assert_string_equal(strchr(fx->err, ':') + 1, "2: NUL byte in line");
}

/* A key or secret file others can open is refused; group may read. */
static void
t_secret_files(void **state)
{
	struct fx	*fx = *state;
	char		 secret[128], text[512], reason[512];
	FILE		*fp;

	snprintf(secret, sizeof(secret), "%s/secret", fx->dir);
	assert_non_null(fp = fopen(secret, "w"));
	fclose(fp);
	snprintf(text, sizeof(text), "[office365]\nclient_id = "
	    "aaaaaaaa-0000-4000-8000-000000000001\n"
	    "client_secret_file = %s\n", secret);

	for (mode_t m = 0601; m <= 0607; m += 3) {
		assert_int_equal(chmod(secret, m), 0);
		snprintf(reason, sizeof(reason), "client_secret_file %s is "
		    "open to others (mode %04o); chmod o-rwx %s", secret,
		    (unsigned)m, secret);
		load_fails(fx, text, 3, reason);
	}
	assert_int_equal(chmod(secret, 0640), 0);
	assert_non_null(load(fx, text));
	assert_int_equal(chmod(secret, 0600), 0);
	assert_non_null(load(fx, text));
	unlink(secret);
	assert_non_null(load(fx, text));	/* not there (yet) */
}

static void
t_no_file(void **state)
{
	struct fx	*fx = *state;
	char		 want[512];

	snprintf(want, sizeof(want), "%s/nope.conf", fx->dir);
	assert_null(conf_load(want, fx->err, sizeof(fx->err)));
	strcat(want, ": No such file or directory");
	assert_string_equal(fx->err, want);

	assert_null(conf_load(fx->dir, fx->err, sizeof(fx->err)));
	snprintf(want, sizeof(want), "%s: Is a directory", fx->dir);
	assert_string_equal(fx->err, want);
}

static void
t_parse_size(void **state)
{
	static const struct {
		const char	*s;
		uint64_t	 n;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "100", 100 }, { "1k", 1024 },
		{ "1K", 1024 }, { "1KB", 1024 }, { "1KiB", 1024 },
		{ "512k", 512 * 1024 }, { "32M", 32 << 20 }, { "32mb", 32 << 20 },
		{ "1G", 1ULL << 30 }, { "4G", 4ULL << 30 }, { "2T", 2ULL << 40 },
		{ "7B", 7 }, { "00012", 12 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "k", "M", "-1", "+1", "1.5G", " 1K", "1K ", "1 K", "1X",
		"1kk", "1KBB", "1iB", "0x10", "18446744073709551616",
		"16777216T", "99999999999999999999999G",
	};
	uint64_t	 n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = 42;
		assert_int_equal(conf_parse_size(good[i].s, &n), 0);
		assert_true(n == good[i].n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 42;
		assert_int_equal(conf_parse_size(bad[i], &n), -1);
		assert_true(n == 42);
	}
	assert_int_equal(conf_parse_size(NULL, &n), -1);
}

static void
t_parse_duration(void **state)
{
	static const struct {
		const char	*s;
		unsigned	 ms;
	} good[] = {
		{ "0", 0 }, { "30", 30000 }, { "10s", 10000 }, { "500ms", 500 },
		{ "35m", 35 * 60000 }, { "2h", 7200000 }, { "1d", 86400000 },
		{ "10S", 10000 }, { "1MS", 1 }, { "4294967295ms", 4294967295U },
		{ "4294967s", 4294967000U }, { "49d", 49U * 86400000 },
	};
	static const char *const bad[] = {
		"", "s", "ms", "-1s", "1.5s", "10 s", " 10s", "10s ", "10sec",
		"10x", "1m30s", "4294967296ms", "4294968s", "50d",
		"99999999999999999999999",
	};
	unsigned	 ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 42;
		assert_int_equal(conf_parse_duration(good[i].s, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 42;
		assert_int_equal(conf_parse_duration(bad[i], &ms), -1);
		assert_int_equal(ms, 42);
	}
	assert_int_equal(conf_parse_duration(NULL, &ms), -1);
}

static void
t_identity_url(void **state)
{
	struct fx	*fx = *state;
	struct conf	*c = conf_defaults();
	char		*u;

	assert_null(conf_identity_url(c, "token"));	/* no tenant */

	c->tenant_id = strdup("contoso.onmicrosoft.com");
	u = conf_identity_url(c, "token");
	assert_string_equal(u, "https://login.microsoftonline.com/"
	    "contoso.onmicrosoft.com/oauth2/v2.0/token");
	free(u);

	free(c->authority);
	c->authority = strdup("https://login.example.net//");
	u = conf_identity_url(c, "devicecode");
	assert_string_equal(u, "https://login.example.net/"
	    "contoso.onmicrosoft.com/oauth2/v2.0/devicecode");
	free(u);
	conf_free(c);

	/* From a file, with and without the trailing slash. */
	assert_non_null(load(fx, "[office365]\ntenant_id = "
	    "11111111-2222-3333-4444-555555555555\n"
	    "authority = http://127.0.0.1:4000/\n"));
	assert_string_equal(fx->conf->authority, "http://127.0.0.1:4000");
	u = conf_identity_url(fx->conf, "authorize");
	assert_string_equal(u, "http://127.0.0.1:4000/11111111-2222-3333-"
	    "4444-555555555555/oauth2/v2.0/authorize");
	free(u);
	assert_non_null(load(fx, "[office365]\ntenant_id = common\n"
	    "authority = https://login.microsoftonline.us\n"));
	u = conf_identity_url(fx->conf, "token");
	assert_string_equal(u, "https://login.microsoftonline.us/common/"
	    "oauth2/v2.0/token");
	free(u);
}

static void
t_path(void **state)
{
	unsetenv(CONF_ENV);
	assert_string_equal(conf_path(NULL), "/etc/ewsgw/ewsgw.conf");
	assert_string_equal(conf_path(NULL), CONF_DEFAULT_PATH);
	assert_string_equal(conf_path("/a.conf"), "/a.conf");
	setenv(CONF_ENV, "/env.conf", 1);
	assert_string_equal(conf_path(NULL), "/env.conf");
	assert_string_equal(conf_path("/a.conf"), "/a.conf");
	setenv(CONF_ENV, "", 1);
	assert_string_equal(conf_path(NULL), CONF_DEFAULT_PATH);
}

/* The CLI's loader: the reason on stderr, the log level applied. */
static void
t_cli_conf_load(void **state)
{
	struct fx	*fx = *state;
	struct conf	*c;
	FILE		*fp;
	char		 missing[256];

	fp = fopen(fx->path, "w");
	assert_non_null(fp);
	fputs("[gateway]\nlog_level = error\n", fp);
	fclose(fp);
	setenv(CONF_ENV, fx->path, 1);
	c = cli_conf_load(NULL);
	assert_non_null(c);
	assert_false(log_enabled(LOG_LEVEL_WARN));
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	conf_free(c);
	log_init(LOG_LEVEL_INFO, 0);

	snprintf(missing, sizeof(missing), "%s/nope.conf", fx->dir);
	assert_null(cli_conf_load(missing));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_defaults),
		cmocka_unit_test_setup_teardown(t_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(t_contract_sample, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(t_lenient_syntax, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_limits_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(t_hostport, setup, teardown),
		cmocka_unit_test_setup_teardown(t_url, setup, teardown),
		cmocka_unit_test_setup_teardown(t_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(t_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(t_secret_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_no_file, setup, teardown),
		cmocka_unit_test(t_parse_size),
		cmocka_unit_test(t_parse_duration),
		cmocka_unit_test_setup_teardown(t_identity_url, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_path, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cli_conf_load, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
