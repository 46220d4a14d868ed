/*
 * fake365 ResolveNames: the entry as a prefix of a name, a word of a
 * name or an address, over the directory (ActiveDirectory) and the
 * mailbox's contacts (Contacts), as SearchScope says.
 */
#include <string.h>
#include <strings.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

#define RESOLVE_AD	0x01
#define RESOLVE_STORE	0x02
#define RESOLVE_MAX	32

static const struct {
	const char	*name;
	int		 where;
} resolve_scopes[] = {
	{ "ActiveDirectory", RESOLVE_AD },
	{ "Contacts", RESOLVE_STORE },
	{ "ActiveDirectoryContacts", RESOLVE_AD | RESOLVE_STORE },
	{ "ContactsActiveDirectory", RESOLVE_AD | RESOLVE_STORE },
};

/* One match: a directory user, or a contact of the mailbox. */
struct resolve_hit {
	const struct dir_user		*user;
	int				 contact;	/* index, or -1 */
};

/* 1 when ENTRY starts S or one of its words. */
static int
resolve_match(const char *s, const char *entry)
{
	size_t	 n = strlen(entry);

	if (s == NULL)
		return 0;
	for (const char *p = s; p != NULL; p = strchr(p, ' ')) {
		p += *p == ' ';
		if (strncasecmp(p, entry, n) == 0)
			return 1;
	}
	return 0;
}

static size_t
resolve_find(struct ews_req *req, const char *entry, int where,
    struct resolve_hit *hits)
{
	const struct dir_user	*u;
	size_t			 n = 0;

	for (int i = 0; (where & RESOLVE_AD) &&
	    (u = dir_user_at(i)) != NULL && n < RESOLVE_MAX; i++)
		if (resolve_match(u->name, entry) ||
		    resolve_match(u->upn, entry))
			hits[n++] = (struct resolve_hit){ u, -1 };
	for (size_t i = 0; (where & RESOLVE_STORE) && i < dir_ncontacts &&
	    n < RESOLVE_MAX; i++)
		if (resolve_match(dir_contacts[i].name, entry) ||
		    resolve_match(dir_contacts[i].email, entry))
			hits[n++] = (struct resolve_hit){ NULL, (int)i };
	return n;
}

static int
resolve_entry(struct ews_req *req, const char *e, const char *key,
    const char *value)
{
	W(ews_start(req, e));
	W(ews_start(req, "t:Entry"));
	W(ews_attr(req, "Key", key));
	W(xmlTextWriterWriteFormatString(req->w, "SMTP:%s", value));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

/* The Contact of a directory user (ContactItemType order). */
static int
resolve_ad_contact(struct ews_req *req, const struct dir_user *u)
{
	W(ews_start(req, "t:Contact"));
	W(ews_elem(req, "t:DisplayName", u->name));
	if (u->given != NULL)
		W(ews_elem(req, "t:GivenName", u->given));
	W(resolve_entry(req, "t:EmailAddresses", "EmailAddress1", u->upn));
	if (u->phone != NULL) {
		W(ews_start(req, "t:PhoneNumbers"));
		W(ews_start(req, "t:Entry"));
		W(ews_attr(req, "Key", "BusinessPhone"));
		W(xmlTextWriterWriteString(req->w, XC(u->phone)));
		W(ews_end_elem(req));
		W(ews_end_elem(req));
	}
	W(ews_elem(req, "t:ContactSource", "ActiveDirectory"));
	if (u->title != NULL)
		W(ews_elem(req, "t:JobTitle", u->title));
	if (u->office != NULL)
		W(ews_elem(req, "t:OfficeLocation", u->office));
	if (u->surname != NULL)
		W(ews_elem(req, "t:Surname", u->surname));
	return ews_end_elem(req);
}

static int
resolve_write(struct ews_req *req, const struct resolve_hit *h, int full)
{
	const struct dir_contact	*c;
	struct ews_ref			 ref = { req->user, EK_CONTACT, 0, 0 };
	struct ews_item			 it;
	struct ews_shape		 shape = { .base = SHAPE_DEFAULT };

	W(ews_start(req, "t:Resolution"));
	if (h->user != NULL) {
		W(ews_mailbox(req, NULL, h->user->name, h->user->upn,
		    "Mailbox"));
		if (full)
			W(resolve_ad_contact(req, h->user));
		return ews_end_elem(req);
	}
	c = &dir_contacts[h->contact];
	ref.n = h->contact;
	W(ews_start(req, "t:Mailbox"));
	W(ews_elem(req, "t:Name", c->name));
	W(ews_elem(req, "t:EmailAddress", c->email));
	W(ews_elem(req, "t:RoutingType", "SMTP"));
	W(ews_elem(req, "t:MailboxType", "Contact"));
	W(ews_idelem(req, "t:ItemId", &ref));
	W(ews_end_elem(req));
	if (full && ews_item_load(&ref, &it) == 0)
		W(ews_item_write(req, &it, &shape));
	return ews_end_elem(req);
}

int
ews_resolve_names(struct ews_req *req)
{
	struct resolve_hit	 hits[RESOLVE_MAX];
	const char		*full = xml_attr(req->op, "ReturnFullContactData");
	const char		*scope = xml_attr(req->op, "SearchScope");
	const char		*entry;
	char			 text[256], total[16];
	int			 where = 0;
	size_t			 n;

	if (scope == NULL)
		scope = "ActiveDirectoryContacts";
	for (size_t i = 0; i < NELEM(resolve_scopes); i++)
		if (strcmp(scope, resolve_scopes[i].name) == 0)
			where = resolve_scopes[i].where;
	entry = xml_text(xml_child(req->op, NS_M, "UnresolvedEntry"), text,
	    sizeof(text));
	if (full == NULL || where == 0 || *entry == '\0')
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (strncasecmp(entry, "SMTP:", 5) == 0)
		entry += 5;
	n = resolve_find(req, entry, where, hits);
	W(ews_begin(req));
	W(ews_msg(req, n == 0 ? "ErrorNameResolutionNoResults" : n == 1 ?
	    "NoError" : "ErrorNameResolutionMultipleResults"));
	if (n > 0) {
		snprintf(total, sizeof(total), "%zu", n);
		W(ews_start(req, "m:ResolutionSet"));
		W(ews_attr(req, "TotalItemsInView", total));
		W(ews_attr(req, "IncludesLastItemInRange", "true"));
		for (size_t i = 0; i < n; i++)
			W(resolve_write(req, &hits[i], strcmp(full, "true") ==
			    0 || strcmp(full, "1") == 0));
		W(ews_end_elem(req));
	}
	return ews_end_elem(req);
}
