/*
 * fake365 GetAttachment: the file attached to a seed message, or the
 * generated attachment big-N, streamed (ews_big.c).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

#define BIG_PREFIX	"big-"

int
ews_file_attachment(struct ews_req *req, const struct ews_ref *ref,
    int content)
{
	const struct dir_message	*m = &dir_messages[ref->n];
	struct ews_ref			 root = *ref;
	char				 id[EWS_ID_MAX], rid[EWS_ID_MAX];
	char				 ck[EWS_ID_MAX];

	root.kind = EK_MESSAGE;
	ews_id(ref, id, sizeof(id));
	ews_id(&root, rid, sizeof(rid));
	ews_changekey(&root, ck, sizeof(ck));
	W(ews_start(req, "t:FileAttachment"));
	W(ews_start(req, "t:AttachmentId"));
	W(ews_attr(req, "Id", id));
	W(ews_attr(req, "RootItemId", rid));
	W(ews_attr(req, "RootItemChangeKey", ck));
	W(ews_end_elem(req));
	W(ews_elem(req, "t:Name", m->attach_name));
	W(ews_elem(req, "t:ContentType", m->attach_type));
	W(ews_elemf(req, "t:Size", "%zu", strlen(m->attach_data)));
	W(ews_time(req, "t:LastModifiedTime", dir_started() -
	    m->age_min * 60));
	W(ews_elem(req, "t:IsInline", "false"));
	W(ews_elem(req, "t:IsContactPhoto", "false"));
	if (content) {
		W(ews_start(req, "t:Content"));
		W(xmlTextWriterWriteBase64(req->w, m->attach_data, 0,
		    (int)strlen(m->attach_data)));
		W(ews_end_elem(req));
	}
	return ews_end_elem(req);
}

/* N of "big-N", or 0 when ID is not one. */
static unsigned long long
attach_big(const char *id)
{
	char			*end;
	unsigned long long	 n;

	if (strncmp(id, BIG_PREFIX, strlen(BIG_PREFIX)) != 0)
		return 0;
	id += strlen(BIG_PREFIX);
	if (*id < '1' || *id > '9')
		return 0;
	n = strtoull(id, &end, 10);
	return *end == '\0' && n <= 0x7fffffff ? n : 0;
}

static int
attach_one(struct ews_req *req, xmlNodePtr n)
{
	struct ews_ref	 ref;
	const char	*id = xml_attr(n, "Id"), *code = NULL;

	if (id == NULL || *id == '\0')
		code = "ErrorInvalidIdEmpty";
	else if (ews_id_parse(id, &ref) == -1 || ref.kind != EK_ATTACHMENT)
		code = "ErrorInvalidIdMalformed";
	else if (!ews_ref_exists(&ref))
		code = "ErrorItemNotFound";
	else if (ref.user != req->user)
		code = "ErrorAccessDenied";
	W(ews_msg(req, code ? code : "NoError"));
	W(ews_start(req, "m:Attachments"));
	if (code == NULL)
		W(ews_file_attachment(req, &ref, 1));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

int
ews_get_attachment(struct ews_req *req)
{
	xmlNodePtr		 ids = xml_child(req->op, NS_M, "AttachmentIds");
	xmlNodePtr		 n, first = xml_child(ids, NS_T, "AttachmentId");
	const char		*id = xml_attr(first, "Id");
	unsigned long long	 big;

	if (first == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (id != NULL && (big = attach_big(id)) > 0) {
		if (xml_next(first, NS_T, "AttachmentId") != NULL)
			return ews_fail(req, "ErrorInvalidRequest", "The fake "
			    "streams big-N only as the one attachment "
			    "asked for.");
		return ews_big_start(req, big);
	}
	W(ews_begin(req));
	XML_FOREACH(n, ids, NS_T, "AttachmentId")
		W(attach_one(req, n));
	return 0;
}
