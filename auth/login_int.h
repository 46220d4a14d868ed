/*
 * Internals of `ewsgw login` (auth/login*.c): what the device-code flow
 * (login_device.c) and the authorization-code flow (login_browser.c,
 * login_listen.c) share. login.c checks the user, runs the retry timer,
 * redeems nothing itself, and stores what a flow obtained.
 */
#ifndef EWSGW_AUTH_LOGIN_INT_H
#define EWSGW_AUTH_LOGIN_INT_H

#include <time.h>

#include "auth/auth_int.h"

struct event;
struct evhttp;
struct login_browser;

struct auth_login {
	struct event_base	*lg_base;
	struct net_loop		*lg_loop;
	const struct conf	*lg_conf;
	struct store		*lg_store;
	struct store_user	 lg_user;
	auth_login_cb		 lg_done;
	void			*lg_arg;
	const char		*lg_again;	/* " --browser" or "" */

	char			*lg_scope;	/* requested */
	struct fetch		*lg_fetch;	/* the request in flight */
	struct event		*lg_timer;	/* runs lg_step */
	void			(*lg_step)(struct auth_login *);
	int			 lg_net_failures; /* in a row */

	/* device flow */
	char			*lg_device_code; /* secret; NULL before */
	long			 lg_interval;	/* seconds between polls */
	time_t			 lg_deadline;	/* monotonic: code expires */

	/* authorization-code flow; NULL in the device flow */
	struct login_browser	*lg_browser;
};

/*
 * A new sign-in for USER, checked (delegated, config complete): the
 * timer is set to run STEP from the loop at once. NULL with ERR.
 */
struct auth_login *login_new(struct event_base *, struct net_loop *,
	    const struct conf *, struct store *, const char *user,
	    void (*step)(struct auth_login *), auth_login_cb done, void *arg,
	    char *err, size_t errlen);
/* Ends the sign-in: frees it, then calls DONE (FMT NULL: success). */
void	login_finish(struct auth_login *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Ends the sign-in: the code expired before anyone signed in. */
void	login_expired(struct auth_login *);
/* Runs lg_step after SECONDS. */
void	login_schedule(struct auth_login *, long seconds);
/* No answer, a 5xx or temporarily_unavailable: back off, then give up. */
void	login_retry(struct auth_login *, const struct oauth_error *);
/* A monotonic clock in seconds. */
time_t	login_now(void);
/* POSTs FORM (wiped here) to the token endpoint; the answer goes to
 * login_token_cb. Finishes the sign-in when nothing could be sent. */
void	login_token_post(struct auth_login *, char *form);
/* The token endpoint's answer to a grant (device poll or code redemption):
 * stores the tokens (checking scope and account) or reports. */
void	login_token_cb(void *arg, enum oauth_outcome, struct oauth_tokens *,
	    const struct oauth_error *);

/* ---- PKCE (auth/pkce.c), RFC 7636 ---- */

#define PKCE_VERIFIER_CHARS	64	/* 48 random bytes, base64url */
#define PKCE_CHALLENGE_CHARS	43	/* SHA-256, base64url, no '=' */
#define PKCE_STATE_CHARS	22	/* 16 random bytes */

/* LEN random bytes from RAND_bytes as base64url without padding into
 * OUT (4 * LEN / 3 + 2 bytes at least). 0 / -1. */
int	pkce_random(char *out, size_t outlen, size_t len);
/* base64url(SHA-256(VERIFIER)) without padding. 0 / -1. */
int	pkce_challenge(const char *verifier,
	    char out[PKCE_CHALLENGE_CHARS + 1]);

/* ---- the authorization-code flow (auth/login_browser.c) ---- */

#define LOGIN_LINE_MAX		8192	/* a pasted address */

struct login_redirect {
	char	*code;		/* secret */
	char	*state;
	char	*error;
	char	*error_description;
	int	 bare;		/* a code alone, not a URL */
};

struct login_browser {
	char			*lb_verifier;	/* secret */
	char			 lb_state[PKCE_STATE_CHARS + 1];
	char			*lb_redirect;	/* redirect_uri as sent */
	char			*lb_code;	/* secret; NULL until it came */
	time_t			 lb_deadline;	/* monotonic */

	int			 lb_in_fd;	/* pasted input; -1 none */
	int			 lb_in_file;	/* not pollable: just read */
	struct event		*lb_in;
	char			 lb_line[LOGIN_LINE_MAX]; /* wiped */
	size_t			 lb_linelen;

	/* the loopback listener (login_listen.c); NULL when none */
	struct evhttp		*lb_http;
	char			 lb_path[256];	/* of the redirect URI */
	struct event		*lb_deliver;	/* hands lb_got over */
	struct login_redirect	 lb_got;
	int			 lb_got_set;
};

/* Frees the flow's state (listener, stdin event, secrets). NULL ok. */
void	login_browser_free(struct login_browser *);
/* What the redirect brought (pasted or received): check the state, show
 * an error, or redeem the code. R is cleared. */
void	login_browser_got(struct auth_login *, struct login_redirect *r);

/* ---- the loopback listener (auth/login_listen.c) ---- */

/* Listens on HOST:PORT (PORT 0: any) for the browser's redirect to
 * PATH; *BOUND gets the port. 0, or -1 with ERR. */
int	login_listen(struct auth_login *, const char *host, int port,
	    const char *path, int *bound, char *err, size_t errlen);
void	login_listen_free(struct login_browser *);

/*
 * Parses what the admin pasted or the listener got: a URL (query or
 * fragment), a bare query string, or a bare code. Fills R with new
 * strings (NULL when absent). 0, or -1 when it holds neither a code nor
 * an error. login_redirect_clear wipes and frees them.
 */
int	login_redirect_parse(const char *input, struct login_redirect *);
void	login_redirect_clear(struct login_redirect *);

/*
 * The loopback listener's address when URI is http://localhost[:PORT]/...
 * or http://127.0.0.1[:PORT]/... (PORT 0 when none: pick one). 1 and HOST
 * (the address to bind), PORT and PATH filled when it is; 0 when URI is
 * not a loopback http URI.
 */
int	login_loopback(const char *uri, char *host, size_t hostlen,
	    int *port, char *path, size_t pathlen);

#endif
