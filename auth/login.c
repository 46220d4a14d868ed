/*
 * `ewsgw login`: what both sign-in flows share (office365.md §1.4, §1.5):
 * check that the user may sign in, run the flow's steps from one timer,
 * retry a token endpoint that is briefly away, and check that the right
 * account signed in with the right scope before storing the tokens. The
 * flows themselves are in login_device.c and login_browser.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "auth/login_int.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"

#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define LOGIN_NET_RETRIES	3	/* then give up: 1 + 2 + 4 s */
#define LOGIN_SLOW_DOWN_S	5	/* RFC 8628 §3.5 */
#define LOGIN_SCOPE_WANTED	"EWS.AccessAsUser.All"

/* Why the other modes have no use for a device-code sign-in. */
static const char *const login_mode_why[] = {
	[AUTH_MODE_ROPC] = "its tokens come from the password its client "
	    "sends",
	[AUTH_MODE_APP] = "the gateway uses its own app-only token for it",
	[AUTH_MODE_ONPREM] = "its requests go to on-premises Exchange with "
	    "the client's own credentials",
};

/* Claims of an ID token naming the account that signed in. */
static const char *const login_account_claims[] = {
	"preferred_username", "upn", NULL,
};

time_t
login_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
login_free(struct auth_login *lg)
{
	if (lg == NULL)
		return;
	oauth_token_cancel(lg->lg_fetch);	/* any request: see oauth.c */
	login_browser_free(lg->lg_browser);
	if (lg->lg_timer != NULL)
		event_free(lg->lg_timer);
	auth_secret_free(lg->lg_device_code);
	free(lg->lg_scope);
	store_user_clear(&lg->lg_user);
	free(lg);
}

void
auth_login_cancel(struct auth_login *lg)
{
	login_free(lg);
}

void
login_finish(struct auth_login *lg, const char *fmt, ...)
{
	auth_login_cb	 done = lg->lg_done;
	void		*arg = lg->lg_arg;
	char		 msg[512];
	va_list		 ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	login_free(lg);
	done(arg, fmt == NULL ? 0 : -1, fmt == NULL ? NULL : msg);
}

void
login_expired(struct auth_login *lg)
{
	login_finish(lg, "the code expired before sign-in finished; run "
	    "'ewsgw login %s%s' again", lg->lg_user.name, lg->lg_again);
}

void
login_schedule(struct auth_login *lg, long seconds)
{
	struct timeval	 tv = { .tv_sec = seconds, .tv_usec = 0 };

	evtimer_add(lg->lg_timer, &tv);
}

static void
login_timer_cb(int fd, short events, void *arg)
{
	struct auth_login	*lg = arg;

	lg->lg_step(lg);
}

/* No answer, a 5xx or temporarily_unavailable: back off, then give up. */
void
login_retry(struct auth_login *lg, const struct oauth_error *err)
{
	long	 delay;

	if (++lg->lg_net_failures > LOGIN_NET_RETRIES) {
		login_finish(lg, "%s", err->message);
		return;
	}
	delay = 1L << (lg->lg_net_failures - 1);
	if (delay < lg->lg_interval)	/* device flow: never sooner */
		delay = lg->lg_interval;
	log_debug("sign-in for %s: %s; retrying in %ld s", lg->lg_user.name,
	    err->message, delay);
	login_schedule(lg, delay);
}

/* SCOPE plus "openid profile", so the ID token names the account. */
static char *
login_scope(const char *scope)
{
	static const char *const extra[] = { "openid", "profile" };
	char	*out;
	size_t	 len = strlen(scope);

	if ((out = malloc(len + sizeof(" openid profile"))) == NULL)
		return NULL;
	memcpy(out, scope, len + 1);
	for (size_t i = 0; i < NITEMS(extra); i++) {
		const char	*p = out;
		size_t		 n = strlen(extra[i]), w;
		int		 found = 0;

		while (*(p += strspn(p, " ")) != '\0') {
			w = strcspn(p, " ");
			if (w == n && strncmp(p, extra[i], n) == 0)
				found = 1;
			p += w;
		}
		if (!found) {
			strcat(out, out[0] != '\0' ? " " : "");
			strcat(out, extra[i]);
		}
	}
	return out;
}

/* Whether the space-separated SCOPE grants EWS.AccessAsUser.All (bare,
 * or under a resource such as https://outlook.office365.com/). */
static int
login_scope_grants_ews(const char *scope)
{
	const size_t	 n = strlen(LOGIN_SCOPE_WANTED);
	const char	*p = scope;
	size_t		 w;

	while (*(p += strspn(p, " ")) != '\0') {
		w = strcspn(p, " ");
		if (w >= n && strncasecmp(p + w - n, LOGIN_SCOPE_WANTED,
		    n) == 0 && (w == n || p[w - n - 1] == '/'))
			return 1;
		p += w;
	}
	return 0;
}

/* The granted tokens: check them, store them, report. */
static void
login_store(struct auth_login *lg, const struct oauth_tokens *t)
{
	const char	*name = lg->lg_user.name;
	const char	*granted;
	char		*account = NULL;
	char		 err[256], until[64];
	time_t		 at = (time_t)t->expires_at;
	struct tm	 tm;

	/* no scope in the answer means the one asked for (RFC 6749 5.1) */
	granted = t->scope != NULL ? t->scope : lg->lg_scope;
	if (!login_scope_grants_ews(granted)) {
		login_finish(lg, "the token does not grant %s (granted: %s); "
		    "give the app that delegated permission, then run "
		    "'ewsgw login %s%s' again", LOGIN_SCOPE_WANTED, granted,
		    name, lg->lg_again);
		return;
	}
	if (t->refresh_token == NULL) {
		login_finish(lg, "the identity platform sent no refresh "
		    "token: add offline_access to scope in %s",
		    lg->lg_conf->path);
		return;
	}
	if ((account = jwt_claim(t->id_token, login_account_claims)) ==
	    NULL) {
		login_finish(lg, "the identity platform sent no ID token "
		    "naming the account, so it cannot be checked against "
		    "mailbox %s; nothing was stored", lg->lg_user.mailbox);
		return;
	}
	if (strcasecmp(account, lg->lg_user.mailbox) != 0) {
		login_finish(lg, "%s signed in, but %s is mapped to mailbox "
		    "%s; nothing was stored: sign in as %s, or change the "
		    "mapping with 'ewsgw user set %s --mailbox ADDR'",
		    account, name, lg->lg_user.mailbox, lg->lg_user.mailbox,
		    name);
		free(account);
		return;
	}
	free(account);
	if (store_tokens_save(lg->lg_store, lg->lg_user.id, t->refresh_token,
	    t->access_token, t->expires_at, AUTH_TOKEN_VALID, NULL, -1, NULL,
	    err, sizeof(err)) != 0) {
		login_finish(lg, "cannot store the tokens: %s", err);
		return;
	}
	localtime_r(&at, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%S %Z", &tm);
	printf("signed in %s (%s); token valid until %s\n", name,
	    lg->lg_user.mailbox, until);
	fflush(stdout);
	login_finish(lg, NULL);
}

void
login_token_cb(void *arg, enum oauth_outcome outcome,
    struct oauth_tokens *tokens, const struct oauth_error *err)
{
	struct auth_login	*lg = arg;

	lg->lg_fetch = NULL;
	if (outcome != OAUTH_TRANSIENT)
		lg->lg_net_failures = 0;
	switch (outcome) {
	case OAUTH_OK:
		login_store(lg, tokens);
		break;
	case OAUTH_SLOW_DOWN:
		lg->lg_interval += LOGIN_SLOW_DOWN_S;
		/* FALLTHROUGH */
	case OAUTH_PENDING:
		login_schedule(lg, lg->lg_interval);
		break;
	case OAUTH_DECLINED:
		login_finish(lg, "sign-in was declined (%s)", err->message);
		break;
	case OAUTH_EXPIRED:
		login_expired(lg);
		break;
	case OAUTH_TRANSIENT:
		login_retry(lg, err);
		break;
	case OAUTH_INVALID_GRANT:
	case OAUTH_FAILED:
		login_finish(lg, "sign-in failed: %s", err->message);
		break;
	}
}

void
login_token_post(struct auth_login *lg, char *form)
{
	if (form != NULL)
		lg->lg_fetch = oauth_token_request(lg->lg_loop, lg->lg_conf,
		    form, login_token_cb, lg);
	auth_secret_free(form);
	if (lg->lg_fetch == NULL)
		login_finish(lg, "cannot send a request to the identity "
		    "platform");
}

/* 0 when USER may sign in here, else -1 with the reason in ERR. */
static int
login_check(const struct conf *conf, struct store *store, const char *name,
    struct store_user *user, char *err, size_t errlen)
{
	const char	*why;
	int		 rc;

	const int	 no_tenant = conf->tenant_id == NULL ||
			    *conf->tenant_id == '\0';

	if (no_tenant || conf->client_id == NULL || *conf->client_id == '\0') {
		snprintf(err, errlen, "set %s in %s (the app registration's "
		    "%s ID)", no_tenant ? "tenant_id" : "client_id",
		    conf->path != NULL ? conf->path : "the config",
		    no_tenant ? "Directory (tenant)" : "Application (client)");
		return -1;
	}
	if ((rc = store_user_get(store, name, user, err, errlen)) != 0) {
		if (rc == 1)
			snprintf(err, errlen, "no such user: %s", name);
		return -1;
	}
	if (user->mode != AUTH_MODE_DELEGATED) {
		why = user->mode >= 0 && (size_t)user->mode <
		    NITEMS(login_mode_why) ? login_mode_why[user->mode] : NULL;
		snprintf(err, errlen, "%s has mode %s: %s; 'ewsgw login' is "
		    "only for delegated users", user->name,
		    auth_mode_name(user->mode) != NULL ?
		    auth_mode_name(user->mode) : "unknown",
		    why != NULL ? why : "it does not use a signed-in token");
		store_user_clear(user);
		return -1;
	}
	/* admins sign users in before they enable them */
	if (!user->enabled)
		fprintf(stderr, "ewsgw: warning: %s is disabled; its token "
		    "will be used once 'ewsgw user enable %s' is run\n",
		    user->name, user->name);
	return 0;
}

struct auth_login *
login_new(struct event_base *base, struct net_loop *loop,
    const struct conf *conf, struct store *store, const char *name,
    void (*step)(struct auth_login *), auth_login_cb done, void *arg,
    char *err, size_t errlen)
{
	struct auth_login	*lg;

	if ((lg = calloc(1, sizeof(*lg))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (login_check(conf, store, name, &lg->lg_user, err, errlen) != 0)
		goto fail;
	lg->lg_base = base;
	lg->lg_loop = loop;
	lg->lg_conf = conf;
	lg->lg_store = store;
	lg->lg_step = step;
	lg->lg_done = done;
	lg->lg_arg = arg;
	lg->lg_again = "";
	if ((lg->lg_scope = login_scope(conf->scope != NULL ? conf->scope :
	    "")) == NULL ||
	    (lg->lg_timer = evtimer_new(base, login_timer_cb, lg)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* from the loop, so DONE never runs inside the start call */
	login_schedule(lg, 0);
	return lg;
 fail:
	login_free(lg);
	return NULL;
}
