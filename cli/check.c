/*
 * ewsgw check NAME | --all: for each user, get a token the way serve
 * does (refreshing and storing it when due), then GetFolder the inbox
 * at the user's Exchange; one line per user says what works or what not.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"
#include "soap/soap.h"

#define CHECK_TIMEOUT_MS	30000
#define CHECK_MAX_ANSWER	(1024 * 1024)

struct check {
	struct event_base	*base;
	struct net_loop		*net;
	struct auth		*auth;
	const struct conf	*conf;
	struct auth_user	*user;
	int			 failed;
};


static void
check_say(struct check *c, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
check_say(struct check *c, int ok, const char *fmt, ...)
{
	va_list	 ap;

	printf("%s: %s: ", auth_user_name(c->user), ok ? "ok" : "FAILED");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		c->failed = 1;
	event_base_loopexit(c->base, NULL);
}

static void
check_answer_cb(void *arg, enum fetch_result result, long status,
    const char *body, size_t len, const char *detail)
{
	struct check	*c = arg;
	char		 why[300];
	long		 total;

	if (result != FETCH_OK) {
		check_say(c, 0, "token ok, but Exchange did not answer: %s",
		    detail);
		return;
	}
	if (status == 401) {
		check_say(c, 0, "token ok, but Exchange refused it (401)");
		return;
	}
	if (soap_probe_answer(body, len, &total, why, sizeof(why)) == -1) {
		check_say(c, 0, "token ok, but GetFolder failed (HTTP %ld): "
		    "%s", status, why);
		return;
	}
	check_say(c, 1, "token valid; inbox of %s has %ld items",
	    auth_user_mailbox(c->user), total);
}

static void
check_token_cb(void *arg, enum auth_token_result result, const char *bearer,
    const char *reason)
{
	struct check	*c = arg;
	const char	*probe = soap_probe_request();
	char		*app_probe = NULL, authz[8192], anchor[400];
	size_t		 n;
	const char	*headers[] = { authz, anchor, NULL };

	if (result != AUTH_TOKEN_OK) {
		check_say(c, 0, "%s", reason);
		return;
	}
	/* An app-only token reaches a mailbox only by impersonating it. */
	if (auth_user_mode(c->user) == AUTH_MODE_APP) {
		if ((app_probe = soap_set_impersonation(probe, strlen(probe),
		    auth_user_mailbox(c->user), &n)) == NULL) {
			check_say(c, 0, "cannot write the probe request");
			return;
		}
		probe = app_probe;
	}
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s", bearer);
	snprintf(anchor, sizeof(anchor), "X-AnchorMailbox: %s",
	    auth_user_mailbox(c->user));
	if (fetch_simple(c->net, c->conf->ews_url, "text/xml; charset=utf-8",
	    probe, headers, CHECK_MAX_ANSWER, CHECK_TIMEOUT_MS,
	    c->conf->ca_file, check_answer_cb, c) == NULL)
		check_say(c, 0, "cannot start the request to Exchange");
	OPENSSL_cleanse(authz, sizeof(authz));
	free(app_probe);
}

/* Checks one user; returns when the loop has run its course. */
static void
check_user(struct check *c, const char *name)
{
	c->user = auth_user_byname(c->auth, name);
	if (c->user == NULL) {
		fprintf(stderr, "ewsgw: no such user: %s\n", name);
		c->failed = 1;
		return;
	}
	if (auth_user_mode(c->user) == AUTH_MODE_ONPREM)
		printf("%s: skipped: on-premises users sign in with the "
		    "client's own password, which ewsgw does not keep\n",
		    name);
	else if (auth_user_mode(c->user) == AUTH_MODE_ROPC)
		printf("%s: skipped: ropc users get their tokens with the "
		    "password their client sends, which ewsgw does not "
		    "keep\n", name);
	else if (auth_user_backend(c->user) == AUTH_BACKEND_GRAPH)
		printf("%s: skipped: the graph backend is not in this "
		    "version\n", name);
	else if (auth_user_mode(c->user) != AUTH_MODE_DELEGATED &&
	    auth_user_mode(c->user) != AUTH_MODE_APP)
		printf("%s: skipped: mode %s is not in this version\n", name,
		    auth_mode_name(auth_user_mode(c->user)));
	else if (auth_token_get(c->auth, c->user, NULL, check_token_cb, c) ==
	    NULL) {
		printf("%s: FAILED: cannot ask for a token\n", name);
		c->failed = 1;
	} else
		event_base_dispatch(c->base);
	auth_user_unref(c->user);
	c->user = NULL;
}

static int
check_usage(FILE *f)
{
	fprintf(f, "usage: ewsgw [-c FILE] check NAME | --all\n"
	    "  Signs in as each user the way serve does and reads the "
	    "inbox;\n  prints one line per user.\n");
	return f == stdout ? 0 : 2;
}

int
cli_check(int argc, char **argv, const char *conf_arg)
{
	struct check		 c;
	struct conf		*conf = NULL;
	struct store		*store = NULL;
	struct store_user	*users = NULL;
	size_t			 n = 0;
	char			 err[512];
	int			 all;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		return check_usage(stdout);
	if (argc != 2 || (argv[1][0] == '-' && strcmp(argv[1], "--all") != 0))
		return check_usage(stderr);
	all = strcmp(argv[1], "--all") == 0;
	memset(&c, 0, sizeof(c));
	if ((conf = cli_conf_load(conf_arg)) == NULL)
		return 1;
	c.conf = conf;
	/* The one line per user says it all; the log only when debugging. */
	if (conf->log_level != LOG_LEVEL_DEBUG)
		log_init(LOG_LEVEL_ERROR, conf->log_json);
	if (evthread_use_pthreads() == -1 ||
	    (c.base = event_base_new()) == NULL ||
	    (c.net = net_loop_new(c.base)) == NULL) {
		fprintf(stderr, "ewsgw: cannot set up the event loop\n");
		c.failed = 1;
		goto done;
	}
	if ((c.auth = auth_new(c.base, c.net, conf, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "ewsgw: %s\n", err);
		c.failed = 1;
		goto done;
	}
	if (!all)
		check_user(&c, argv[1]);
	else if ((store = store_open(conf->state_dir, 1, err, sizeof(err))) ==
	    NULL || store_users_list(store, &users, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "ewsgw: %s\n", err);
		c.failed = 1;
	} else if (n == 0)
		printf("no users\n");
	else
		for (size_t i = 0; i < n; i++)
			check_user(&c, users[i].name);
done:
	store_users_free(users, n);
	store_close(store);
	auth_free(c.auth);
	net_loop_free(c.net);
	if (c.base != NULL)
		event_base_free(c.base);
	conf_free(conf);
	return c.failed ? 1 : 0;
}
