/*
 * fake365 request log and counters: what tests read back through
 * /_fake/log and /_fake/stats, and --log FILE (one JSON object a line).
 * An entry never holds an Authorization value, a token or a password:
 * for Basic only the user name, for Bearer what the check found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "tests/fake365/fake365.h"

#define REQLOG_MAX_ENTRIES	10000
#define REQLOG_GRANT_URN	"urn:ietf:params:oauth:grant-type:"

static const char *const reqlog_headers[] = {
	"X-AnchorMailbox", "Via", "Content-Type", "SOAPAction", "User-Agent",
	"Cookie", "X-PreferServerAffinity", "client-request-id",
};

static const struct {
	enum evhttp_cmd_type	 cmd;
	const char		*name;
} reqlog_methods[] = {
	{ EVHTTP_REQ_GET, "GET" }, { EVHTTP_REQ_POST, "POST" },
	{ EVHTTP_REQ_HEAD, "HEAD" }, { EVHTTP_REQ_PUT, "PUT" },
	{ EVHTTP_REQ_DELETE, "DELETE" }, { EVHTTP_REQ_OPTIONS, "OPTIONS" },
	{ EVHTTP_REQ_TRACE, "TRACE" }, { EVHTTP_REQ_CONNECT, "CONNECT" },
	{ EVHTTP_REQ_PATCH, "PATCH" },
};

#define REQLOG_USERS_MAX	16

static json_t	*reqlog_entries;
/* EWS requests in flight per user, [0] ordinary, [1] streaming. */
static int	 reqlog_now[2][REQLOG_USERS_MAX];
static int	 reqlog_peak[2][REQLOG_USERS_MAX];
static json_t	*reqlog_counts;
static json_t	*reqlog_secrets;	/* what /_fake/issued lists */
static FILE	*reqlog_file;

static const char *
reqlog_method(struct evhttp_request *req)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	for (size_t i = 0; i < NELEM(reqlog_methods); i++)
		if (reqlog_methods[i].cmd == cmd)
			return reqlog_methods[i].name;
	return "?";
}

/* The user name of a Basic credential, wiping the decoded password. */
static void
reqlog_basic(json_t *e, const char *b64)
{
	unsigned char	 buf[512];
	size_t		 len = strlen(b64);
	int		 n;
	char		*colon;

	if (len == 0 || len > (sizeof(buf) - 1) / 3 * 4)
		return;
	n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return;
	buf[n] = '\0';
	if ((colon = strchr((char *)buf, ':')) != NULL) {
		*colon = '\0';
		json_object_set_new(e, "basic_user",
		    json_string((char *)buf));
	}
	OPENSSL_cleanse(buf, sizeof(buf));
}

static void
reqlog_auth(json_t *e, const char *auth)
{
	const char	*sp;
	char		 scheme[32];

	if (auth == NULL) {
		json_object_set_new(e, "auth_scheme", json_string("none"));
		return;
	}
	sp = strchr(auth, ' ');
	if (sp == NULL || (size_t)(sp - auth) >= sizeof(scheme))
		sp = auth + strnlen(auth, sizeof(scheme) - 1);
	memcpy(scheme, auth, sp - auth);
	scheme[sp - auth] = '\0';
	if (strcasecmp(scheme, "Bearer") == 0)
		snprintf(scheme, sizeof(scheme), "Bearer");
	else if (strcasecmp(scheme, "Basic") == 0) {
		snprintf(scheme, sizeof(scheme), "Basic");
		reqlog_basic(e, sp + strspn(sp, " "));
	}
	json_object_set_new(e, "auth_scheme", json_string(scheme));
}

json_t *
reqlog_begin(struct evhttp_request *req)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyval		*kv;
	json_t			*e, *sel, *names;
	const char		*v;
	char			 stamp[40];

	log_timestamp(stamp, sizeof(stamp));
	sel = json_object();
	names = json_array();
	for (size_t i = 0; i < NELEM(reqlog_headers); i++)
		if ((v = evhttp_find_header(h, reqlog_headers[i])) != NULL)
			json_object_set_new(sel, reqlog_headers[i],
			    json_string(v));
	TAILQ_FOREACH(kv, h, next)
		json_array_append_new(names, json_string(kv->key));
	e = json_pack("{s:s, s:s, s:s, s:o, s:o}", "time", stamp,
	    "method", reqlog_method(req),
	    "path", uri && evhttp_uri_get_path(uri) ?
	    evhttp_uri_get_path(uri) : "",
	    "headers", sel, "header_names", names);
	if (e != NULL)
		reqlog_auth(e, evhttp_find_header(h, "Authorization"));
	return e;
}

static void
reqlog_bump(json_t *o, const char *key)
{
	json_int_t	 n = json_integer_value(json_object_get(o, key));

	json_object_set_new(o, key, json_integer(n + 1));
}

static void
reqlog_count(json_t *e, int status)
{
	const char	*target = json_string_value(json_object_get(e, "target"));
	const char	*grant = json_string_value(json_object_get(e,
			    "grant_type"));
	const char	*op = json_string_value(json_object_get(e,
			    "operation"));

	if (reqlog_counts == NULL)
		reqlog_counts = json_pack("{s:{}, s:i, s:i, s:i, s:i, s:{},"
		    " s:i}", "token", "token_ok", 0, "token_error", 0,
		    "devicecode", 0, "ews", 0, "ews_by_op", "ews_401", 0);
	if (reqlog_counts == NULL || target == NULL)
		return;
	if (strcmp(target, "token") == 0 && grant != NULL) {
		if (strncmp(grant, REQLOG_GRANT_URN, strlen(REQLOG_GRANT_URN))
		    == 0)
			grant += strlen(REQLOG_GRANT_URN);
		reqlog_bump(json_object_get(reqlog_counts, "token"), grant);
		reqlog_bump(reqlog_counts, status == 200 ? "token_ok" :
		    "token_error");
	} else if (strcmp(target, "token") == 0)
		reqlog_bump(reqlog_counts, "devicecode");
	else if (strcmp(target, "ews") == 0) {
		reqlog_bump(reqlog_counts, "ews");
		if (op != NULL)
			reqlog_bump(json_object_get(reqlog_counts,
			    "ews_by_op"), op);
		if (status == 401)
			reqlog_bump(reqlog_counts, "ews_401");
	}
}

void
reqlog_end(json_t *e, int status)
{
	char	*line;

	if (e == NULL)
		return;
	json_object_set_new(e, "status", json_integer(status));
	reqlog_count(e, status);
	if (reqlog_file != NULL &&
	    (line = json_dumps(e, JSON_COMPACT)) != NULL) {
		fprintf(reqlog_file, "%s\n", line);
		fflush(reqlog_file);
		free(line);
	}
	if (reqlog_entries == NULL)
		reqlog_entries = json_array();
	if (json_array_size(reqlog_entries) >= REQLOG_MAX_ENTRIES)
		json_array_remove(reqlog_entries, 0);
	json_array_append_new(reqlog_entries, e);
}

int
reqlog_open(const char *path)
{
	if ((reqlog_file = fopen(path, "a")) == NULL)
		return -1;
	return 0;
}

json_t *
reqlog_all(void)
{
	return reqlog_entries ? json_incref(reqlog_entries) : json_array();
}

int
reqlog_busy(int user, int stream, int delta)
{
	if (user < 0 || user >= REQLOG_USERS_MAX)
		return 0;
	stream = stream != 0;
	reqlog_now[stream][user] += delta;
	if (reqlog_now[stream][user] > reqlog_peak[stream][user])
		reqlog_peak[stream][user] = reqlog_now[stream][user];
	return reqlog_now[stream][user];
}

/* {UPN: {now, peak, streams_now, streams_peak}} of users seen. */
static json_t *
reqlog_concurrency(void)
{
	json_t	*o = json_object();

	for (int u = 0; u < REQLOG_USERS_MAX && dir_user_at(u) != NULL; u++)
		if (reqlog_peak[0][u] || reqlog_peak[1][u])
			json_object_set_new(o, dir_user_at(u)->upn, json_pack(
			    "{s:i, s:i, s:i, s:i}", "now", reqlog_now[0][u],
			    "peak", reqlog_peak[0][u], "streams_now",
			    reqlog_now[1][u], "streams_peak",
			    reqlog_peak[1][u]));
	return o;
}

json_t *
reqlog_stats(void)
{
	if (reqlog_counts == NULL)
		reqlog_count(NULL, 0);
	json_object_set_new(reqlog_counts, "ews_concurrency",
	    reqlog_concurrency());
	return json_incref(reqlog_counts);
}

void
reqlog_reset(void)
{
	json_decref(reqlog_entries);
	json_decref(reqlog_counts);
	reqlog_entries = NULL;
	reqlog_counts = NULL;
	/* peaks start again from what is in flight now */
	memcpy(reqlog_peak, reqlog_now, sizeof(reqlog_peak));
}

void
reqlog_free(void)
{
	reqlog_reset();
	json_decref(reqlog_secrets);
	reqlog_secrets = NULL;
	if (reqlog_file != NULL)
		fclose(reqlog_file);
	reqlog_file = NULL;
}

void
reqlog_issued(const char *secret)
{
	if (secret == NULL)
		return;
	if (reqlog_secrets == NULL)
		reqlog_secrets = json_array();
	json_array_append_new(reqlog_secrets, json_string(secret));
}

json_t *
reqlog_issued_all(void)
{
	return reqlog_secrets ? json_incref(reqlog_secrets) : json_array();
}
