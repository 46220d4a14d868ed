/*
 * fake365 EWS folders: GetFolder and FindFolder over the folder table
 * every mailbox shares. Properties are written in schema order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

struct folder_ctx {
	struct ews_req	*req;
	int		 f;	/* folder index */
};

static int	fp_id(struct folder_ctx *, const char *);
static int	fp_parent(struct folder_ctx *, const char *);
static int	fp_class(struct folder_ctx *, const char *);
static int	fp_name(struct folder_ctx *, const char *);
static int	fp_total(struct folder_ctx *, const char *);
static int	fp_children(struct folder_ctx *, const char *);
static int	fp_rights(struct folder_ctx *, const char *);
static int	fp_unread(struct folder_ctx *, const char *);

#define D	(SHAPE_DEFAULT | SHAPE_ALL)
#define A	SHAPE_ALL

static const struct folder_prop {
	const char	*uri;
	const char	*elem;
	int		 flags;
	int		 plain;		/* only in t:Folder (FolderType) */
	int		(*fn)(struct folder_ctx *, const char *);
} folder_props[] = {
	{ "folder:FolderId", "t:FolderId", SHAPE_ID, 0, fp_id },
	{ "folder:ParentFolderId", "t:ParentFolderId", A, 0, fp_parent },
	{ "folder:FolderClass", "t:FolderClass", A, 0, fp_class },
	{ "folder:DisplayName", "t:DisplayName", D, 0, fp_name },
	{ "folder:TotalCount", "t:TotalCount", D, 0, fp_total },
	{ "folder:ChildFolderCount", "t:ChildFolderCount", D, 0, fp_children },
	{ "folder:EffectiveRights", "t:EffectiveRights", A, 0, fp_rights },
	{ "folder:UnreadCount", "t:UnreadCount", D, 1, fp_unread },
};

static int
fp_ref(struct folder_ctx *c, const char *elem, int f)
{
	struct ews_ref	 ref = { c->req->user, EK_FOLDER, f, 0 };

	return ews_idelem(c->req, elem, &ref);
}

static int
fp_id(struct folder_ctx *c, const char *elem)
{
	return fp_ref(c, elem, c->f);
}

static int
fp_parent(struct folder_ctx *c, const char *elem)
{
	if (dir_folders[c->f].parent == -1)
		return 0;
	return fp_ref(c, elem, dir_folders[c->f].parent);
}

static int
fp_class(struct folder_ctx *c, const char *elem)
{
	if (dir_folders[c->f].class == NULL)
		return 0;
	return ews_elem(c->req, elem, dir_folders[c->f].class);
}

static int
fp_name(struct folder_ctx *c, const char *elem)
{
	return ews_elem(c->req, elem, dir_folders[c->f].name);
}

static int
fp_total(struct folder_ctx *c, const char *elem)
{
	return ews_elemf(c->req, elem, "%zu",
	    dir_count(dir_folders[c->f].content));
}

static int
fp_children(struct folder_ctx *c, const char *elem)
{
	int	 n = 0;

	for (size_t i = 0; i < dir_nfolders; i++)
		n += dir_folders[i].parent == c->f;
	return ews_elemf(c->req, elem, "%d", n);
}

static int
fp_rights(struct folder_ctx *c, const char *elem)
{
	return ews_rights(c->req, elem);
}

static int
fp_unread(struct folder_ctx *c, const char *elem)
{
	int	 n = 0;

	if (dir_folders[c->f].content == DIR_MESSAGES)
		for (size_t i = 0; i < dir_nmessages; i++)
			n += !dir_messages[i].read;
	return ews_elemf(c->req, elem, "%d", n);
}

static int
folder_write(struct ews_req *req, int f, const struct ews_shape *shape)
{
	struct folder_ctx	 c = { req, f };
	const struct dir_folder	*d = &dir_folders[f];
	char			 elem[48];

	snprintf(elem, sizeof(elem), "t:%s", d->element);
	W(ews_start(req, elem));
	for (size_t i = 0; i < NELEM(folder_props); i++) {
		const struct folder_prop *p = &folder_props[i];

		if (p->plain && strcmp(d->element, "Folder") != 0)
			continue;
		if (ews_shape_wants(shape, p->flags, p->uri))
			W(p->fn(&c, p->elem));
	}
	return ews_end_elem(req);
}

/* The mailbox a DistinguishedFolderId names: 0 ours, else *CODE. */
static int
folder_mailbox(struct ews_req *req, xmlNodePtr dfid, const char **code)
{
	xmlNodePtr	 mb = xml_child(dfid, NS_T, "Mailbox");
	char		 addr[256];
	int		 user;

	if (mb == NULL)
		return 0;
	xml_text(xml_child(mb, NS_T, "EmailAddress"), addr, sizeof(addr));
	if ((user = dir_user_byupn(addr)) == req->user)
		return 0;
	*code = user == -1 ? "ErrorNonExistentMailbox" : "ErrorAccessDenied";
	return -1;
}

int
ews_folder_ref(struct ews_req *req, xmlNodePtr n, const char **code)
{
	struct ews_ref	 ref;
	const char	*id = xml_attr(n, "Id");
	int		 f;

	if (xml_is(n, NS_T, "DistinguishedFolderId")) {
		if (folder_mailbox(req, n, code) == -1)
			return -1;
		*code = "ErrorFolderNotFound";
		return id ? dir_folder_byname(id) : -1;
	}
	*code = "ErrorInvalidIdMalformed";
	if (!xml_is(n, NS_T, "FolderId") || id == NULL ||
	    ews_id_parse(id, &ref) == -1)
		return -1;
	*code = "ErrorFolderNotFound";
	if (ref.kind != EK_FOLDER || !ews_ref_exists(&ref))
		return -1;
	*code = "ErrorAccessDenied";
	if (ref.user != req->user)
		return -1;
	f = ref.n;
	return f;
}

int
ews_get_folder(struct ews_req *req)
{
	struct ews_shape	 shape;
	xmlNodePtr		 ids, n;
	const char		*code;
	int			 f;

	if (ews_shape_begin(req, "FolderShape", 0, &shape, "FolderIds",
	    &ids) == -1)
		return -1;
	XML_EACH(n, ids) {
		f = ews_folder_ref(req, n, &code);
		W(ews_msg(req, f == -1 ? code : "NoError"));
		W(ews_start(req, "m:Folders"));
		if (f != -1)
			W(folder_write(req, f, &shape));
		W(ews_end_elem(req));
		W(ews_end_elem(req));
	}
	return 0;
}

/* Descendants of folder F (children only unless DEEP), in tree order. */
static size_t
folder_under(int f, int deep, int *out, size_t n)
{
	for (size_t i = 0; i < dir_nfolders; i++) {
		if (dir_folders[i].parent != f)
			continue;
		out[n++] = (int)i;
		if (deep)
			n = folder_under((int)i, deep, out, n);
	}
	return n;
}

static int
folder_find_one(struct ews_req *req, int f, int deep,
    const struct ews_shape *shape, xmlNodePtr view)
{
	int		 list[16];
	const char	*v;
	long		 offset = 0, max = 1000;
	size_t		 n, end;
	char		 s[24];

	/* deep: 1 Deep, 0 Shallow, -1 SoftDeleted (none here) */
	n = deep == -1 ? 0 : folder_under(f, deep, list, 0);
	if (view != NULL) {
		if ((v = xml_attr(view, "Offset")) != NULL)
			offset = strtol(v, NULL, 10);
		if ((v = xml_attr(view, "MaxEntriesReturned")) != NULL)
			max = strtol(v, NULL, 10);
	}
	if (offset < 0 || max < 1) {
		W(ews_msg(req, "ErrorInvalidPagingMaxRows"));
		return ews_end_elem(req);
	}
	if ((size_t)offset > n)
		offset = (long)n;
	end = (size_t)offset + (size_t)max < n ? (size_t)offset + max : n;
	W(ews_msg(req, "NoError"));
	W(ews_start(req, "m:RootFolder"));
	if (view != NULL) {
		snprintf(s, sizeof(s), "%zu", end);
		W(ews_attr(req, "IndexedPagingOffset", s));
	}
	snprintf(s, sizeof(s), "%zu", n);
	W(ews_attr(req, "TotalItemsInView", s));
	W(ews_attr(req, "IncludesLastItemInRange", end == n ? "true" :
	    "false"));
	W(ews_start(req, "t:Folders"));
	for (size_t i = (size_t)offset; i < end; i++)
		W(folder_write(req, list[i], shape));
	W(ews_end_elem(req));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

int
ews_find_folder(struct ews_req *req)
{
	struct ews_shape	 shape;
	xmlNodePtr		 parents, n;
	const char		*trav = xml_attr(req->op, "Traversal"), *code;
	int			 f, deep;

	if (trav == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (strcmp(trav, "Shallow") == 0)
		deep = 0;
	else if (strcmp(trav, "Deep") == 0)
		deep = 1;
	else if (strcmp(trav, "SoftDeleted") == 0)
		deep = -1;
	else
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (ews_shape_begin(req, "FolderShape", 1, &shape, "ParentFolderIds",
	    &parents) == -1)
		return -1;
	XML_EACH(n, parents) {
		if ((f = ews_folder_ref(req, n, &code)) == -1) {
			W(ews_msg(req, code));
			W(ews_end_elem(req));
			continue;
		}
		W(folder_find_one(req, f, deep, &shape,
		    xml_child(req->op, NS_M, "IndexedPageFolderView")));
	}
	return 0;
}
