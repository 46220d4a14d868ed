/*
 * Per-mailbox concurrency toward Exchange (office365.md §2.7): at most
 * max_concurrent_per_mailbox ordinary requests and, in a budget of their
 * own, max_streams_per_mailbox GetStreamingEvents of one mailbox are in
 * flight upstream at once. The rest wait in a FIFO queue per mailbox and
 * budget, each for at most queue_timeout; a slot given back goes to the
 * first waiter. Callbacks always run from the loop, never inside
 * limit_acquire or limit_release.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "proxy/proxy_int.h"

enum slot_state {
	SLOT_WAITING,
	SLOT_HELD,
	SLOT_REFUSED,
};

struct limit_slot {
	TAILQ_ENTRY(limit_slot)	 sl_entry;	/* in the box's queue */
	struct limit_box	*sl_box;
	int			 sl_stream;
	enum slot_state		 sl_state;
	struct event		*sl_ev;		/* queue timeout, or grant */
	limit_cb		 sl_cb;
	void			*sl_arg;
};
TAILQ_HEAD(slot_queue, limit_slot);

struct limit_box {
	TAILQ_ENTRY(limit_box)	 lb_entry;
	struct limit		*lb_limit;
	char			*lb_mailbox;
	unsigned		 lb_active[2];	/* [stream] */
	struct slot_queue	 lb_waiting[2];
};

struct limit {
	struct event_base		*li_base;
	unsigned			 li_max[2];	/* [stream] */
	struct timeval			 li_wait;
	TAILQ_HEAD(, limit_box)		 li_boxes;
};

struct limit *
limit_new(struct event_base *base, unsigned max, unsigned max_streams,
    unsigned wait_ms)
{
	struct limit	*li;

	if ((li = calloc(1, sizeof(*li))) == NULL)
		return NULL;
	li->li_base = base;
	li->li_max[0] = max;
	li->li_max[1] = max_streams;
	li->li_wait.tv_sec = wait_ms / 1000;
	li->li_wait.tv_usec = (wait_ms % 1000) * 1000;
	TAILQ_INIT(&li->li_boxes);
	return li;
}

static void
limit_box_free(struct limit_box *lb)
{
	TAILQ_REMOVE(&lb->lb_limit->li_boxes, lb, lb_entry);
	free(lb->lb_mailbox);
	free(lb);
}

/* Frees a box nobody uses or waits for. */
static void
limit_box_maybe_free(struct limit_box *lb)
{
	for (int s = 0; s < 2; s++)
		if (lb->lb_active[s] != 0 || !TAILQ_EMPTY(&lb->lb_waiting[s]))
			return;
	limit_box_free(lb);
}

static struct limit_box *
limit_box_get(struct limit *li, const char *mailbox)
{
	struct limit_box	*lb;

	TAILQ_FOREACH(lb, &li->li_boxes, lb_entry)
		if (strcasecmp(lb->lb_mailbox, mailbox) == 0)
			return lb;
	if ((lb = calloc(1, sizeof(*lb))) == NULL ||
	    (lb->lb_mailbox = strdup(mailbox)) == NULL) {
		free(lb);
		return NULL;
	}
	lb->lb_limit = li;
	TAILQ_INIT(&lb->lb_waiting[0]);
	TAILQ_INIT(&lb->lb_waiting[1]);
	TAILQ_INSERT_TAIL(&li->li_boxes, lb, lb_entry);
	return lb;
}

/* The slot's event: it was granted, or its wait ran out. */
static void
limit_slot_cb(evutil_socket_t fd, short what, void *arg)
{
	struct limit_slot	*sl = arg;

	if (sl->sl_state == SLOT_WAITING) {
		TAILQ_REMOVE(&sl->sl_box->lb_waiting[sl->sl_stream], sl,
		    sl_entry);
		sl->sl_state = SLOT_REFUSED;
	}
	sl->sl_cb(sl->sl_arg, sl->sl_state == SLOT_HELD);
}

struct limit_slot *
limit_acquire(struct limit *li, const char *mailbox, int stream,
    limit_cb cb, void *arg, int *granted)
{
	struct limit_slot	*sl;
	struct limit_box	*lb;

	stream = stream != 0;
	*granted = 0;
	if ((lb = limit_box_get(li, mailbox)) == NULL)
		return NULL;
	if ((sl = calloc(1, sizeof(*sl))) == NULL) {
		limit_box_maybe_free(lb);
		return NULL;
	}
	sl->sl_box = lb;
	sl->sl_stream = stream;
	sl->sl_cb = cb;
	sl->sl_arg = arg;
	if (lb->lb_active[stream] < li->li_max[stream] &&
	    TAILQ_EMPTY(&lb->lb_waiting[stream])) {
		lb->lb_active[stream]++;
		sl->sl_state = SLOT_HELD;
		*granted = 1;
		return sl;
	}
	if ((sl->sl_ev = evtimer_new(li->li_base, limit_slot_cb, sl)) ==
	    NULL || evtimer_add(sl->sl_ev, &li->li_wait) == -1) {
		if (sl->sl_ev != NULL)
			event_free(sl->sl_ev);
		free(sl);
		limit_box_maybe_free(lb);
		return NULL;
	}
	sl->sl_state = SLOT_WAITING;
	TAILQ_INSERT_TAIL(&lb->lb_waiting[stream], sl, sl_entry);
	return sl;
}

void
limit_release(struct limit_slot *sl)
{
	struct limit_box	*lb;
	struct limit_slot	*next;
	int			 s;

	if (sl == NULL)
		return;
	lb = sl->sl_box;
	s = sl->sl_stream;
	if (sl->sl_ev != NULL)
		event_free(sl->sl_ev);
	if (sl->sl_state == SLOT_WAITING)
		TAILQ_REMOVE(&lb->lb_waiting[s], sl, sl_entry);
	else if (sl->sl_state == SLOT_HELD)
		lb->lb_active[s]--;
	free(sl);
	while (lb->lb_active[s] < lb->lb_limit->li_max[s] &&
	    (next = TAILQ_FIRST(&lb->lb_waiting[s])) != NULL) {
		TAILQ_REMOVE(&lb->lb_waiting[s], next, sl_entry);
		next->sl_state = SLOT_HELD;
		lb->lb_active[s]++;
		event_del(next->sl_ev);
		event_active(next->sl_ev, EV_TIMEOUT, 1);
	}
	limit_box_maybe_free(lb);
}

unsigned
limit_slot_max(const struct limit_slot *sl)
{
	return sl->sl_box->lb_limit->li_max[sl->sl_stream];
}

void
limit_free(struct limit *li)
{
	struct limit_box	*lb;

	if (li == NULL)
		return;
	/* Slots belong to transfers, which are gone by now. */
	while ((lb = TAILQ_FIRST(&li->li_boxes)) != NULL)
		limit_box_free(lb);
	free(li);
}
