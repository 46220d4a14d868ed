/*
 * fake365 ConvertId between the id formats (EwsId, EntryId, HexEntryId,
 * ...) of items and folders the fake issued. exchangelib's version guess
 * sends it with a dummy id first.
 */
#include <string.h>

#include "tests/fake365/ews.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

/* One AlternateId: its answer. */
static int
convert_one(struct ews_req *req, xmlNodePtr n, int dest)
{
	struct ews_ref	 ref;
	const char	*fmt = xml_attr(n, "Format"), *id = xml_attr(n, "Id");
	char		 out[2 * EWS_ID_MAX];
	int		 src;

	if (!xml_is(n, NS_T, "AlternateId") || fmt == NULL || id == NULL ||
	    (src = ews_idformat_byname(fmt)) == -1 ||
	    ews_id_parse_as(id, src, &ref) == -1) {
		W(ews_msg(req, *(id ? id : "") == '\0' ? "ErrorInvalidIdEmpty" :
		    "ErrorInvalidIdMalformed"));
		return ews_end_elem(req);
	}
	if (!ews_ref_exists(&ref) || ref.user != req->user) {
		W(ews_msg(req, "ErrorItemNotFound"));
		return ews_end_elem(req);
	}
	ews_id_as(&ref, dest, out, sizeof(out));
	W(ews_msg(req, "NoError"));
	W(ews_start(req, "m:AlternateId"));
	W(ews_attr(req, "xmlns:xsi",
	    "http://www.w3.org/2001/XMLSchema-instance"));
	W(ews_attr(req, "xsi:type", "t:AlternateIdType"));
	W(ews_attr(req, "Format", ews_idformat_name(dest)));
	W(ews_attr(req, "Id", out));
	W(ews_attr(req, "Mailbox", dir_user_at(ref.user)->upn));
	W(ews_end_elem(req));
	return ews_end_elem(req);
}

int
ews_convert_id(struct ews_req *req)
{
	const char	*dest = xml_attr(req->op, "DestinationFormat");
	xmlNodePtr	 ids = xml_child(req->op, NS_M, "SourceIds"), n;
	int		 d;

	if (dest == NULL || (d = ews_idformat_byname(dest)) == -1 ||
	    xml_first(ids) == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	W(ews_begin(req));
	XML_EACH(n, ids)
		W(convert_one(req, n, d));
	return 0;
}
