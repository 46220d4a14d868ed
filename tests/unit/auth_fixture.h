/*
 * What the auth/ serving-side tests share: a temporary state_dir with a
 * store (the CLI's connection, "another process"), an event base with a
 * net loop, and the struct auth under test. Included by one test file
 * each; every function is static inline so unused ones cost nothing.
 * Include after <cmocka.h>.
 */
#ifndef EWSGW_TESTS_AUTH_FIXTURE_H
#define EWSGW_TESTS_AUTH_FIXTURE_H

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"

struct auth_fixture {
	char			 af_dir[64];
	struct event_base	*af_base;
	struct net_loop		*af_net;
	struct conf		*af_conf;
	struct store		*af_store;
	struct auth		*af_auth;
	struct event		*af_timeout;	/* fails the test on firing */
};

static inline void
auth_fixture_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	fail_msg("no answer in time");
}

/* Everything but the struct auth (tests adjust conf first). */
static inline void
auth_fixture_open(struct auth_fixture *af)
{
	char	 err[256];

	log_init(LOG_LEVEL_WARN, 0);
	snprintf(af->af_dir, sizeof(af->af_dir), "/tmp/ewsgw-test-XXXXXX");
	assert_non_null(mkdtemp(af->af_dir));
	assert_non_null(af->af_base = event_base_new());
	assert_non_null(af->af_net = net_loop_new(af->af_base));
	assert_non_null(af->af_timeout = evtimer_new(af->af_base,
	    auth_fixture_timeout_cb, af));
	af->af_conf = conf_defaults();
	free(af->af_conf->state_dir);
	assert_non_null(af->af_conf->state_dir = strdup(af->af_dir));
	af->af_store = store_open(af->af_dir, 1, err, sizeof(err));
	if (af->af_store == NULL)
		fail_msg("store_open: %s", err);
}

static inline void
auth_fixture_start(struct auth_fixture *af)
{
	char	 err[256];

	af->af_auth = auth_new(af->af_base, af->af_net, af->af_conf, err,
	    sizeof(err));
	if (af->af_auth == NULL)
		fail_msg("auth_new: %s", err);
}

static inline int
auth_fixture_close(struct auth_fixture *af)
{
	char	 cmd[128];

	auth_free(af->af_auth);
	store_close(af->af_store);
	if (af->af_timeout != NULL)
		event_free(af->af_timeout);
	net_loop_free(af->af_net);
	if (af->af_base != NULL)
		event_base_free(af->af_base);
	conf_free(af->af_conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", af->af_dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* Adds a user through the store; its id. PASSWORD NULL: none. */
static inline int64_t
auth_fixture_user(struct auth_fixture *af, const char *name,
    enum auth_mode mode, const char *password, int enabled)
{
	struct store_user	 u;
	char			 err[256];
	int64_t			 id;

	memset(&u, 0, sizeof(u));
	u.name = (char *)(uintptr_t)name;
	u.mailbox = "x@contoso.example";
	u.mode = mode;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.enabled = enabled;
	u.password_hash = password != NULL ? passwd_hash(password) : NULL;
	if (store_user_add(af->af_store, &u, err, sizeof(err)) != 0)
		fail_msg("store_user_add: %s", err);
	auth_secret_free(u.password_hash);
	memset(&u, 0, sizeof(u));
	assert_int_equal(store_user_get(af->af_store, name, &u, err,
	    sizeof(err)), 0);
	id = u.id;
	store_user_clear(&u);
	return (id);
}

/* Runs the loop until something calls loopexit, failing after SECONDS. */
static inline void
auth_fixture_dispatch(struct auth_fixture *af, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	evtimer_add(af->af_timeout, &tv);
	event_base_dispatch(af->af_base);
	evtimer_del(af->af_timeout);
}

/* Answers REQ with CODE and the JSON text, as a token endpoint does. */
static inline void
auth_fixture_reply_json(struct evhttp_request *req, int code,
    const char *json)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add_printf(b, "%s", json);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Bad Request", b);
	evbuffer_free(b);
}

/* The local port of socket FD. */
static inline int
auth_fixture_port(int fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return (ntohs(sin.sin_port));
}

/* Runs the loop for MS milliseconds. */
static inline void
auth_fixture_run(struct auth_fixture *af, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(af->af_base, &tv);
	event_base_dispatch(af->af_base);
}

#endif
