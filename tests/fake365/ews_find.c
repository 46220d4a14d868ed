/*
 * fake365 FindItem: the items of a folder in its natural order (newest
 * mail first, events by start, contacts by name), paged by
 * IndexedPageItemView / FractionalPageItemView / ContactsView, or a
 * CalendarView with recurring series expanded. Restrictions and
 * SortOrder are not evaluated (docs/fake365.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

#define FIND_MAX_ITEMS		256
#define FIND_MAX_RANGE_S	(2 * 366 * 86400L)	/* CalendarView span */

/* The part of the list a view selects. */
struct find_page {
	size_t		 first;		/* index of the first returned */
	size_t		 count;		/* how many returned */
	size_t		 total;		/* in the view */
	int		 indexed;	/* write IndexedPagingOffset */
	size_t		 next;		/* its value */
	int		 fraction;	/* write Numerator/Denominator */
	long		 denominator;
};

static int
find_newest(const void *a, const void *b)
{
	const struct ews_item	*x = a, *y = b;

	return (x->msg->age_min > y->msg->age_min) -
	    (x->msg->age_min < y->msg->age_min);
}

/* Items of content C in folder order; how many. */
static size_t
find_list(int user, enum dir_content c, struct ews_item *out)
{
	static const enum ews_kind kinds[] = {
		[DIR_MESSAGES] = EK_MESSAGE, [DIR_CONTACTS] = EK_CONTACT,
	};
	struct ews_ref	 ref = { user, EK_MESSAGE, 0, 0 };
	size_t		 n = 0;

	if (c == DIR_NONE)
		return 0;
	if (c == DIR_EVENTS)
		return ews_calendar_masters(user, out, FIND_MAX_ITEMS);
	ref.kind = kinds[c];
	for (size_t i = 0; i < dir_count(c) && n < FIND_MAX_ITEMS; i++) {
		ref.n = (int)i;
		if (ews_item_load(&ref, &out[n]) == 0)
			n++;
	}
	if (c == DIR_MESSAGES)
		qsort(out, n, sizeof(out[0]), find_newest);
	return n;
}

static long
find_long(xmlNodePtr n, const char *attr, long dflt)
{
	const char	*v = xml_attr(n, attr);
	char		*end;
	long		 x;

	if (v == NULL)
		return dflt;
	x = strtol(v, &end, 10);
	return *v == '\0' || *end != '\0' ? -1 : x;
}

/* Applies an IndexedPageItemView, FractionalPageItemView or ContactsView
 * (VIEW, or none) to N items; -1 when its numbers are wrong. */
static int
find_page(xmlNodePtr view, const struct ews_item *items, size_t n,
    struct find_page *p)
{
	long		 max = find_long(view, "MaxEntriesReturned", 1000);
	long		 off = 0, num;
	const char	*base, *lo, *hi;
	size_t		 a = 0, b = n;

	memset(p, 0, sizeof(*p));
	p->total = n;
	if (max < 1)
		return -1;
	if (xml_is(view, NS_M, "IndexedPageItemView")) {
		off = find_long(view, "Offset", -1);
		base = xml_attr(view, "BasePoint");
		if (off < 0 || base == NULL)
			return -1;
		if ((size_t)off > n)
			off = (long)n;
		if (strcmp(base, "End") == 0)
			a = n - off > (size_t)max ? n - off - max : 0;
		else
			a = (size_t)off;
		p->indexed = 1;
	} else if (xml_is(view, NS_M, "FractionalPageItemView")) {
		num = find_long(view, "Numerator", -1);
		p->denominator = find_long(view, "Denominator", -1);
		if (num < 0 || p->denominator < 1 || num > p->denominator)
			return -1;
		a = n * num / p->denominator;
		p->fraction = 1;
	} else if (xml_is(view, NS_M, "ContactsView")) {
		lo = xml_attr(view, "InitialName");
		hi = xml_attr(view, "FinalName");
		while (lo && a < n && items[a].ct &&
		    strcmp(items[a].ct->name, lo) < 0)
			a++;
		while (hi && b > a && items[b - 1].ct &&
		    strcmp(items[b - 1].ct->name, hi) > 0)
			b--;
	}
	p->first = a;
	p->count = b - a < (size_t)max ? b - a : (size_t)max;
	p->next = a + p->count;
	return 0;
}

static int
find_root(struct ews_req *req, const struct find_page *p)
{
	char	 s[24];

	W(ews_start(req, "m:RootFolder"));
	if (p->indexed) {
		snprintf(s, sizeof(s), "%zu", p->next);
		W(ews_attr(req, "IndexedPagingOffset", s));
	}
	if (p->fraction) {
		snprintf(s, sizeof(s), "%zu", p->next);
		W(ews_attr(req, "NumeratorOffset", s));
		snprintf(s, sizeof(s), "%zu", p->total);
		W(ews_attr(req, "AbsoluteDenominator", s));
	}
	snprintf(s, sizeof(s), "%zu", p->total);
	W(ews_attr(req, "TotalItemsInView", s));
	return ews_attr(req, "IncludesLastItemInRange",
	    p->first + p->count >= p->total ? "true" : "false");
}

/* A CalendarView over folder F; -1 on a write error, 1 with *CODE when
 * the window is wrong. */
static int
find_calendar(struct ews_req *req, int f, xmlNodePtr view,
    struct ews_item *items, struct find_page *p, const char **code)
{
	long	 max = find_long(view, "MaxEntriesReturned", 1000);
	time_t	 start, end;

	memset(p, 0, sizeof(*p));
	*code = "ErrorSchemaValidation";
	if (xml_attr(view, "StartDate") == NULL ||
	    xml_attr(view, "EndDate") == NULL || ews_parse_time(xml_attr(view,
	    "StartDate"), &start) == -1 || ews_parse_time(xml_attr(view,
	    "EndDate"), &end) == -1 || max < 1)
		return 1;
	*code = "ErrorCalendarViewRangeTooBig";
	if (end < start || end - start > FIND_MAX_RANGE_S)
		return 1;
	if (dir_folders[f].content == DIR_EVENTS)
		p->total = ews_calendar_view(req->user, start, end, items,
		    FIND_MAX_ITEMS);
	p->count = p->total < (size_t)max ? p->total : (size_t)max;
	return 0;
}

static int
find_one(struct ews_req *req, xmlNodePtr parent, xmlNodePtr view,
    const struct ews_shape *shape, int empty)
{
	struct ews_item	 items[FIND_MAX_ITEMS];
	struct find_page p;
	const char	*code;
	int		 f, rc;

	if ((f = ews_folder_ref(req, parent, &code)) == -1)
		rc = 1;
	else if (xml_is(view, NS_M, "CalendarView"))
		rc = find_calendar(req, f, view, items, &p, &code);
	else {
		code = "ErrorInvalidPagingMaxRows";
		rc = find_page(view, items, empty ? 0 : find_list(req->user,
		    dir_folders[f].content, items), &p) == -1;
	}
	if (rc != 0) {
		W(ews_msg(req, code));
		return ews_end_elem(req);
	}
	W(ews_msg(req, "NoError"));
	W(find_root(req, &p));
	W(ews_start(req, "t:Items"));
	for (size_t i = p.first; i < p.first + p.count; i++)
		W(ews_item_write(req, &items[i], shape));
	W(ews_end_elem(req));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

int
ews_find_item(struct ews_req *req)
{
	static const char *const views[] = {
		"IndexedPageItemView", "FractionalPageItemView",
		"CalendarView", "ContactsView", "SeekToConditionPageItemView",
	};
	struct ews_shape	 shape;
	xmlNodePtr		 parents, view = NULL, n;
	const char		*trav = xml_attr(req->op, "Traversal");

	if (trav == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (ews_shape_begin(req, "ItemShape", 1, &shape, "ParentFolderIds",
	    &parents) == -1)
		return -1;
	for (size_t i = 0; i < NELEM(views) && view == NULL; i++)
		view = xml_child(req->op, NS_M, views[i]);
	if (xml_child(req->op, NS_M, "Restriction") != NULL)
		json_object_set_new(req->fx->fx_log, "restriction_ignored",
		    json_true());
	XML_EACH(n, parents)
		W(find_one(req, n, view, &shape,
		    strcmp(trav, "SoftDeleted") == 0 ||
		    strcmp(trav, "Associated") == 0));
	return 0;
}
