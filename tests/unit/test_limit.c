/* Per-mailbox concurrency: budgets, FIFO queue, grant, timeout, cancel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <event2/event.h>

#include "proxy/proxy_int.h"

struct waiter {
	int	 calls;
	int	 granted;
	int	 order;		/* when the call came */
};

static int	 calls_so_far;

static void
waiter_cb(void *arg, int granted)
{
	struct waiter	*w = arg;

	w->calls++;
	w->granted = granted;
	w->order = ++calls_so_far;
}

struct fixture {
	struct event_base	*base;
	struct limit		*li;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	if (f == NULL || (f->base = event_base_new()) == NULL ||
	    (f->li = limit_new(f->base, 2, 1, 100)) == NULL)
		return -1;
	calls_so_far = 0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	limit_free(f->li);
	event_base_free(f->base);
	free(f);
	return 0;
}

static struct limit_slot *
take(struct fixture *f, const char *mb, int stream, struct waiter *w,
    int want_now)
{
	int			 granted = -1;
	struct limit_slot	*sl;

	sl = limit_acquire(f->li, mb, stream, waiter_cb, w, &granted);
	assert_non_null(sl);
	assert_int_equal(granted, want_now);
	return sl;
}

static void
test_budgets(void **state)
{
	struct fixture		*f = *state;
	struct waiter		 w[6] = { 0 };
	struct limit_slot	*a1, *a2, *a3, *b1, *s1, *s2;

	a1 = take(f, "alice@contoso.example", 0, &w[0], 1);
	a2 = take(f, "ALICE@contoso.example", 0, &w[1], 1);
	a3 = take(f, "alice@contoso.example", 0, &w[2], 0);
	b1 = take(f, "bob@contoso.example", 0, &w[3], 1);
	s1 = take(f, "alice@contoso.example", 1, &w[4], 1);
	s2 = take(f, "alice@contoso.example", 1, &w[5], 0);
	assert_int_equal(limit_slot_max(a1), 2);
	assert_int_equal(limit_slot_max(s1), 1);

	/* A slot given back goes to the first waiter, from the loop. */
	limit_release(a1);
	assert_int_equal(w[2].calls, 0);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(w[2].calls, 1);
	assert_int_equal(w[2].granted, 1);
	/* Another mailbox's slot does nothing for alice's streams. */
	limit_release(b1);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(w[5].calls, 0);
	limit_release(s1);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(w[5].granted, 1);
	limit_release(a2);
	limit_release(a3);
	limit_release(s2);
	for (int i = 0; i < 6; i++)
		assert_true(w[i].calls <= 1);
}

static void
test_fifo_and_cancel(void **state)
{
	struct fixture		*f = *state;
	struct waiter		 w[5] = { 0 };
	struct limit_slot	*s[5];
	const char		*mb = "carol@contoso.example";

	s[0] = take(f, mb, 0, &w[0], 1);
	s[1] = take(f, mb, 0, &w[1], 1);
	s[2] = take(f, mb, 0, &w[2], 0);
	s[3] = take(f, mb, 0, &w[3], 0);
	s[4] = take(f, mb, 0, &w[4], 0);
	/* The client of s[2] leaves: its callback never runs. */
	limit_release(s[2]);
	limit_release(s[0]);
	limit_release(s[1]);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(w[2].calls, 0);
	assert_int_equal(w[3].granted, 1);
	assert_int_equal(w[4].granted, 1);
	assert_true(w[3].order < w[4].order);
	limit_release(s[3]);
	limit_release(s[4]);
}

static void
test_wait_runs_out(void **state)
{
	struct fixture		*f = *state;
	struct waiter		 w[3] = { 0 };
	struct limit_slot	*s[3];
	const char		*mb = "dave@contoso.example";

	s[0] = take(f, mb, 0, &w[0], 1);
	s[1] = take(f, mb, 0, &w[1], 1);
	s[2] = take(f, mb, 0, &w[2], 0);
	event_base_dispatch(f->base);	/* until the 100 ms run out */
	assert_int_equal(w[2].calls, 1);
	assert_int_equal(w[2].granted, 0);
	limit_release(s[2]);
	/* Refused, not held: 2 of 2 are still in use. */
	s[2] = take(f, mb, 0, &w[2], 0);
	limit_release(s[2]);
	limit_release(s[0]);
	s[0] = take(f, mb, 0, &w[0], 1);
	limit_release(s[0]);
	limit_release(s[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_budgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_and_cancel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_runs_out, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
