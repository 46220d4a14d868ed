/*
 * Internals of the serving side of auth/ (auth.c, users.c, basic.c,
 * token.c, slot.c, wait.c, worker.c). Everything here runs on the event
 * loop thread, except the job functions handed to the worker pool.
 *
 * Objects and owners:
 *   struct auth        the caller of auth_new
 *   struct auth_table  struct auth (the current one; replaced on reload)
 *   struct auth_user   refcounted: the table, requests, waits
 *   struct auth_slot   refcounted by the auth_user snapshots of one user
 *                      id: survives reloads, holds tokens and the Basic
 *                      cache, so they are not lost when a CLI change
 *                      makes a new snapshot
 *   struct auth_wait   the caller of auth_check_basic / auth_token_get
 *                      until its callback runs or it is cancelled
 */
#ifndef EWSGW_AUTH_SERVE_INT_H
#define EWSGW_AUTH_SERVE_INT_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include "auth/auth.h"

struct event;
struct evp_mac_st;
struct fetch;
struct oauth_tokens;
struct worker;
struct worker_job;

#define AUTH_MAC_BYTES		32	/* HMAC-SHA256 */
#define AUTH_BAD_RING		4	/* wrong passwords kept per user */
#define AUTH_BAD_TTL_S		60
#define AUTH_REASON_BYTES	512
#define AUTH_WATCH_MS		250	/* how often the store is polled */
#define AUTH_BACKOFF_MIN_S	5	/* after a failed refresh */
#define AUTH_BACKOFF_MAX_S	60
/* The back-off after one more failure, CURRENT seconds being the last
 * (0 = none yet): AUTH_BACKOFF_MIN_S doubling up to AUTH_BACKOFF_MAX_S. */
unsigned	auth_backoff_next(unsigned current);
#define AUTH_WORKER_THREADS	2
#define AUTH_WORKER_QUEUE	32	/* queued verifications beyond that
					 * are refused (ErrorServerBusy) */

TAILQ_HEAD(auth_waitq, auth_wait);
TAILQ_HEAD(auth_verifyq, auth_verify);
LIST_HEAD(auth_slotl, auth_slot);

struct auth {
	struct event_base	*a_base;
	struct net_loop		*a_net;
	const struct conf	*a_conf;
	struct store		*a_store;
	struct worker		*a_worker;
	struct auth_app		*a_app;		/* app mode's token (app.c) */
	struct auth_table	*a_table;
	struct auth_slotl	 a_slots;	/* every live slot */
	struct event		*a_watch;	/* AUTH_WATCH_MS timer */
	int64_t			 a_version;	/* store_data_version seen */
	int			 a_watch_failing; /* log a failure once */
	unsigned char		 a_mac_key[AUTH_MAC_BYTES]; /* per process */
	unsigned long		 a_refresh_ok;
	unsigned long		 a_refresh_failed;
};

struct auth_user {
	int			 u_refs;
	int64_t			 u_id;
	char			*u_name;
	char			*u_lname;	/* lower-cased: the table key */
	char			*u_mailbox;
	enum auth_mode		 u_mode;
	enum auth_backend	 u_backend;	/* resolved */
	int			 u_enabled;
	char			*u_password_hash; /* NULL: no local password */
	char			*u_impersonate;	/* NULL or "a@x,*@y" */
	int64_t			 u_token_generation;
	struct auth_slot	*u_slot;	/* holds a reference */
	/* ropc: one request's copy (auth_ropc_user) holds its base
	 * snapshot, borrows every string above from it, and carries the
	 * client's password (secret) for the password grant. */
	struct auth_user	*u_base;
	char			*u_ropc_password;
};

/* Users sorted by u_lname: lookups are a bsearch. */
struct auth_table {
	size_t			 t_n;
	struct auth_user	**t_users;	/* each holds a reference */
};

struct auth_bad {
	unsigned char		 b_mac[AUTH_MAC_BYTES];
	time_t			 b_at;		/* 0: empty */
};

struct auth_slot {
	int			 sl_refs;
	struct auth		*sl_auth;	/* NULL once auth_free ran */
	LIST_ENTRY(auth_slot)	 sl_entry;
	int64_t			 sl_id;
	char			*sl_name;

	/* tokens (token.c) */
	int			 sl_loaded;	/* tokens read from the store */
	char			*sl_access;	/* secret */
	int64_t			 sl_expires;	/* epoch seconds */
	long			 sl_lifetime;	/* seconds; 0 unknown */
	char			*sl_refresh;	/* secret */
	int64_t			 sl_generation;
	enum auth_token_state	 sl_state;	/* as last saved or read */
	char			*sl_error;	/* token_error as last saved */
	struct fetch		*sl_fetch;	/* the refresh in flight */
	int			 sl_stale;	/* the generation changed while
						 * it was in flight */
	time_t			 sl_retry_at;	/* no refresh before this */
	unsigned		 sl_backoff_s;
	enum auth_token_result	 sl_fail;	/* answer during back-off */
	char			 sl_reason[AUTH_REASON_BYTES];
	struct auth_waitq	 sl_waiters;	/* wait for the refresh */

	/* the Basic password cache (basic.c) */
	int			 sl_good_set;
	unsigned char		 sl_good[AUTH_MAC_BYTES];
	struct auth_bad		 sl_bad[AUTH_BAD_RING];
	unsigned		 sl_bad_next;
	struct auth_verifyq	 sl_verifies;	/* PBKDF2 runs in flight */

	struct auth_ropc	*sl_ropc;	/* ropc.c; NULL until used */
};

/* One PBKDF2 run on the worker pool, shared by every request that sent
 * the same password for the same user while it runs. */
struct auth_verify {
	TAILQ_ENTRY(auth_verify) v_entry;
	struct auth_slot	*v_slot;	/* borrowed: the slot owns us */
	unsigned char		 v_mac[AUTH_MAC_BYTES];
	struct worker_job	*v_job;
	struct auth_waitq	 v_waiters;
};

enum auth_wait_kind {
	AUTH_WAIT_BASIC,
	AUTH_WAIT_TOKEN,
};

struct auth_wait {
	enum auth_wait_kind	 w_kind;
	TAILQ_ENTRY(auth_wait)	 w_entry;
	struct auth_waitq	*w_queue;	/* queued on this, or NULL */
	struct event		*w_ev;		/* delivers the answer */
	struct auth_user	*w_user;	/* holds a reference */
	auth_basic_cb		 w_basic_cb;
	auth_token_cb		 w_token_cb;
	void			*w_arg;
	int			 w_result;	/* verdict or token result */
	char			*w_bearer;	/* secret copy; OK only */
	char			 w_reason[AUTH_REASON_BYTES];
};

/* ---- users.c ---- */

/* Loads every user into a new table and starts the watch timer. 0 / -1. */
int		 auth_users_load(struct auth *, char *err, size_t errlen);
/* Stops the watch and releases the table. */
void		 auth_users_unload(struct auth *);

/* ---- slot.c ---- */

/* A new slot (one reference) for user ID as its row describes it. NULL on
 * memory exhaustion. */
struct auth_slot *auth_slot_new(struct auth *, int64_t id, const char *name,
		    int token_state, const char *token_error,
		    int64_t generation);
void		 auth_slot_ref(struct auth_slot *);
/* NULL ok. The last reference cancels the refresh and verifications. */
void		 auth_slot_unref(struct auth_slot *);
/* The store's token generation changed under us: forget the tokens (they
 * are read again when next needed), unless a refresh is in flight (its
 * compare-and-swap save notices the other writer). */
void		 auth_slot_generation(struct auth_slot *, int token_state,
		    const char *token_error, int64_t generation);
/* The state to show: REFRESHING while a refresh is in flight. */
enum auth_token_state auth_slot_state(const struct auth_slot *);
/* Every live slot forgets its auth (at auth_free). */
void		 auth_slots_detach(struct auth *);

/* ---- wait.c ---- */

/* A new wait of KIND holding a reference on USER; NULL on failure. */
struct auth_wait *auth_wait_new(struct auth *, enum auth_wait_kind,
		    struct auth_user *);
/* Puts W on Q until auth_wait_answer. */
void		 auth_wait_enqueue(struct auth_wait *, struct auth_waitq *q);
/*
 * Sets the answer (BEARER copied, may be NULL; REASON may be NULL) and
 * schedules the callback for the next loop turn. Takes W off its queue.
 * When the bearer cannot be copied the answer becomes FAILED.
 */
void		 auth_wait_answer(struct auth_wait *, int result,
		    const char *bearer, const char *reason);
/* Answers every wait on Q the same way. */
void		 auth_waitq_answer(struct auth_waitq *, int result,
		    const char *bearer, const char *reason);

/* ---- basic.c ---- */

#define AUTH_BASIC_MAX_BYTES	1024	/* decoded user:password */

/*
 * Parses an Authorization value. 0: *USER and *PASS point into BUF (at
 * least AUTH_BASIC_MAX_BYTES + 3 bytes; wipe it after use); 1: no Basic
 * credentials (NULL, empty or another scheme); -1: malformed Basic
 * (bad base64, no ':', NUL byte, too long).
 */
int		 auth_basic_parse(const char *value, char *buf, size_t buflen,
		    char **user, char **pass);
/* Drops the slot's verifications in flight (their waits are gone). */
void		 auth_basic_slot_clear(struct auth_slot *);

/* ---- token.c ---- */

/* Drops the slot's tokens (wiped) and cancels its refresh. */
void		 auth_token_slot_clear(struct auth_slot *);
/*
 * Commits tokens from a grant (rotated refresh token first), puts them in
 * the slot and answers the slot's waiters. 0 done; 1 another writer came
 * first (its tokens are in the slot now); -1 not saved, with REASON.
 */
int		 auth_token_install(struct auth_slot *, struct oauth_tokens *,
		    char *reason, size_t len);
/* Decides the answer of token wait W (on no queue) again, as
 * auth_token_get did. */
void		 auth_token_reserve(struct auth_wait *w);
/* Saves state error with ERROR (no secret) for 'user list', unless it is
 * already the saved one. 0 saved or unchanged, 1 another writer came
 * first (its tokens are in the slot), -1 not saved. */
int		 auth_token_note_error(struct auth_slot *, const char *error);

/* ---- mac.c ---- */

/* HMAC-SHA256 under the per-process key of (TAG, ID, S1, S2) into MAC
 * (AUTH_MAC_BYTES): how remembered passwords are kept. 0 / -1. */
int		 auth_mac(const struct auth *, const char *tag, int64_t id,
		    const char *s1, const char *s2, unsigned char *mac);

/* ---- ropc.c: tokens from the client's password ---- */

/* A new per-request copy of U (ropc) carrying PASSWORD; NULL on memory
 * exhaustion. auth_user_unref wipes the password. */
struct auth_user *auth_ropc_user(struct auth_user *u, const char *password);
/*
 * For W of ropc user U (a copy from auth_ropc_user): 0 when its password
 * is the one that produced the slot's tokens (serve those); else 1, and W
 * is answered from memory (refused lately, locked) or waits for the
 * password grant of its password.
 */
int		 auth_ropc_gate(struct auth_slot *, struct auth_user *u,
		    struct auth_wait *w);
/* The slot has no token left: a password grant with W's password. */
void		 auth_ropc_grant(struct auth_slot *, struct auth_user *u,
		    struct auth_wait *w);
/* The refresh token was refused: the next request signs in afresh. */
void		 auth_ropc_forget(struct auth_slot *);
/* Cancels the grants and frees the ropc state (slot free, shutdown). */
void		 auth_ropc_slot_clear(struct auth_slot *);

/* ---- worker.c ---- */

/*
 * A fixed pool of threads for slow work (PBKDF2). Results come back on
 * the loop through a pipe, so no libevent locking is needed.
 */
typedef int	 (*worker_fn)(void *arg);		/* on a pool thread */
typedef void	 (*worker_done_cb)(void *arg, int result); /* on the loop */
typedef void	 (*worker_free_fn)(void *arg);		/* on the loop */

/* THREADS threads, at most QUEUE jobs waiting. NULL + err. */
struct worker	*worker_new(struct event_base *, unsigned threads,
		    size_t queue, char *err, size_t errlen);
/* Drops queued jobs, waits for running ones, joins. No done callback
 * runs; every job's free function does. NULL ok. */
void		 worker_free(struct worker *);
/*
 * Queues FN(ARG); DONE(ARG, result) then FREE(ARG) run on the loop
 * later. The worker owns ARG from here on: FREE runs even when the job
 * is cancelled. NULL when the queue is full (FREE(ARG) has then run).
 */
struct worker_job *worker_submit(struct worker *, worker_fn fn,
		    worker_done_cb done, worker_free_fn free_fn, void *arg);
/* DONE will not run; ARG is freed once no thread uses it. NULL ok. */
void		 worker_cancel(struct worker_job *);

#endif
