/*
 * struct auth_wait: a pending answer to auth_check_basic or
 * auth_token_get. Every answer is delivered from the wait's own zero-delay
 * event, never from inside the call that asked nor from inside a refresh
 * or worker callback, so callers may re-enter auth/ from their callback
 * and cancelling any wait is always safe until its callback starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "auth/serve_int.h"

static void
auth_wait_free(struct auth_wait *w)
{
	if (w == NULL)
		return;
	if (w->w_queue != NULL)
		TAILQ_REMOVE(w->w_queue, w, w_entry);
	if (w->w_ev != NULL)
		event_free(w->w_ev);
	auth_secret_free(w->w_bearer);
	auth_user_unref(w->w_user);
	explicit_bzero(w, sizeof(*w));
	free(w);
}

static void
auth_wait_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct auth_wait	*w = arg;
	enum auth_wait_kind	 kind = w->w_kind;
	auth_basic_cb		 basic_cb = w->w_basic_cb;
	auth_token_cb		 token_cb = w->w_token_cb;
	void			*cbarg = w->w_arg;
	int			 result = w->w_result;
	struct auth_user	*u = w->w_user;
	char			*bearer = w->w_bearer;
	char			 reason[AUTH_REASON_BYTES];

	/* Gone before the callback runs: the callback may do anything. */
	memcpy(reason, w->w_reason, sizeof(reason));
	w->w_user = NULL;
	w->w_bearer = NULL;
	auth_wait_free(w);

	if (kind == AUTH_WAIT_BASIC) {
		if (result != AUTH_OK) {
			auth_user_unref(u);
			u = NULL;
		}
		basic_cb(cbarg, result, u);	/* the reference goes along */
		return;
	}
	token_cb(cbarg, result, bearer, reason[0] != '\0' ? reason : NULL);
	auth_secret_free(bearer);
	auth_user_unref(u);
}

struct auth_wait *
auth_wait_new(struct auth *a, enum auth_wait_kind kind, struct auth_user *u)
{
	struct auth_wait	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	if ((w->w_ev = event_new(a->a_base, -1, 0, auth_wait_fire_cb,
	    w)) == NULL) {
		free(w);
		return (NULL);
	}
	w->w_kind = kind;
	auth_user_ref(u);
	w->w_user = u;
	return (w);
}

void
auth_wait_enqueue(struct auth_wait *w, struct auth_waitq *q)
{
	TAILQ_INSERT_TAIL(q, w, w_entry);
	w->w_queue = q;
}

void
auth_wait_answer(struct auth_wait *w, int result, const char *bearer,
    const char *reason)
{
	if (w->w_queue != NULL) {
		TAILQ_REMOVE(w->w_queue, w, w_entry);
		w->w_queue = NULL;
	}
	w->w_result = result;
	snprintf(w->w_reason, sizeof(w->w_reason), "%s",
	    reason != NULL ? reason : "");
	if (bearer != NULL && (w->w_bearer = strdup(bearer)) == NULL) {
		w->w_result = AUTH_TOKEN_FAILED;
		snprintf(w->w_reason, sizeof(w->w_reason), "out of memory");
	}
	event_active(w->w_ev, EV_TIMEOUT, 1);
}

void
auth_waitq_answer(struct auth_waitq *q, int result, const char *bearer,
    const char *reason)
{
	struct auth_wait	*w;

	while ((w = TAILQ_FIRST(q)) != NULL)
		auth_wait_answer(w, result, bearer, reason);
}

void
auth_wait_cancel(struct auth_wait *w)
{
	auth_wait_free(w);
}
