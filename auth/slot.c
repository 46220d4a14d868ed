/*
 * struct auth_slot: what the gateway knows about one user id beyond its
 * row (tokens, refresh in flight, the Basic password cache). The
 * snapshots made on each reload share it, so a CLI change to a user does
 * not throw away a good access token or a verified password.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/serve_int.h"
#include "log.h"

static void
auth_slot_free(struct auth_slot *sl)
{
	auth_token_slot_clear(sl);
	auth_basic_slot_clear(sl);
	auth_ropc_slot_clear(sl);
	if (!TAILQ_EMPTY(&sl->sl_waiters))
		log_warnx("auth: slot for %s freed with waiters", sl->sl_name);
	if (sl->sl_auth != NULL)
		LIST_REMOVE(sl, sl_entry);
	free(sl->sl_name);
	free(sl->sl_error);
	explicit_bzero(sl, sizeof(*sl));
	free(sl);
}

struct auth_slot *
auth_slot_new(struct auth *a, int64_t id, const char *name, int token_state,
    const char *token_error, int64_t generation)
{
	struct auth_slot	*sl;

	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return (NULL);
	sl->sl_refs = 1;
	sl->sl_auth = a;
	sl->sl_id = id;
	TAILQ_INIT(&sl->sl_waiters);
	TAILQ_INIT(&sl->sl_verifies);
	sl->sl_state = token_state;
	sl->sl_generation = generation;
	if ((sl->sl_name = strdup(name)) == NULL ||
	    (token_error != NULL &&
	    (sl->sl_error = strdup(token_error)) == NULL)) {
		free(sl->sl_name);
		free(sl);
		return (NULL);
	}
	LIST_INSERT_HEAD(&a->a_slots, sl, sl_entry);
	return (sl);
}

void
auth_slot_ref(struct auth_slot *sl)
{
	sl->sl_refs++;
}

void
auth_slot_unref(struct auth_slot *sl)
{
	if (sl == NULL || --sl->sl_refs > 0)
		return;
	auth_slot_free(sl);
}

void
auth_slot_generation(struct auth_slot *sl, int token_state,
    const char *token_error, int64_t generation)
{
	char	*e = NULL;

	if (generation == sl->sl_generation)
		return;
	if (sl->sl_fetch != NULL) {
		sl->sl_stale = 1;
		return;
	}
	if (token_error != NULL && (e = strdup(token_error)) == NULL)
		return;		/* keep the old view; the next reload retries */
	auth_token_slot_clear(sl);
	sl->sl_loaded = 0;
	sl->sl_generation = generation;
	sl->sl_state = token_state;
	free(sl->sl_error);
	sl->sl_error = e;
	/* Someone signed in again: forget the back-off of the old token. */
	sl->sl_retry_at = 0;
	sl->sl_backoff_s = 0;
}

enum auth_token_state
auth_slot_state(const struct auth_slot *sl)
{
	return (sl->sl_fetch != NULL ? AUTH_TOKEN_REFRESHING : sl->sl_state);
}

void
auth_slots_detach(struct auth *a)
{
	struct auth_slot	*sl;

	while ((sl = LIST_FIRST(&a->a_slots)) != NULL) {
		log_warnx("auth: user %s still referenced at shutdown",
		    sl->sl_name);
		auth_token_slot_clear(sl);
		auth_basic_slot_clear(sl);
		auth_ropc_slot_clear(sl);
		LIST_REMOVE(sl, sl_entry);
		sl->sl_auth = NULL;
	}
}
