/*
 * fake365 EWS internals: mailbox contents, the ids the fake issues, the
 * request being answered and the response writers.
 */
#ifndef FAKE365_EWS_H
#define FAKE365_EWS_H

#include "tests/fake365/fake365.h"

/* libxml2 wants xmlChar; ours are plain (UTF-8) C strings. */
#define XC(s)	((const xmlChar *)(s))

/* directory.c: every mailbox holds the same folders and seed items. */
enum dir_content {
	DIR_NONE,
	DIR_MESSAGES,
	DIR_EVENTS,
	DIR_CONTACTS,
};

struct dir_folder {
	const char		*distinguished;	/* DistinguishedFolderId */
	const char		*name;
	const char		*class;		/* FolderClass, or NULL */
	const char		*element;	/* Folder, CalendarFolder, ... */
	int			 parent;	/* index, -1 for root */
	enum dir_content	 content;
};

struct dir_message {
	const char	*subject;
	const char	*from_name;
	const char	*from_addr;
	long		 age_min;	/* received this long before start-up */
	int		 read;
	const char	*importance;
	const char	*body;		/* HTML */
	const char	*attach_name;	/* one file attachment, or NULL */
	const char	*attach_type;
	const char	*attach_data;
};

struct dir_event {
	const char	*subject;
	const char	*location;
	int		 day;		/* days after dir_epoch() */
	int		 start_min;	/* minutes after 00:00 UTC */
	int		 dur_min;
	int		 count;		/* > 1: a daily series of COUNT */
	const char	*body;
};

struct dir_contact {
	const char	*name;
	const char	*given;
	const char	*surname;
	const char	*email;
	const char	*company;
	const char	*title;
	const char	*phone;
};

extern const struct dir_folder	 dir_folders[];
extern const size_t		 dir_nfolders;
extern const struct dir_message	 dir_messages[];
extern const size_t		 dir_nmessages;
extern const struct dir_event	 dir_events[];
extern const size_t		 dir_nevents;
extern const struct dir_contact	 dir_contacts[];
extern const size_t		 dir_ncontacts;

int	dir_folder_byname(const char *distinguished);	/* index or -1 */
time_t	dir_started(void);	/* start-up time: messages are older */
/* Items of a folder's content kind. */
size_t	dir_count(enum dir_content);

/* ids.c: ids look like Exchange's (base64, "AAMkA...") and name a thing. */
enum ews_kind {
	EK_FOLDER,
	EK_MESSAGE,
	EK_EVENT,	/* a single item or a recurring master */
	EK_OCCURRENCE,	/* OCC-th instance of a daily series */
	EK_CONTACT,
	EK_ATTACHMENT,	/* the file attached to message N */
};

struct ews_ref {
	int		 user;	/* mailbox (directory index) */
	enum ews_kind	 kind;
	int		 n;	/* index in its table */
	int		 occ;	/* EK_OCCURRENCE: 1..count */
};

#define EWS_ID_MAX	160

/* Formats of ConvertId, with their leading bytes. */
enum ews_idformat {
	EWS_IDF_EWS,
	EWS_IDF_LEGACY,
	EWS_IDF_ENTRY,
	EWS_IDF_HEXENTRY,
	EWS_IDF_STORE,
	EWS_IDF_OWA,
};
const char	*ews_idformat_name(enum ews_idformat);
int		 ews_idformat_byname(const char *);	/* -1 if unknown */

void	ews_id(const struct ews_ref *, char *out, size_t len);
void	ews_id_as(const struct ews_ref *, enum ews_idformat, char *out,
	    size_t len);
void	ews_changekey(const struct ews_ref *, char *out, size_t len);
/* 0, or -1 when ID is not one the fake could have issued (malformed). */
int	ews_id_parse(const char *id, struct ews_ref *);
int	ews_id_parse_as(const char *id, enum ews_idformat, struct ews_ref *);
/* 1 when REF names something that exists. */
int	ews_ref_exists(const struct ews_ref *);

/* The request being answered. */
struct ews_req {
	struct fx		*fx;
	xmlDocPtr		 doc;
	xmlNodePtr		 op;		/* first child of soap:Body */
	const char		*opname;
	int			 user;		/* mailbox served: token's upn */
	const char		*version;	/* RequestServerVersion */
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w;
	const char		*fault;		/* ResponseCode for a fault */
	const char		*fault_text;	/* NULL: the code's text */
	int			 onprem;	/* /onprem/EWS: Exchange 2019 */
};

/* ews.c: handlers return 0 (response written), 1 (answered by the
 * handler itself) or -1 (a fault with req->fault). */
int	ews_fail(struct ews_req *, const char *code, const char *text);

/* ews_xml.c: reading the request. */
xmlNodePtr	 xml_child(xmlNodePtr, const char *ns, const char *name);
xmlNodePtr	 xml_next(xmlNodePtr, const char *ns, const char *name);
xmlNodePtr	 xml_first(xmlNodePtr);	/* first element child */
const char	*xml_attr(xmlNodePtr, const char *name);	/* borrowed */
int		 xml_is(xmlNodePtr, const char *ns, const char *name);
/* Text of NODE into BUF (truncated); "" when none. */
const char	*xml_text(xmlNodePtr, char *buf, size_t len);
xmlNodePtr	 xml_next_elem(xmlNodePtr);	/* next element sibling */
/* Walks the element children of N. */
#define XML_EACH(c, n) \
	for ((c) = xml_first(n); (c) != NULL; (c) = xml_next_elem(c))
/* Walks the element children of N named NAME in NS. */
#define XML_FOREACH(c, n, ns, name) \
	for ((c) = xml_child((n), (ns), (name)); (c) != NULL; \
	    (c) = xml_next((c), (ns), (name)))

/* ews_write.c: the response. */
int	ews_begin(struct ews_req *);		/* envelope to ResponseMessages */
int	ews_msg(struct ews_req *, const char *code);	/* ResponseMessage */
int	ews_msg_backoff(struct ews_req *, const char *code, long ms);
int	ews_end_elem(struct ews_req *);
int	ews_elem(struct ews_req *, const char *name, const char *text);
int	ews_elemf(struct ews_req *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	ews_start(struct ews_req *, const char *name);
int	ews_attr(struct ews_req *, const char *name, const char *value);
int	ews_time(struct ews_req *, const char *name, time_t);
int	ews_idelem(struct ews_req *, const char *name, const struct ews_ref *);
int	ews_mailbox(struct ews_req *, const char *elem, const char *name,
	    const char *addr, const char *type);
/* EffectiveRightsType, all true: the owner's rights. */
int	ews_rights(struct ews_req *, const char *elem);
/* The whole fault envelope for CODE (new buffer). */
xmlBufferPtr	 ews_fault_doc(const char *code, const char *text,
		    long backoff_ms);
const char	*ews_code_text(const char *code);
void		 ews_iso(time_t, char *out, size_t len);
int		 ews_parse_time(const char *, time_t *);

/* ews_shape.c: ItemShape / FolderShape. */
#define SHAPE_DEFAULT	0x01
#define SHAPE_ALL	0x02
#define SHAPE_GETONLY	0x04	/* never in FindItem/FindFolder results */
#define SHAPE_ID	0x08	/* in every shape, IdOnly too */

struct ews_shape {
	int		 base;		/* 0 IdOnly, SHAPE_DEFAULT, SHAPE_ALL */
	int		 find;		/* 1 in Find*: no SHAPE_GETONLY props */
	int		 text_body;	/* BodyType Text: tags stripped */
	xmlNodePtr	 extra;		/* AdditionalProperties, borrowed */
};
/*
 * Reads the operation's SHAPE element (ItemShape, FolderShape) into S and
 * finds its non-empty LIST element (ItemIds, ParentFolderIds, ...) for
 * *LISTP, then begins the response. 0, or -1 (a fault) when either is
 * missing or wrong. FIND: the operation is a Find*.
 */
int	ews_shape_begin(struct ews_req *, const char *shape, int find,
	    struct ews_shape *s, const char *list, xmlNodePtr *listp);
/* 1 when a property with FLAGS and FieldURI URI is asked for. */
int	ews_shape_wants(const struct ews_shape *, int flags, const char *uri);

/* ews_folder.c */
int	ews_get_folder(struct ews_req *);
int	ews_find_folder(struct ews_req *);
/* Folder index of a FolderId / DistinguishedFolderId element; -1 with
 * *CODE the per-item ResponseCode when it names none of ours. */
int	ews_folder_ref(struct ews_req *, xmlNodePtr, const char **code);

/* ews_item.c */
struct ews_item {
	struct ews_ref			 ref;
	const struct dir_message	*msg;
	const struct dir_event		*ev;
	const struct dir_contact	*ct;
	time_t				 start;	/* events: this instance */
	time_t				 end;
	const char			*caltype; /* Single, Occurrence, ... */
};
int	ews_item_load(const struct ews_ref *, struct ews_item *);
int	ews_item_write(struct ews_req *, const struct ews_item *,
	    const struct ews_shape *);
int	ews_get_item(struct ews_req *);

/* ews_find.c and ews_calendar.c */
int	ews_find_item(struct ews_req *);
/* Instances of the calendar overlapping [START, END) by start, at most
 * MAX in OUT; returns how many there are in all. */
size_t	ews_calendar_view(int user, time_t start, time_t end,
	    struct ews_item *out, size_t max);
size_t	ews_calendar_masters(int user, struct ews_item *out, size_t max);

/* ews_resolve.c, ews_convert.c, ews_attach.c, ews_big.c */
/* The FileAttachment of message REF's item, with its Content or not. */
int	ews_file_attachment(struct ews_req *, const struct ews_ref *msg,
	    int content);
int	ews_resolve_names(struct ews_req *);
int	ews_convert_id(struct ews_req *);
int	ews_get_attachment(struct ews_req *);
/* Streams the N-byte attachment big-N to req (answers it). */
int	ews_big_start(struct ews_req *, unsigned long long n);

/* ews_notify.c: Subscribe, Unsubscribe, GetEvents, GetStreamingEvents. */
int	ews_subscribe(struct ews_req *);
int	ews_unsubscribe(struct ews_req *);
int	ews_get_events(struct ews_req *);
int	ews_get_streaming_events(struct ews_req *);

/* ews_imp.c: an app-only request's ExchangeImpersonation (IMP, may be
 * NULL; HDR is soap:Header) sets req->user; 0, or -1 with a fault. */
int	ews_impersonate(struct ews_req *, xmlNodePtr hdr, xmlNodePtr imp);

/* ews_auth.c: the bearer token of an EWS request; 0 with *USER, or -1
 * after answering 401. */
int	ews_auth(struct fx *, int *user);
void	ews_401(struct fx *, int diag);
/* ews_onprem.c: on-premises Exchange takes Basic with a directory
 * password; 0 with *USER, or -1 after answering 401 (Negotiate, NTLM,
 * Basic). */
int	ews_onprem_auth(struct fx *, int *user);

#endif
