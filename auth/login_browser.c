/*
 * `ewsgw login NAME --browser`: the authorization-code flow with PKCE for
 * a public client (office365.md §1.5). Print the authorize URL, take the
 * redirect back (pasted on stdin, or received by the loopback listener
 * when redirect_uri is http://localhost...), check its state, redeem the
 * code with the verifier; login.c checks and stores the tokens.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/crypto.h>

#include "auth/login_int.h"
#include "conf/conf.h"
#include "log.h"

#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define LOGIN_WAIT_S		900	/* for the browser: 15 minutes */
#define LOGIN_PROMPT		"select_account"
#define LOGIN_MAX_SHOWN		200	/* of Microsoft's error text */

static void	login_browser_in_cb(int, short, void *);

void
login_browser_free(struct login_browser *lb)
{
	if (lb == NULL)
		return;
	login_listen_free(lb);
	if (lb->lb_in != NULL)
		event_free(lb->lb_in);
	auth_secret_free(lb->lb_verifier);
	auth_secret_free(lb->lb_code);
	free(lb->lb_redirect);
	OPENSSL_cleanse(lb->lb_line, sizeof(lb->lb_line));
	free(lb);
}

/* The timer: redeem the code once it came (again after a transient
 * failure), or give up when nobody signed in. */
static void
login_browser_step(struct auth_login *lg)
{
	struct login_browser		*lb = lg->lg_browser;
	const struct auth_form_field	 fields[] = {
		{ "client_id", lg->lg_conf->client_id },
		{ "grant_type", "authorization_code" },
		{ "code", lb->lb_code },
		{ "redirect_uri", lb->lb_redirect },
		{ "code_verifier", lb->lb_verifier },
		{ "scope", lg->lg_scope },
	};
	time_t				 now = login_now();

	if (lb->lb_code != NULL)
		login_token_post(lg, auth_form(fields, NITEMS(fields)));
	else if (now >= lb->lb_deadline)
		login_finish(lg, "no sign-in came back within %d minutes; run "
		    "'ewsgw login %s --browser' again", LOGIN_WAIT_S / 60,
		    lg->lg_user.name);
	else
		login_schedule(lg, (long)(lb->lb_deadline - now));
}

/* Microsoft's error_description in plain words: its first line only
 * (Trace ID and the rest follow), control bytes replaced, capped. */
static void
login_browser_shown(const char *s, char *out, size_t len)
{
	size_t	 n = s != NULL ? strcspn(s, "\r\n") : 0;

	if (n >= len)
		n = len - 1;
	if (n > LOGIN_MAX_SHOWN)
		n = LOGIN_MAX_SHOWN;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[n] = '\0';
}

void
login_browser_got(struct auth_login *lg, struct login_redirect *r)
{
	struct login_browser	*lb = lg->lg_browser;
	char			 error[64], desc[LOGIN_MAX_SHOWN + 1];

	if (r->state != NULL && strcmp(r->state, lb->lb_state) != 0) {
		login_redirect_clear(r);
		login_finish(lg, "the redirect's state does not match this "
		    "sign-in's (it belongs to another attempt, or was forged): "
		    "nothing was stored; run 'ewsgw login %s --browser' again",
		    lg->lg_user.name);
		return;
	}
	if (r->error != NULL) {
		login_browser_shown(r->error, error, sizeof(error));
		login_browser_shown(r->error_description, desc, sizeof(desc));
		login_redirect_clear(r);
		login_finish(lg, "the identity platform refused the sign-in: "
		    "%s%s%s%s", desc, desc[0] != '\0' ? " (" : "", error,
		    desc[0] != '\0' ? ")" : "");
		return;
	}
	if (r->state == NULL && !r->bare) {
		login_redirect_clear(r);
		login_finish(lg, "the address has a code but no state, so it "
		    "cannot be matched to this sign-in: nothing was stored; "
		    "paste the whole address the browser landed on");
		return;
	}
	lb->lb_code = r->code;
	r->code = NULL;
	login_redirect_clear(r);
	if (lb->lb_in != NULL)
		event_del(lb->lb_in);
	printf("code received; redeeming it\n");
	fflush(stdout);
	login_schedule(lg, 0);
}

/* One pasted line: 1 when it was a redirect (then LG may be gone and
 * stdin is done with), 0 to keep reading. */
static int
login_browser_line(struct auth_login *lg, const char *line)
{
	struct login_redirect	 r;

	if (line[strspn(line, " \t\r")] == '\0')
		return 0;
	if (login_redirect_parse(line, &r) == -1) {
		fprintf(stderr, "ewsgw: that is neither the address the "
		    "browser landed on nor a code; paste the whole address\n");
		return 0;
	}
	login_browser_got(lg, &r);
	return 1;
}

/* The pasted input ended without a redirect in it. */
static void
login_browser_eof(struct auth_login *lg)
{
	struct login_browser	*lb = lg->lg_browser;

	event_del(lb->lb_in);
	if (lb->lb_line[0] != '\0' && login_browser_line(lg, lb->lb_line))
		return;
	OPENSSL_cleanse(lb->lb_line, sizeof(lb->lb_line));
	lb->lb_linelen = 0;
	/* with a listener, the browser may still come */
	if (lb->lb_http == NULL)
		login_finish(lg, "stdin ended before the address the browser "
		    "landed on was pasted");
}

/* Stdin can be read: take what is there, act on each whole line. */
static void
login_browser_in_cb(int fd, short events, void *arg)
{
	struct auth_login	*lg = arg;
	struct login_browser	*lb = lg->lg_browser;
	char			*line = lb->lb_line, *nl;
	ssize_t			 n;
	size_t			 len;

	n = read(fd, line + lb->lb_linelen, sizeof(lb->lb_line) - 1 -
	    lb->lb_linelen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		line[lb->lb_linelen] = '\0';
		login_browser_eof(lg);
		return;
	}
	lb->lb_linelen += (size_t)n;
	line[lb->lb_linelen] = '\0';
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		len = (size_t)(nl + 1 - line);
		if (login_browser_line(lg, line))
			return;
		memmove(line, line + len, lb->lb_linelen - len + 1);
		lb->lb_linelen -= len;
		OPENSSL_cleanse(line + lb->lb_linelen + 1,
		    sizeof(lb->lb_line) - lb->lb_linelen - 1);
	}
	if (lb->lb_linelen == sizeof(lb->lb_line) - 1) {
		OPENSSL_cleanse(line, sizeof(lb->lb_line));
		lb->lb_linelen = 0;
		fprintf(stderr, "ewsgw: that line is over %d bytes; paste "
		    "the address again\n", LOGIN_LINE_MAX - 1);
	}
	if (lb->lb_in_file)	/* a file or /dev/null: read on */
		event_active(lb->lb_in, EV_READ, 0);
}

/* The redirect URI to send: the configured one, with the port the
 * listener got when it named none. 0 / -1. */
static int
login_browser_redirect(struct login_browser *lb, const char *uri, int port)
{
	struct evhttp_uri	*u;
	char			 buf[1024];

	if (port == 0) {
		lb->lb_redirect = strdup(uri);
		return lb->lb_redirect != NULL ? 0 : -1;
	}
	if ((u = evhttp_uri_parse(uri)) == NULL)
		return -1;
	evhttp_uri_set_port(u, port);
	if (evhttp_uri_get_path(u) == NULL ||
	    *evhttp_uri_get_path(u) == '\0')
		evhttp_uri_set_path(u, "/");
	if (evhttp_uri_join(u, buf, sizeof(buf)) != NULL)
		lb->lb_redirect = strdup(buf);
	evhttp_uri_free(u);
	return lb->lb_redirect != NULL ? 0 : -1;
}

/* Reads pasted lines from FD on the loop: an event when FD can be
 * polled (a terminal, pipe or socket), else reads as long as there is
 * something (a file, /dev/null: epoll refuses those). */
static int
login_browser_stdin(struct auth_login *lg, int fd)
{
	struct login_browser	*lb = lg->lg_browser;
	struct stat		 st;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == -1)
		return -1;
	lb->lb_in_fd = fd;
	lb->lb_in_file = !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
	    !isatty(fd);
	if ((lb->lb_in = event_new(lg->lg_base, fd, lb->lb_in_file ? 0 :
	    EV_READ | EV_PERSIST, login_browser_in_cb, lg)) == NULL)
		return -1;
	if (lb->lb_in_file)
		event_active(lb->lb_in, EV_READ, 0);
	else if (event_add(lb->lb_in, NULL) == -1)
		return -1;
	return 0;
}

/* The authorize URL (§1.5 step 1); new string or NULL. */
static char *
login_browser_url(struct auth_login *lg)
{
	struct login_browser		*lb = lg->lg_browser;
	char				 challenge[PKCE_CHALLENGE_CHARS + 1];
	const struct auth_form_field	 fields[] = {
		{ "client_id", lg->lg_conf->client_id },
		{ "response_type", "code" },
		{ "redirect_uri", lb->lb_redirect },
		{ "response_mode", "query" },
		{ "scope", lg->lg_scope },
		{ "state", lb->lb_state },
		{ "code_challenge", challenge },
		{ "code_challenge_method", "S256" },
		{ "login_hint", lg->lg_user.mailbox },
		{ "prompt", LOGIN_PROMPT },
	};
	char				*base = NULL, *query = NULL;
	char				*url = NULL;

	if (pkce_challenge(lb->lb_verifier, challenge) == 0 &&
	    (base = conf_identity_url(lg->lg_conf, "authorize")) != NULL &&
	    (query = auth_form(fields, NITEMS(fields))) != NULL &&
	    asprintf(&url, "%s?%s", base, query) == -1)
		url = NULL;
	free(base);
	free(query);
	return url;
}

struct auth_login *
auth_login_browser_start(struct event_base *base, struct net_loop *loop,
    const struct conf *conf, struct store *store, const char *name,
    int in_fd, auth_login_cb done, void *arg, char *err, size_t errlen)
{
	struct auth_login	*lg;
	struct login_browser	*lb;
	char			 host[64], path[256], *url = NULL;
	int			 port = 0, bound = 0, loopback;

	if ((lg = login_new(base, loop, conf, store, name, login_browser_step,
	    done, arg, err, errlen)) == NULL)
		return NULL;
	lg->lg_again = " --browser";
	if ((lb = lg->lg_browser = calloc(1, sizeof(*lb))) == NULL)
		goto oom;
	lb->lb_in_fd = -1;
	lb->lb_deadline = login_now() + LOGIN_WAIT_S;
	if ((lb->lb_verifier = malloc(PKCE_VERIFIER_CHARS + 1)) == NULL ||
	    pkce_random(lb->lb_verifier, PKCE_VERIFIER_CHARS + 1,
	    PKCE_VERIFIER_CHARS / 4 * 3) == -1 ||
	    pkce_random(lb->lb_state, sizeof(lb->lb_state),
	    PKCE_STATE_CHARS / 4 * 3 + 1) == -1) {
		snprintf(err, errlen, "cannot make random PKCE values");
		goto fail;
	}
	loopback = conf->redirect_uri != NULL && login_loopback(
	    conf->redirect_uri, host, sizeof(host), &port, path, sizeof(path));
	if (loopback && login_listen(lg, host, port, path, &bound, err,
	    errlen) == -1)
		goto fail;
	if (login_browser_redirect(lb, conf->redirect_uri != NULL ?
	    conf->redirect_uri : "", loopback && port == 0 ? bound : 0) == -1 ||
	    (url = login_browser_url(lg)) == NULL)
		goto oom;
	if (login_browser_stdin(lg, in_fd) == -1) {
		snprintf(err, errlen, "cannot read stdin: %s", strerror(errno));
		goto fail;
	}
	printf("To sign in %s, open this address in a web browser and sign "
	    "in as %s:\n\n%s\n\n", lg->lg_user.name, lg->lg_user.mailbox, url);
	if (loopback)
		printf("ewsgw waits for the browser at %s (or paste the "
		    "address the browser landed on here).\n", lb->lb_redirect);
	else
		printf("The browser ends on a blank page: copy its address "
		    "(or just the code) here and press Enter.\n");
	fflush(stdout);
	free(url);
	return lg;
 oom:
	snprintf(err, errlen, "out of memory");
 fail:
	free(url);
	auth_login_cancel(lg);
	return NULL;
}
