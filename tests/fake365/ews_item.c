/*
 * fake365 EWS items: messages, calendar items (single, recurring master,
 * occurrence) and contacts. One table of properties in schema order
 * (ItemType, then MessageType, CalendarItemType, ContactItemType): each
 * row says which item kinds have it, in which shapes, and writes it.
 */
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

struct item_ctx {
	struct ews_req			*req;
	const struct ews_item		*it;
	const struct ews_shape		*shape;
	const struct dir_user		*owner;
};

typedef int	 item_fn(struct item_ctx *, const char *);

static item_fn	ip_id, ip_parent, ip_class, ip_subject, ip_normal, ip_body,
		ip_attachments, ip_received, ip_size, ip_importance, ip_false,
		ip_true, ip_fromme, ip_sent, ip_created, ip_start,
		ip_reminder, ip_minutes, ip_empty, ip_displayto, ip_hasatt,
		ip_culture, ip_rights, ip_owner_name, ip_from, ip_to,
		ip_topic, ip_msgid, ip_isread, ip_owner, ip_uid, ip_recurid,
		ip_end, ip_busy, ip_location, ip_recurring, ip_caltype,
		ip_organizer_resp, ip_duration, ip_tzname, ip_zero,
		ip_recurrence, ip_first, ip_last, ip_tz, ip_fileas,
		ip_fileasmap, ip_ctname, ip_given, ip_complete, ip_company,
		ip_emails, ip_phones, ip_store, ip_title, ip_surname;

static const struct item_prop {
	const char	*uri;
	const char	*elem;
	int		 kinds;
	int		 flags;
	item_fn		*fn;
} item_props[] = {
	{ "item:ItemId", "t:ItemId", IK_ANY, SHAPE_ID, ip_id },
	{ "item:ParentFolderId", "t:ParentFolderId", IK_ANY, A, ip_parent },
	{ "item:ItemClass", "t:ItemClass", IK_ANY, D, ip_class },
	{ "item:Subject", "t:Subject", IK_ANY, D, ip_subject },
	{ "item:Sensitivity", "t:Sensitivity", IK_ANY, D, ip_normal },
	{ "item:Body", "t:Body", IK_ANY, D | G, ip_body },
	{ "item:Attachments", "t:Attachments", IK_ANY, D | G, ip_attachments },
	{ "item:DateTimeReceived", "t:DateTimeReceived", IK_ANY, D,
	    ip_received },
	{ "item:Size", "t:Size", IK_ANY, D, ip_size },
	{ "item:Importance", "t:Importance", IK_ANY, D, ip_importance },
	{ "item:IsSubmitted", "t:IsSubmitted", IK_ANY, A, ip_false },
	{ "item:IsDraft", "t:IsDraft", IK_ANY, A, ip_false },
	{ "item:IsFromMe", "t:IsFromMe", IK_ANY, A, ip_fromme },
	{ "item:IsResend", "t:IsResend", IK_ANY, A, ip_false },
	{ "item:IsUnmodified", "t:IsUnmodified", IK_ANY, A, ip_true },
	{ "item:DateTimeSent", "t:DateTimeSent", IK_ANY, D, ip_sent },
	{ "item:DateTimeCreated", "t:DateTimeCreated", IK_ANY, D,
	    ip_created },
	{ "item:ReminderDueBy", "t:ReminderDueBy", IK_CAL, A, ip_start },
	{ "item:ReminderIsSet", "t:ReminderIsSet", IK_ANY, A, ip_reminder },
	{ "item:ReminderMinutesBeforeStart", "t:ReminderMinutesBeforeStart",
	    IK_ANY, A, ip_minutes },
	{ "item:DisplayCc", "t:DisplayCc", IK_MSG | IK_CAL, A, ip_empty },
	{ "item:DisplayTo", "t:DisplayTo", IK_MSG | IK_CAL, D, ip_displayto },
	{ "item:HasAttachments", "t:HasAttachments", IK_ANY, D, ip_hasatt },
	{ "item:Culture", "t:Culture", IK_ANY, A, ip_culture },
	{ "item:EffectiveRights", "t:EffectiveRights", IK_ANY, A, ip_rights },
	{ "item:LastModifiedName", "t:LastModifiedName", IK_ANY, A,
	    ip_owner_name },
	{ "item:LastModifiedTime", "t:LastModifiedTime", IK_ANY, A,
	    ip_created },
	{ "item:IsAssociated", "t:IsAssociated", IK_ANY, A, ip_false },

	{ "message:Sender", "t:Sender", IK_MSG, D, ip_from },
	{ "message:ToRecipients", "t:ToRecipients", IK_MSG, D | G, ip_to },
	{ "message:IsReadReceiptRequested", "t:IsReadReceiptRequested",
	    IK_MSG, A, ip_false },
	{ "message:IsDeliveryReceiptRequested",
	    "t:IsDeliveryReceiptRequested", IK_MSG, A, ip_false },
	{ "message:ConversationTopic", "t:ConversationTopic", IK_MSG, A,
	    ip_topic },
	{ "message:From", "t:From", IK_MSG, D, ip_from },
	{ "message:InternetMessageId", "t:InternetMessageId", IK_MSG, A,
	    ip_msgid },
	{ "message:IsRead", "t:IsRead", IK_MSG, D, ip_isread },
	{ "message:IsResponseRequested", "t:IsResponseRequested", IK_MSG, A,
	    ip_false },
	{ "message:ReceivedBy", "t:ReceivedBy", IK_MSG, A, ip_owner },
	{ "message:ReceivedRepresenting", "t:ReceivedRepresenting", IK_MSG, A,
	    ip_owner },

	{ "calendar:UID", "t:UID", IK_CAL, A, ip_uid },
	{ "calendar:RecurrenceId", "t:RecurrenceId", IK_CAL, A, ip_recurid },
	{ "calendar:DateTimeStamp", "t:DateTimeStamp", IK_CAL, A, ip_created },
	{ "calendar:Start", "t:Start", IK_CAL, D, ip_start },
	{ "calendar:End", "t:End", IK_CAL, D, ip_end },
	{ "calendar:OriginalStart", "t:OriginalStart", IK_CAL, A, ip_recurid },
	{ "calendar:IsAllDayEvent", "t:IsAllDayEvent", IK_CAL, D, ip_false },
	{ "calendar:LegacyFreeBusyStatus", "t:LegacyFreeBusyStatus", IK_CAL,
	    D, ip_busy },
	{ "calendar:Location", "t:Location", IK_CAL, D, ip_location },
	{ "calendar:IsMeeting", "t:IsMeeting", IK_CAL, A, ip_false },
	{ "calendar:IsCancelled", "t:IsCancelled", IK_CAL, A, ip_false },
	{ "calendar:IsRecurring", "t:IsRecurring", IK_CAL, A, ip_recurring },
	{ "calendar:MeetingRequestWasSent", "t:MeetingRequestWasSent", IK_CAL,
	    A, ip_false },
	{ "calendar:IsResponseRequested", "t:IsResponseRequested", IK_CAL, A,
	    ip_false },
	{ "calendar:CalendarItemType", "t:CalendarItemType", IK_CAL, D,
	    ip_caltype },
	{ "calendar:MyResponseType", "t:MyResponseType", IK_CAL, A,
	    ip_organizer_resp },
	{ "calendar:Organizer", "t:Organizer", IK_CAL, D, ip_owner },
	{ "calendar:Duration", "t:Duration", IK_CAL, A, ip_duration },
	{ "calendar:TimeZone", "t:TimeZone", IK_CAL, A, ip_tzname },
	{ "calendar:AppointmentSequenceNumber", "t:AppointmentSequenceNumber",
	    IK_CAL, A, ip_zero },
	{ "calendar:AppointmentState", "t:AppointmentState", IK_CAL, A,
	    ip_zero },
	{ "calendar:Recurrence", "t:Recurrence", IK_CAL, A | G, ip_recurrence },
	{ "calendar:FirstOccurrence", "t:FirstOccurrence", IK_CAL, A | G,
	    ip_first },
	{ "calendar:LastOccurrence", "t:LastOccurrence", IK_CAL, A | G,
	    ip_last },
	{ "calendar:StartTimeZone", "t:StartTimeZone", IK_CAL, A, ip_tz },
	{ "calendar:EndTimeZone", "t:EndTimeZone", IK_CAL, A, ip_tz },
	{ "calendar:IsOnlineMeeting", "t:IsOnlineMeeting", IK_CAL, A,
	    ip_false },

	{ "contacts:FileAs", "t:FileAs", IK_CON, D, ip_fileas },
	{ "contacts:FileAsMapping", "t:FileAsMapping", IK_CON, A,
	    ip_fileasmap },
	{ "contacts:DisplayName", "t:DisplayName", IK_CON, D, ip_ctname },
	{ "contacts:GivenName", "t:GivenName", IK_CON, D, ip_given },
	{ "contacts:CompleteName", "t:CompleteName", IK_CON, A, ip_complete },
	{ "contacts:CompanyName", "t:CompanyName", IK_CON, D, ip_company },
	{ "contacts:EmailAddresses", "t:EmailAddresses", IK_CON, D,
	    ip_emails },
	{ "contacts:PhoneNumbers", "t:PhoneNumbers", IK_CON, A, ip_phones },
	{ "contacts:ContactSource", "t:ContactSource", IK_CON, A, ip_store },
	{ "contacts:JobTitle", "t:JobTitle", IK_CON, A, ip_title },
	{ "contacts:Surname", "t:Surname", IK_CON, D, ip_surname },
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
	struct item_ctx	 c = { req, it, shape, dir_user_at(it->ref.user) };
	size_t		 k = item_kind(it);

	W(ews_start(req, item_kinds[k].elem));
	for (size_t i = 0; i < NELEM(item_props); i++) {
		const struct item_prop *p = &item_props[i];

		if ((p->kinds & item_kinds[k].bit) &&
		    ews_shape_wants(shape, p->flags, p->uri))
			W(p->fn(&c, p->elem));
	}
	return ews_end_elem(req);
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

static int
ip_normal(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "Normal");
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
ip_false(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "false");
}

static int
ip_true(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "true");
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
ip_minutes(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "15");
}

static int
ip_empty(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "");
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
ip_culture(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "en-US");
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
ip_busy(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "Busy");
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
ip_organizer_resp(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "Organizer");
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
ip_tzname(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "(UTC) Coordinated Universal Time");
}

static int
ip_zero(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "0");
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
	W(ews_attr(c->req, "Name", "(UTC) Coordinated Universal Time"));
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
ip_fileasmap(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "LastCommaFirst");
}

static int
ip_ctname(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ct->name);
}

static int
ip_given(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ct->given);
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

static int
ip_company(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ct->company);
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

static int
ip_store(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, "Store");
}

static int
ip_title(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ct->title);
}

static int
ip_surname(struct item_ctx *c, const char *e)
{
	return ews_elem(c->req, e, c->it->ct->surname);
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

	if (ews_shape_parse(xml_child(req->op, NS_M, "ItemShape"), 0,
	    &shape) == -1 || (ids = xml_child(req->op, NS_M, "ItemIds")) ==
	    NULL || xml_first(ids) == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	W(ews_begin(req));
	for (n = xml_first(ids); n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (item_ref(req, n, &ref, &code) == -1 ||
		    ews_item_load(&ref, &it) == -1) {
			W(ews_msg(req, code));
			W(ews_start(req, "m:Items"));
		} else {
			W(ews_msg(req, "NoError"));
			W(ews_start(req, "m:Items"));
			W(ews_item_write(req, &it, &shape));
		}
		W(ews_end_elem(req));
		W(ews_end_elem(req));
	}
	return 0;
}
