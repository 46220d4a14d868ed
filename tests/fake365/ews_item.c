/*
 * fake365 EWS items: messages, calendar items (single, recurring master,
 * occurrence) and contacts. One table of properties in schema order
 * (ItemType, then MessageType, CalendarItemType, ContactItemType): each
 * row says which item kinds have it, in which shapes, and writes it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

#define IK_MSG	0x01
#define IK_CAL	0x02
#define IK_CON	0x04
#define IK_ANY	(IK_MSG | IK_CAL | IK_CON)

#define D	(SHAPE_DEFAULT | SHAPE_ALL)
#define A	SHAPE_ALL
#define G	SHAPE_GETONLY

#define ITEM_UTC_NAME	"(UTC) Coordinated Universal Time"

struct item_prop;

struct item_ctx {
	struct ews_req			*req;
	const struct item_prop		*prop;	/* being written */
	const struct ews_item		*it;
	const struct ews_shape		*shape;
	const struct dir_user		*owner;
};

typedef int	 item_fn(struct item_ctx *, const char *);

static item_fn	ip_text, ip_contact, ip_id, ip_parent, ip_class, ip_subject,
		ip_body, ip_attachments, ip_received, ip_size, ip_importance,
		ip_fromme, ip_sent, ip_created, ip_start, ip_reminder,
		ip_displayto, ip_hasatt, ip_rights, ip_owner_name, ip_from,
		ip_to, ip_topic, ip_msgid, ip_isread, ip_owner, ip_uid,
		ip_recurid, ip_end, ip_location, ip_recurring, ip_caltype,
		ip_duration, ip_recurrence, ip_first, ip_last, ip_tz,
		ip_fileas, ip_complete, ip_emails, ip_phones;

static const struct item_prop {
	const char	*uri;
	const char	*elem;
	int		 kinds;
	int		 flags;
	item_fn		*fn;
	const char	*text;		/* ip_text: the value */
	size_t		 off;		/* ip_contact: a dir_contact field */
} item_props[] = {
/* FieldURI CLS:ELEM is element t:ELEM, in the kinds of item KINDS, in
 * the shapes FLAGS; FN writes it, or it is TEXT, or a contact's FIELD. */
#define PROP(cls, elem, kinds, flags, fn) \
	{ #cls ":" #elem, "t:" #elem, kinds, flags, fn, NULL, 0 }
#define PFIX(cls, elem, kinds, flags, text) \
	{ #cls ":" #elem, "t:" #elem, kinds, flags, ip_text, text, 0 }
#define PCON(cls, elem, flags, field) \
	{ #cls ":" #elem, "t:" #elem, IK_CON, flags, ip_contact, NULL, \
	    offsetof(struct dir_contact, field) }
	PROP(item, ItemId, IK_ANY, SHAPE_ID, ip_id),
	PROP(item, ParentFolderId, IK_ANY, A, ip_parent),
	PROP(item, ItemClass, IK_ANY, D, ip_class),
	PROP(item, Subject, IK_ANY, D, ip_subject),
	PFIX(item, Sensitivity, IK_ANY, D, "Normal"),
	PROP(item, Body, IK_ANY, D | G, ip_body),
	PROP(item, Attachments, IK_ANY, D | G, ip_attachments),
	PROP(item, DateTimeReceived, IK_ANY, D, ip_received),
	PROP(item, Size, IK_ANY, D, ip_size),
	PROP(item, Importance, IK_ANY, D, ip_importance),
	PFIX(item, IsSubmitted, IK_ANY, A, "false"),
	PFIX(item, IsDraft, IK_ANY, A, "false"),
	PROP(item, IsFromMe, IK_ANY, A, ip_fromme),
	PFIX(item, IsResend, IK_ANY, A, "false"),
	PFIX(item, IsUnmodified, IK_ANY, A, "true"),
	PROP(item, DateTimeSent, IK_ANY, D, ip_sent),
	PROP(item, DateTimeCreated, IK_ANY, D, ip_created),
	PROP(item, ReminderDueBy, IK_CAL, A, ip_start),
	PROP(item, ReminderIsSet, IK_ANY, A, ip_reminder),
	PFIX(item, ReminderMinutesBeforeStart, IK_ANY, A, "15"),
	PFIX(item, DisplayCc, IK_MSG | IK_CAL, A, ""),
	PROP(item, DisplayTo, IK_MSG | IK_CAL, D, ip_displayto),
	PROP(item, HasAttachments, IK_ANY, D, ip_hasatt),
	PFIX(item, Culture, IK_ANY, A, "en-US"),
	PROP(item, EffectiveRights, IK_ANY, A, ip_rights),
	PROP(item, LastModifiedName, IK_ANY, A, ip_owner_name),
	PROP(item, LastModifiedTime, IK_ANY, A, ip_created),
	PFIX(item, IsAssociated, IK_ANY, A, "false"),

	PROP(message, Sender, IK_MSG, D, ip_from),
	PROP(message, ToRecipients, IK_MSG, D | G, ip_to),
	PFIX(message, IsReadReceiptRequested, IK_MSG, A, "false"),
	PFIX(message, IsDeliveryReceiptRequested, IK_MSG, A, "false"),
	PROP(message, ConversationTopic, IK_MSG, A, ip_topic),
	PROP(message, From, IK_MSG, D, ip_from),
	PROP(message, InternetMessageId, IK_MSG, A, ip_msgid),
	PROP(message, IsRead, IK_MSG, D, ip_isread),
	PFIX(message, IsResponseRequested, IK_MSG, A, "false"),
	PROP(message, ReceivedBy, IK_MSG, A, ip_owner),
	PROP(message, ReceivedRepresenting, IK_MSG, A, ip_owner),

	PROP(calendar, UID, IK_CAL, A, ip_uid),
	PROP(calendar, RecurrenceId, IK_CAL, A, ip_recurid),
	PROP(calendar, DateTimeStamp, IK_CAL, A, ip_created),
	PROP(calendar, Start, IK_CAL, D, ip_start),
	PROP(calendar, End, IK_CAL, D, ip_end),
	PROP(calendar, OriginalStart, IK_CAL, A, ip_recurid),
	PFIX(calendar, IsAllDayEvent, IK_CAL, D, "false"),
	PFIX(calendar, LegacyFreeBusyStatus, IK_CAL, D, "Busy"),
	PROP(calendar, Location, IK_CAL, D, ip_location),
	PFIX(calendar, IsMeeting, IK_CAL, A, "false"),
	PFIX(calendar, IsCancelled, IK_CAL, A, "false"),
	PROP(calendar, IsRecurring, IK_CAL, A, ip_recurring),
	PFIX(calendar, MeetingRequestWasSent, IK_CAL, A, "false"),
	PFIX(calendar, IsResponseRequested, IK_CAL, A, "false"),
	PROP(calendar, CalendarItemType, IK_CAL, D, ip_caltype),
	PFIX(calendar, MyResponseType, IK_CAL, A, "Organizer"),
	PROP(calendar, Organizer, IK_CAL, D, ip_owner),
	PROP(calendar, Duration, IK_CAL, A, ip_duration),
	PFIX(calendar, TimeZone, IK_CAL, A, ITEM_UTC_NAME),
	PFIX(calendar, AppointmentSequenceNumber, IK_CAL, A, "0"),
	PFIX(calendar, AppointmentState, IK_CAL, A, "0"),
	PROP(calendar, Recurrence, IK_CAL, A | G, ip_recurrence),
	PROP(calendar, FirstOccurrence, IK_CAL, A | G, ip_first),
	PROP(calendar, LastOccurrence, IK_CAL, A | G, ip_last),
	PROP(calendar, StartTimeZone, IK_CAL, A, ip_tz),
	PROP(calendar, EndTimeZone, IK_CAL, A, ip_tz),
	PFIX(calendar, IsOnlineMeeting, IK_CAL, A, "false"),

	PROP(contacts, FileAs, IK_CON, D, ip_fileas),
	PFIX(contacts, FileAsMapping, IK_CON, A, "LastCommaFirst"),
	PCON(contacts, DisplayName, D, name),
	PCON(contacts, GivenName, D, given),
	PROP(contacts, CompleteName, IK_CON, A, ip_complete),
	PCON(contacts, CompanyName, D, company),
	PROP(contacts, EmailAddresses, IK_CON, D, ip_emails),
	PROP(contacts, PhoneNumbers, IK_CON, A, ip_phones),
	PFIX(contacts, ContactSource, IK_CON, A, "Store"),
	PCON(contacts, JobTitle, A, title),
	PCON(contacts, Surname, D, surname),
};

/* What each kind of item is called and where it lives. */
static const struct {
	enum ews_kind	 kind;
	int		 bit;
	const char	*elem;
	const char	*class;
	const char	*folder;
} item_kinds[] = {
	{ EK_MESSAGE, IK_MSG, "t:Message", "IPM.Note", "inbox" },
	{ EK_EVENT, IK_CAL, "t:CalendarItem", "IPM.Appointment", "calendar" },
	{ EK_OCCURRENCE, IK_CAL, "t:CalendarItem", "IPM.Appointment",
	    "calendar" },
	{ EK_CONTACT, IK_CON, "t:Contact", "IPM.Contact", "contacts" },
};

static size_t
item_kind(const struct ews_item *it)
{
	for (size_t i = 0; i < NELEM(item_kinds); i++)
		if (item_kinds[i].kind == it->ref.kind)
			return i;
	return 0;
}

static time_t
item_created(const struct ews_item *it)
{
	if (it->msg != NULL)
		return dir_started() - it->msg->age_min * 60;
	return dir_epoch() - 7 * 86400;
}

int
ews_item_load(const struct ews_ref *ref, struct ews_item *it)
{
	const struct dir_event	*ev;

	memset(it, 0, sizeof(*it));
	if (!ews_ref_exists(ref))
		return -1;
	it->ref = *ref;
	switch (ref->kind) {
	case EK_MESSAGE:
		it->msg = &dir_messages[ref->n];
		return 0;
	case EK_CONTACT:
		it->ct = &dir_contacts[ref->n];
		return 0;
	case EK_EVENT:
	case EK_OCCURRENCE:
		ev = it->ev = &dir_events[ref->n];
		it->start = dir_epoch() + ev->day * 86400L +
		    ev->start_min * 60L;
		if (ref->kind == EK_OCCURRENCE)
			it->start += (ref->occ - 1) * 86400L;
		it->end = it->start + ev->dur_min * 60L;
		it->caltype = ev->count <= 1 ? "Single" :
		    ref->kind == EK_OCCURRENCE ? "Occurrence" :
		    "RecurringMaster";
		return 0;
	default:
		return -1;
	}
}

int
ews_item_write(struct ews_req *req, const struct ews_item *it,
    const struct ews_shape *shape)
{
	struct item_ctx	 c = { req, NULL, it, shape, dir_user_at(it->ref.user) };
	size_t		 k = item_kind(it);

	W(ews_start(req, item_kinds[k].elem));
	for (size_t i = 0; i < NELEM(item_props); i++) {
		const struct item_prop *p = &item_props[i];

		c.prop = p;
		if ((p->kinds & item_kinds[k].bit) &&
		    ews_shape_wants(shape, p->flags, p->uri))
			W(p->fn(&c, p->elem));
	}
	return ews_end_elem(req);
}

/* A fixed value. */
static int
ip_text(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->prop->text);
}

/* A string field of the contact. */
static int
ip_contact(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, *(const char *const *)(const void *)
	    ((const char *)c->it->ct + c->prop->off));
}

/* ItemType */

static int
ip_id(struct item_ctx *c, const char *e)
{
	return ews_idelem(c->req, e, &c->it->ref);
}

static int
ip_parent(struct item_ctx *c, const char *e)
{
	struct ews_ref	 ref = { c->it->ref.user, EK_FOLDER,
	    dir_folder_byname(item_kinds[item_kind(c->it)].folder), 0 };

	return ews_idelem(c->req, e, &ref);
}

static int
ip_class(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, item_kinds[item_kind(c->it)].class);
}

static int
ip_subject(struct item_ctx *c, const char *e)
{
	const struct ews_item	*it = c->it;

	return ews_elem(c->req, e, it->msg ? it->msg->subject :
	    it->ev ? it->ev->subject : it->ct->name);
}


static const char *
item_body(const struct ews_item *it)
{
	return it->msg ? it->msg->body : it->ev ? it->ev->body : "";
}

/* TEXT without its tags, into BUF. */
static const char *
item_untag(const char *text, char *buf, size_t len)
{
	size_t	 n = 0;
	int	 in = 0;

	for (; *text != '\0' && n + 1 < len; text++) {
		if (*text == '<')
			in = 1;
		else if (*text == '>')
			in = 0;
		else if (!in)
			buf[n++] = *text;
	}
	buf[n] = '\0';
	return buf;
}

static int
ip_body(struct item_ctx *c, const char *e)
{
	char	 text[1024];

	W(ews_start(c->req, e));
	W(ews_attr(c->req, "BodyType", c->shape->text_body ? "Text" : "HTML"));
	W(xmlTextWriterWriteString(c->req->w, XC(c->shape->text_body ?
	    item_untag(item_body(c->it), text, sizeof(text)) :
	    item_body(c->it))));
	return ews_end_elem(c->req);
}

static int
ip_attachments(struct item_ctx *c, const char *e)
{
	struct ews_ref	 ref = c->it->ref;

	if (c->it->msg == NULL || c->it->msg->attach_name == NULL)
		return 0;
	ref.kind = EK_ATTACHMENT;
	W(ews_start(c->req, e));
	W(ews_file_attachment(c->req, &ref, 0));
	return ews_end_elem(c->req);
}

static int
ip_received(struct item_ctx *c, const char *e)
{
	return ews_time(c->req, e, item_created(c->it));
}

static int
ip_size(struct item_ctx *c, const char *e)
{
	const struct dir_message	*m = c->it->msg;

	return ews_elemf(c->req, e, "%zu", 2048 + strlen(item_body(c->it)) +
	    (m && m->attach_data ? strlen(m->attach_data) : 0));
}

static int
ip_importance(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->msg ? c->it->msg->importance :
	    "Normal");
}



static int
ip_fromme(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->msg &&
	    strcmp(c->it->msg->from_addr, c->owner->upn) == 0 ? "true" :
	    "false");
}

static int
ip_sent(struct item_ctx *c, const char *e)
{
	return ews_time(c->req, e, item_created(c->it) - (c->it->msg ? 4 : 0));
}

static int
ip_created(struct item_ctx *c, const char *e)
{
	return ews_time(c->req, e, item_created(c->it));
}

static int
ip_start(struct item_ctx *c, const char *e)
{
	return ews_time(c->req, e, c->it->start);
}

static int
ip_reminder(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ev ? "true" : "false");
}



static int
ip_displayto(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->msg ? c->owner->name : "");
}

static int
ip_hasatt(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->msg && c->it->msg->attach_name ?
	    "true" : "false");
}


static int
ip_rights(struct item_ctx *c, const char *e)
{
	return ews_rights(c->req, e);
}

static int
ip_owner_name(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->owner->name);
}

/* MessageType */

static int
ip_from(struct item_ctx *c, const char *e)
{
	return ews_mailbox(c->req, e, c->it->msg->from_name,
	    c->it->msg->from_addr, "Mailbox");
}

static int
ip_to(struct item_ctx *c, const char *e)
{
	W(ews_start(c->req, e));
	W(ews_mailbox(c->req, NULL, c->owner->name, c->owner->upn,
	    "Mailbox"));
	return ews_end_elem(c->req);
}

static int
ip_topic(struct item_ctx *c, const char *e)
{
	const char	*s = c->it->msg->subject;

	return ews_elem(c->req, e, strncmp(s, "Re: ", 4) == 0 ? s + 4 : s);
}

static int
ip_msgid(struct item_ctx *c, const char *e)
{
	return ews_elemf(c->req, e, "<F365.%d.%d@contoso.example>",
	    c->it->ref.user, c->it->ref.n);
}

static int
ip_isread(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->msg->read ? "true" : "false");
}

static int
ip_owner(struct item_ctx *c, const char *e)
{
	return ews_mailbox(c->req, e, c->owner->name, c->owner->upn,
	    "Mailbox");
}

/* CalendarItemType */

static int
ip_uid(struct item_ctx *c, const char *e)
{
	return ews_elemf(c->req, e, "040000008200E00074C5B7101A82E008"
	    "00000000F365%04X%04X", c->it->ref.user, c->it->ref.n);
}

static int
ip_recurid(struct item_ctx *c, const char *e)
{
	if (c->it->ref.kind != EK_OCCURRENCE)
		return 0;
	return ews_time(c->req, e, c->it->start);
}

static int
ip_end(struct item_ctx *c, const char *e)
{
	return ews_time(c->req, e, c->it->end);
}


static int
ip_location(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ev->location);
}

static int
ip_recurring(struct item_ctx *c, const char *e)
{
	/* EWS says true for occurrences and false for the master */
	return ews_elem(c->req, e, c->it->ref.kind == EK_OCCURRENCE ?
	    "true" : "false");
}

static int
ip_caltype(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->caltype);
}


static int
ip_duration(struct item_ctx *c, const char *e)
{
	int	 m = c->it->ev->dur_min;

	if (m >= 60)
		return ews_elemf(c->req, e, m % 60 ? "PT%dH%dM" : "PT%dH",
		    m / 60, m % 60);
	return ews_elemf(c->req, e, "PT%dM", m);
}



static int
ip_recurrence(struct item_ctx *c, const char *e)
{
	struct tm	 tm;
	char		 date[16];

	if (strcmp(c->it->caltype, "RecurringMaster") != 0)
		return 0;
	gmtime_r(&c->it->start, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dZ", &tm);
	W(ews_start(c->req, e));
	W(ews_start(c->req, "t:DailyRecurrence"));
	W(ews_elem(c->req, "t:Interval", "1"));
	W(ews_end_elem(c->req));
	W(ews_start(c->req, "t:NumberedRecurrence"));
	W(ews_elem(c->req, "t:StartDate", date));
	W(ews_elemf(c->req, "t:NumberOfOccurrences", "%d", c->it->ev->count));
	W(ews_end_elem(c->req));
	return ews_end_elem(c->req);
}

/* OccurrenceInfoType of the OCC-th instance. */
static int
item_occurrence_info(struct item_ctx *c, const char *e, int occ)
{
	struct ews_ref	 ref = c->it->ref;
	struct ews_item	 o;

	if (strcmp(c->it->caltype, "RecurringMaster") != 0)
		return 0;
	ref.kind = EK_OCCURRENCE;
	ref.occ = occ;
	if (ews_item_load(&ref, &o) == -1)
		return -1;
	W(ews_start(c->req, e));
	W(ews_idelem(c->req, "t:ItemId", &ref));
	W(ews_time(c->req, "t:Start", o.start));
	W(ews_time(c->req, "t:End", o.end));
	W(ews_time(c->req, "t:OriginalStart", o.start));
	return ews_end_elem(c->req);
}

static int
ip_first(struct item_ctx *c, const char *e)
{
	return item_occurrence_info(c, e, 1);
}

static int
ip_last(struct item_ctx *c, const char *e)
{
	return item_occurrence_info(c, e, c->it->ev->count);
}

static int
ip_tz(struct item_ctx *c, const char *e)
{
	W(ews_start(c->req, e));
	W(ews_attr(c->req, "Id", "UTC"));
	W(ews_attr(c->req, "Name", ITEM_UTC_NAME));
	return ews_end_elem(c->req);
}

/* ContactItemType */

static int
ip_fileas(struct item_ctx *c, const char *e)
{
	return ews_elemf(c->req, e, "%s, %s", c->it->ct->surname,
	    c->it->ct->given);
}




static int
ip_complete(struct item_ctx *c, const char *e)
{
	W(ews_start(c->req, e));
	W(ews_elem(c->req, "t:FirstName", c->it->ct->given));
	W(ews_elem(c->req, "t:LastName", c->it->ct->surname));
	W(ews_elem(c->req, "t:FullName", c->it->ct->name));
	return ews_end_elem(c->req);
}


/* A one-entry dictionary: <E><t:Entry Key="KEY">VALUE</t:Entry></E>. */
static int
item_entry(struct item_ctx *c, const char *e, const char *key,
    const char *value)
{
	W(ews_start(c->req, e));
	W(ews_start(c->req, "t:Entry"));
	W(ews_attr(c->req, "Key", key));
	W(xmlTextWriterWriteString(c->req->w, XC(value)));
	W(ews_end_elem(c->req));
	return ews_end_elem(c->req);
}

static int
ip_emails(struct item_ctx *c, const char *e)
{
	return item_entry(c, e, "EmailAddress1", c->it->ct->email);
}

static int
ip_phones(struct item_ctx *c, const char *e)
{
	return item_entry(c, e, "BusinessPhone", c->it->ct->phone);
}




/* The item an ItemId, OccurrenceItemId or RecurringMasterItemId names:
 * 0, or -1 with *CODE. */
static int
item_ref(struct ews_req *req, xmlNodePtr n, struct ews_ref *ref,
    const char **code)
{
	const char	*id, *v;

	*code = "ErrorInvalidIdMalformed";
	if (xml_is(n, NS_T, "ItemId")) {
		if ((id = xml_attr(n, "Id")) == NULL || ews_id_parse(id, ref))
			return -1;
	} else if (xml_is(n, NS_T, "OccurrenceItemId")) {
		if ((id = xml_attr(n, "RecurringMasterId")) == NULL ||
		    (v = xml_attr(n, "InstanceIndex")) == NULL ||
		    ews_id_parse(id, ref) || ref->kind != EK_EVENT)
			return -1;
		ref->kind = EK_OCCURRENCE;
		ref->occ = atoi(v);
	} else if (xml_is(n, NS_T, "RecurringMasterItemId")) {
		if ((id = xml_attr(n, "OccurrenceId")) == NULL ||
		    ews_id_parse(id, ref) || ref->kind != EK_OCCURRENCE)
			return -1;
		ref->kind = EK_EVENT;
		ref->occ = 0;
	} else
		return -1;
	*code = "ErrorItemNotFound";
	if (ref->kind == EK_FOLDER || ref->kind == EK_ATTACHMENT ||
	    !ews_ref_exists(ref))
		return -1;
	*code = "ErrorAccessDenied";
	return ref->user == req->user ? 0 : -1;
}

int
ews_get_item(struct ews_req *req)
{
	struct ews_shape	 shape;
	struct ews_ref		 ref;
	struct ews_item		 it;
	xmlNodePtr		 ids, n;
	const char		*code;
	int			 ok;

	if (ews_shape_begin(req, "ItemShape", 0, &shape, "ItemIds", &ids) ==
	    -1)
		return -1;
	XML_EACH(n, ids) {
		ok = item_ref(req, n, &ref, &code) == 0 &&
		    ews_item_load(&ref, &it) == 0;
		W(ews_msg(req, ok ? "NoError" : code));
		W(ews_start(req, "m:Items"));
		if (ok)
			W(ews_item_write(req, &it, &shape));
		W(ews_end_elem(req));
		W(ews_end_elem(req));
	}
	return 0;
}
