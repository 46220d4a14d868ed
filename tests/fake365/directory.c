/*
 * fake365 directory: the tenant's users and what every mailbox holds.
 * Times are relative to start-up: messages arrived minutes before it,
 * events fall in the week of start-up and the next one.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tests/fake365/ews.h"

static const struct dir_user dir_users[] = {
	{ "alice@contoso.example", "Alice Example", "Alice", "Example",
	    "Alice-pw-1", "0a1b2c3d-0001-4000-8000-00000000a11c",
	    "Finance Manager", "Building 1/101", "+1 425 555 0101", 0 },
	{ "bob@contoso.example", "Bob Example", "Bob", "Example",
	    "Bob-pw-1", "0a1b2c3d-0002-4000-8000-000000000b0b",
	    "Sales Lead", "Building 1/102", "+1 425 555 0102", 0 },
	{ "carol@contoso.example", "Carol Example", "Carol", "Example",
	    "Carol-pw-1", "0a1b2c3d-0003-4000-8000-00000000ca01",
	    "Engineer", "Building 2/201", "+1 425 555 0103", 0 },
	{ "room1@contoso.example", "Room 1", NULL, NULL,
	    "Room1-pw-1", "0a1b2c3d-0004-4000-8000-000000000f01",
	    NULL, "Building 1/Room 1", NULL, 1 },
};

const struct dir_folder dir_folders[] = {
	{ "root", "Root", NULL, "Folder", -1, DIR_NONE },
	{ "msgfolderroot", "Top of Information Store", "IPF.Note", "Folder",
	    0, DIR_NONE },
	{ "inbox", "Inbox", "IPF.Note", "Folder", 1, DIR_MESSAGES },
	{ "calendar", "Calendar", "IPF.Appointment", "CalendarFolder", 1,
	    DIR_EVENTS },
	{ "contacts", "Contacts", "IPF.Contact", "ContactsFolder", 1,
	    DIR_CONTACTS },
	{ "sentitems", "Sent Items", "IPF.Note", "Folder", 1, DIR_NONE },
	{ "drafts", "Drafts", "IPF.Note", "Folder", 1, DIR_NONE },
	{ "deleteditems", "Deleted Items", "IPF.Note", "Folder", 1,
	    DIR_NONE },
};
const size_t dir_nfolders = NELEM(dir_folders);

const struct dir_message dir_messages[] = {
	{ "Welcome to Contoso", "IT Service Desk", "it@contoso.example",
	    60 * 24 * 3, 1, "Normal",
	    "<html><body><p>Welcome aboard. Your mailbox is ready.</p>"
	    "</body></html>", NULL, NULL, NULL },
	{ "Quarterly report draft", "Bob Example", "bob@contoso.example",
	    60 * 26, 1, "High",
	    "<html><body><p>The draft is attached; comments by Friday."
	    "</p></body></html>",
	    "report.txt", "text/plain",
	    "Q3 revenue: 1,234,567\nQ3 costs: 765,432\n" },
	{ "Lunch on Friday?", "Carol Example", "carol@contoso.example",
	    60 * 5, 0, "Normal",
	    "<html><body><p>Canteen at noon?</p></body></html>",
	    NULL, NULL, NULL },
	{ "Re: Project plan", "Alice Example", "alice@contoso.example",
	    90, 1, "Normal",
	    "<html><body><p>Agreed, let us go with plan B.</p>"
	    "</body></html>", NULL, NULL, NULL },
	{ "Your password expires soon", "Microsoft 365",
	    "no-reply@contoso.example", 30, 0, "Low",
	    "<html><body><p>Change it before it expires.</p></body></html>",
	    NULL, NULL, NULL },
	{ "Travel booking confirmed", "Travel Desk",
	    "travel@contoso.example", 10, 0, "Normal",
	    "<html><body><p>Flight CX 123, seat 14A.</p></body></html>",
	    NULL, NULL, NULL },
};
const size_t dir_nmessages = NELEM(dir_messages);

const struct dir_event dir_events[] = {
	{ "Daily stand-up", "Microsoft Teams Meeting", 0, 9 * 60, 15, 5,
	    "<html><body><p>What did you do, what will you do.</p>"
	    "</body></html>" },
	{ "Quarterly planning", "Room 4.12", 2, 8 * 60, 90, 0,
	    "<html><body><p>Bring the numbers.</p></body></html>" },
	{ "Team lunch", "Canteen", 4, 11 * 60, 60, 0,
	    "<html><body><p>On the team budget.</p></body></html>" },
	{ "Design review", "Room 1", 8, 14 * 60, 60, 0,
	    "<html><body><p>Gateway design, second round.</p></body></html>" },
	{ "One-on-one", "Room 2", 10, 10 * 60, 30, 0,
	    "<html><body><p>Monthly catch-up.</p></body></html>" },
};
const size_t dir_nevents = NELEM(dir_events);

const struct dir_contact dir_contacts[] = {
	{ "Dave Partner", "Dave", "Partner", "dave@fabrikam.example",
	    "Fabrikam", "Account Manager", "+1 206 555 0110" },
	{ "Erin Supplier", "Erin", "Supplier", "erin@northwind.example",
	    "Northwind Traders", "Buyer", "+44 20 7946 0111" },
};
const size_t dir_ncontacts = NELEM(dir_contacts);

const struct dir_user *
dir_user_at(int i)
{
	if (i < 0 || (size_t)i >= NELEM(dir_users))
		return NULL;
	return &dir_users[i];
}

int
dir_user_byupn(const char *upn)
{
	for (size_t i = 0; i < NELEM(dir_users); i++)
		if (strcasecmp(dir_users[i].upn, upn) == 0)
			return (int)i;
	return -1;
}

int
dir_folder_byname(const char *distinguished)
{
	for (size_t i = 0; i < NELEM(dir_folders); i++)
		if (strcmp(dir_folders[i].distinguished, distinguished) == 0)
			return (int)i;
	return -1;
}

size_t
dir_count(enum dir_content c)
{
	static const size_t *const counts[] = {
		[DIR_MESSAGES] = &dir_nmessages,
		[DIR_EVENTS] = &dir_nevents,
		[DIR_CONTACTS] = &dir_ncontacts,
	};

	return c == DIR_NONE ? 0 : *counts[c];
}

static time_t	 dir_start;

time_t
dir_started(void)
{
	if (dir_start == 0)
		dir_start = time(NULL);
	return dir_start;
}

time_t
dir_epoch(void)
{
	static time_t	 epoch;
	time_t		 now;
	struct tm	 tm;

	if (epoch == 0) {
		now = dir_started();
		gmtime_r(&now, &tm);
		/* back to Monday (tm_wday 1), then to midnight */
		epoch = now - ((tm.tm_wday + 6) % 7) * 86400L -
		    tm.tm_hour * 3600L - tm.tm_min * 60L - tm.tm_sec;
	}
	return epoch;
}
