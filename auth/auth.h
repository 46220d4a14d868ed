/*
 * Users, their credentials and their tokens.
 *
 *   store   SQLite state_dir/ewsgw.db: users and sealed tokens (CLI + serve)
 *   login   sign-in: the device authorization grant, or the
 *           authorization code with PKCE (CLI)
 *   auth    the serving side: users in memory (reloaded when the database
 *           changes), Basic credential checks, access tokens per user with
 *           one refresh in flight at a time.
 *
 * Secrets (passwords, tokens, keys) stay inside auth/: nothing here logs
 * them, and buffers that held them are wiped before they are freed.
 */
#ifndef EWSGW_AUTH_H
#define EWSGW_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct event_base;
struct net_loop;

/* ---- modes, backends, token states: names as the CLI and JSON show ---- */

enum auth_mode {
	AUTH_MODE_DELEGATED,
	AUTH_MODE_ROPC,
	AUTH_MODE_APP,
	AUTH_MODE_ONPREM,
};
enum auth_backend {
	AUTH_BACKEND_DEFAULT = -1,	/* the config's [office365] backend */
	AUTH_BACKEND_EWS = 0,		/* same values as enum conf_backend */
	AUTH_BACKEND_GRAPH = 1,
};
enum auth_token_state {
	AUTH_TOKEN_NONE,		/* never signed in */
	AUTH_TOKEN_VALID,		/* has a refresh token that worked */
	AUTH_TOKEN_REFRESHING,		/* serve only: a refresh is in flight */
	AUTH_TOKEN_NEEDS_LOGIN,		/* refresh token refused: run login */
	AUTH_TOKEN_ERROR,		/* last refresh failed otherwise */
};

/* Name <-> value; the _byname functions return -1 when unknown, the
 * _name functions NULL for a value out of range. The name of
 * AUTH_BACKEND_DEFAULT is "default"; auth_backend_byname knows only
 * "ews" and "graph". */
const char	*auth_mode_name(enum auth_mode);
int		 auth_mode_byname(const char *);
const char	*auth_backend_name(enum auth_backend);
int		 auth_backend_byname(const char *);
const char	*auth_token_state_name(enum auth_token_state);
int		 auth_token_state_byname(const char *);
/* The accepted names as a phrase for messages: "ews or graph". Static. */
const char	*auth_mode_choices(void);
const char	*auth_backend_choices(void);

/* ---- the store (auth/store.c) ---- */

struct store;

/* One user row, as the CLI reads and writes it. Strings are owned by the
 * struct; store_user_clear frees them. */
struct store_user {
	int64_t		 id;
	char		*name;
	char		*mailbox;
	int		 mode;		/* enum auth_mode */
	int		 backend;	/* enum auth_backend */
	int		 enabled;
	char		*password_hash;	/* NULL: no local password */
	char		*impersonate;	/* NULL or "a@x,*@y" */
	int		 token_state;	/* enum auth_token_state */
	char		*token_error;	/* NULL, or e.g. "AADSTS50173: ..." */
	int64_t		 token_generation; /* bumped on every token write */
	int64_t		 access_expires;   /* epoch seconds; 0 = none */
};
void	store_user_clear(struct store_user *);

/*
 * Opens (creating when missing) state_dir/ewsgw.db in WAL mode, migrating
 * the schema to the current version, and loads state_dir/key (32 random
 * bytes, created 0600 when missing). With STRICT_KEY, a key file readable
 * or writable by group or others is refused (serve). NULL with a one-line
 * reason in err.
 */
struct store	*store_open(const char *state_dir, int strict_key, char *err,
		    size_t errlen);
void		 store_close(struct store *);

/*
 * User changes. Each returns 0, or -1 with a one-line reason in err
 * ("no such user: bob", "user alice already exists", "bad mailbox ...").
 * Names match case-insensitively. store_user_set writes the fields
 * that are not NULL / not -1 in U (name selects the row); there a
 * backend of STORE_BACKEND_RESET returns to the config default, an
 * impersonate of "" clears the list, and a new mailbox or mode clears
 * the user's tokens (state none: they belong to the old identity).
 */
#define STORE_BACKEND_RESET	(-2)
int	store_user_add(struct store *, const struct store_user *u, char *err,
	    size_t errlen);
int	store_user_set(struct store *, const struct store_user *u,
	    int clear_password, char *err, size_t errlen);
int	store_user_enable(struct store *, const char *name, int enabled,
	    char *err, size_t errlen);
int	store_user_remove(struct store *, const char *name, char *err,
	    size_t errlen);
/* 0 found (OUT filled), 1 not found, -1 error. */
int	store_user_get(struct store *, const char *name,
	    struct store_user *out, char *err, size_t errlen);
/* All users, sorted by name. *OUT is a new array of N rows; free with
 * store_users_free. 0 / -1. */
int	store_users_list(struct store *, struct store_user **out, size_t *n,
	    char *err, size_t errlen);
void	store_users_free(struct store_user *, size_t n);
/* Adds or updates every row of a CSV file (header name,mailbox,mode,
 * enabled) in one transaction: all or nothing. Errors name the line. */
int	store_users_import(struct store *, const char *csv_path, size_t *count,
	    char *err, size_t errlen);

/* A number that changes whenever another connection commits (SQLite
 * PRAGMA data_version). -1 on error. */
int64_t	store_data_version(struct store *);

/* The user's tokens, unsealed. Strings are new (wipe with auth_secret_free)
 * and NULL when absent. 0 / -1 (tampered or unreadable: err says so). */
struct store_tokens {
	char		*refresh_token;
	char		*access_token;
	int64_t		 access_expires;	/* epoch seconds */
	int64_t		 generation;
};
int	store_tokens_load(struct store *, int64_t user_id,
	    struct store_tokens *out, char *err, size_t errlen);
void	store_tokens_clear(struct store_tokens *);
/*
 * Seals and commits tokens and state in one transaction. With
 * EXPECT_GENERATION >= 0 the write happens only if the stored generation
 * still equals it (returns 1 when another writer came first). A NULL
 * refresh token keeps the stored one unless STATE is NEEDS_LOGIN or NONE
 * (then it is deleted). On success *NEW_GENERATION (if not NULL) is set.
 * 0 written, 1 generation mismatch, -1 error.
 */
int	store_tokens_save(struct store *, int64_t user_id,
	    const char *refresh_token, const char *access_token,
	    int64_t access_expires, int state, const char *error,
	    int64_t expect_generation, int64_t *new_generation,
	    char *err, size_t errlen);

/*
 * ropc: the passwd_hash of the password that produced the user's refresh
 * token (CHECK NULL clears it), written only while the stored generation
 * is still GENERATION and a refresh token is stored: 0 written, 1 not
 * (the tokens changed), -1 error. Storing a new refresh token keeps the
 * check; removing it (needs-login, none) drops it.
 */
int	store_password_check_save(struct store *, int64_t user_id,
	    const char *check, int64_t generation, char *err, size_t errlen);
/* The check stored with token generation GENERATION: *CHECK is new
 * (free()), NULL when there is none. 0 / -1. */
int	store_password_check_load(struct store *, int64_t user_id,
	    int64_t generation, char **check, char *err, size_t errlen);

/* ---- passwords (auth/passwd.c) ---- */

/* A new "pbkdf2-sha256$ITER$SALT$HASH" string (base64) for PASSWORD, or
 * NULL. Slow on purpose: never call it on the event loop. */
char	*passwd_hash(const char *password);
/* 1 match, 0 mismatch, -1 malformed ENCODED. Slow; constant-time compare. */
int	 passwd_verify(const char *password, const char *encoded);

/* Wipes and frees a secret string. NULL ok. */
void	 auth_secret_free(char *);

/* ---- sign-in (auth/login*.c): device code, or auth code + PKCE ---- */

/*
 * Runs the device-code flow for USER against the configured identity
 * platform on BASE (the caller runs the loop): prints Microsoft's message
 * to stdout, polls at the given interval (obeying slow_down), and stores
 * the tokens. DONE runs once, never inside this call, with 0 on success
 * or -1 with a one-line reason (declined, expired, AADSTS code, network)
 * in ERRMSG; the sign-in is freed when DONE returns. NULL with a reason in
 * ERR when it cannot start (unknown user, mode not delegated, config).
 */
struct auth_login;
typedef void	 (*auth_login_cb)(void *arg, int rc, const char *errmsg);
struct auth_login *auth_login_start(struct event_base *, struct net_loop *,
	    const struct conf *, struct store *, const char *user,
	    auth_login_cb done, void *arg, char *err, size_t errlen);
/*
 * The same with the authorization-code flow and PKCE (office365.md §1.5):
 * prints the authorize URL, then takes the redirect back either as a
 * line pasted on IN_FD (the address the browser landed on, or just the
 * code; -1: none) or, when redirect_uri is http://localhost[:PORT]/...
 * or http://127.0.0.1[:PORT]/..., from a listener on that address (any
 * free port when it names none) that lives as long as the sign-in.
 * Both are read on BASE. The state is checked, the code redeemed and the
 * tokens checked and stored as in the device flow. An error on the
 * redirect ends it with Microsoft's error and AADSTS text.
 */
struct auth_login *auth_login_browser_start(struct event_base *,
	    struct net_loop *, const struct conf *, struct store *,
	    const char *user, int in_fd, auth_login_cb done, void *arg,
	    char *err, size_t errlen);
/* Stops a sign-in whose DONE has not run yet (Ctrl-C): DONE will not
 * run, nothing is stored. NULL ok. */
void	auth_login_cancel(struct auth_login *);

/* ---- the serving side (auth/auth.c, users.c, basic.c, token.c) ---- */

struct auth;
struct auth_user;	/* refcounted snapshot of one user */
struct auth_wait;	/* a pending asynchronous answer; cancelable */

/*
 * Opens the store (strict key check), loads all users, and watches the
 * database so a CLI change is seen within one second. Starts two threads
 * for password checks; they hand results back through a pipe, so the
 * base needs no evthread locking. NULL + err.
 */
struct auth	*auth_new(struct event_base *, struct net_loop *,
		    const struct conf *, char *err, size_t errlen);
/* Release every auth_user and auth_wait first; call before net_loop_free
 * and event_base_free. Joins the threads. NULL ok. */
void		 auth_free(struct auth *);

/* Counts users by token state for /metrics: COUNTS has one slot per
 * enum auth_token_state. */
void		 auth_users_by_token_state(struct auth *, unsigned *counts,
		    size_t n);
/* Refresh results so far: ok and failed, for /metrics. */
void		 auth_refresh_counts(struct auth *, unsigned long *ok,
		    unsigned long *failed);

enum auth_verdict {
	AUTH_OK,
	AUTH_PENDING,		/* the answer comes through the callback */
	AUTH_NO_CREDENTIALS,	/* 401 + challenge */
	AUTH_BAD_CREDENTIALS,	/* 401 + challenge */
	AUTH_DISABLED,		/* 403 */
	AUTH_ERROR,		/* 500: ewsgw could not decide */
};
/*
 * Checks an Authorization header value (may be NULL). Returns the verdict
 * at once when it can (then *USER holds a new reference on AUTH_OK); else
 * AUTH_PENDING, *WAIT is set, and CB runs once later with the verdict and
 * a new reference (unless auth_wait_cancel is called first).
 */
typedef void	 (*auth_basic_cb)(void *arg, enum auth_verdict,
		    struct auth_user *);
enum auth_verdict auth_check_basic(struct auth *, const char *authorization,
		    struct auth_user **user, auth_basic_cb cb, void *arg,
		    struct auth_wait **wait);

/* The user called NAME (case-insensitive) as last loaded, as a new
 * reference; NULL when there is none. */
struct auth_user *auth_user_byname(struct auth *, const char *name);
void		 auth_user_ref(struct auth_user *);
void		 auth_user_unref(struct auth_user *);	/* NULL ok */
const char	*auth_user_name(const struct auth_user *);
const char	*auth_user_mailbox(const struct auth_user *);
enum auth_mode	 auth_user_mode(const struct auth_user *);
/* Resolved: never AUTH_BACKEND_DEFAULT. */
enum auth_backend auth_user_backend(const struct auth_user *);
/* The impersonation allow-list ("a@x,*@domain"), NULL when none. */
const char	*auth_user_impersonate(const struct auth_user *);
/*
 * 1 when the user may reach mailbox ADDR in app mode: ADDR is the user's
 * own mailbox or on its allow-list (case-insensitive; "*@domain" is any
 * address at exactly that domain), 0 otherwise and for anything that is
 * not one plain SMTP address.
 */
int		 auth_user_may_reach(const struct auth_user *, const char *addr);

enum auth_token_result {
	AUTH_TOKEN_OK,
	AUTH_TOKEN_NEEDS_SIGNIN,	/* no token, or refresh refused */
	AUTH_TOKEN_UNAVAILABLE,		/* identity platform down / slow */
	AUTH_TOKEN_FAILED,		/* anything else */
	/* ropc only: answers about the password the client sent. */
	AUTH_TOKEN_BAD_PASSWORD,	/* the identity platform refused it
					 * (AADSTS50126), now or lately:
					 * 401 + Basic challenge */
	AUTH_TOKEN_REFUSED,		/* no password sign-in possible for
					 * this account (MFA, conditional
					 * access, consent, locked, disabled,
					 * expired password, ...): 403; REASON
					 * says what the admin must do */
};
/*
 * A bearer token for USER. On success the token string is borrowed for
 * the duration of the callback only. REASON (no secrets) explains a
 * failure to an admin ("run 'ewsgw login alice'", "AADSTS50173: ...").
 * With REJECTED set (the upstream refused that token) a refresh is forced
 * unless the current token already differs from it. A ropc USER (as
 * auth_check_basic returned it) carries its client's password: a token
 * made with another password is never handed out for it. Concurrent
 * calls for one user share one refresh. CB never runs inside this call.
 * NULL (CB will not run) only when out of memory.
 */
typedef void	 (*auth_token_cb)(void *arg, enum auth_token_result,
		    const char *bearer, const char *reason);
struct auth_wait *auth_token_get(struct auth *, struct auth_user *,
		    const char *rejected, auth_token_cb cb, void *arg);

/* Drops a pending answer: its callback will not run. NULL ok. A wait is
 * gone once its callback starts: do not cancel it from there on. */
void		 auth_wait_cancel(struct auth_wait *);

#endif
