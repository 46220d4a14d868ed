/*
 * fake365 calendar views: the seed events as single items and recurring
 * masters, or, within a CalendarView window, as instances with each daily
 * series expanded into its occurrences.
 */
#include <stdlib.h>

#include "tests/fake365/ews.h"

#define CAL_MAX_INSTANCES	64

static int
cal_bystart(const void *a, const void *b)
{
	const struct ews_item	*x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* ITEM into ALL (at most CAL_MAX_INSTANCES) when it overlaps the window. */
static void
cal_take(const struct ews_ref *ref, time_t start, time_t end,
    struct ews_item *all, size_t *n)
{
	struct ews_item	 it;

	if (*n < CAL_MAX_INSTANCES && ews_item_load(ref, &it) == 0 &&
	    it.start < end && it.end > start)
		all[(*n)++] = it;
}

size_t
ews_calendar_view(int user, time_t start, time_t end, struct ews_item *out,
    size_t max)
{
	struct ews_item	 all[CAL_MAX_INSTANCES];
	struct ews_ref	 ref = { user, EK_EVENT, 0, 0 };
	size_t		 n = 0;

	for (size_t i = 0; i < dir_nevents; i++) {
		ref.n = (int)i;
		if (dir_events[i].count <= 1) {
			ref.kind = EK_EVENT;
			ref.occ = 0;
			cal_take(&ref, start, end, all, &n);
			continue;
		}
		ref.kind = EK_OCCURRENCE;
		for (ref.occ = 1; ref.occ <= dir_events[i].count; ref.occ++)
			cal_take(&ref, start, end, all, &n);
	}
	qsort(all, n, sizeof(all[0]), cal_bystart);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = all[i];
	return n;
}

size_t
ews_calendar_masters(int user, struct ews_item *out, size_t max)
{
	struct ews_ref	 ref = { user, EK_EVENT, 0, 0 };
	size_t		 n = 0;

	for (size_t i = 0; i < dir_nevents && n < max; i++) {
		ref.n = (int)i;
		if (ews_item_load(&ref, &out[n]) == 0)
			n++;
	}
	qsort(out, n, sizeof(out[0]), cal_bystart);
	return n;
}
