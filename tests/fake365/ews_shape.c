/*
 * fake365 response shapes: BaseShape (IdOnly, Default, AllProperties)
 * plus the FieldURIs of AdditionalProperties.
 */
#include <string.h>

#include "tests/fake365/ews.h"

static const struct {
	const char	*name;
	int		 base;
} shape_bases[] = {
	{ "IdOnly", 0 },
	{ "Default", SHAPE_DEFAULT },
	{ "AllProperties", SHAPE_ALL },
};

static int
shape_parse(xmlNodePtr shape, int find, struct ews_shape *s)
{
	char	 text[32];

	memset(s, 0, sizeof(*s));
	s->find = find;
	xml_text(xml_child(shape, NS_T, "BaseShape"), text, sizeof(text));
	for (size_t i = 0; i < NELEM(shape_bases); i++)
		if (strcmp(text, shape_bases[i].name) == 0) {
			s->base = shape_bases[i].base;
			s->extra = xml_child(shape, NS_T,
			    "AdditionalProperties");
			xml_text(xml_child(shape, NS_T, "BodyType"), text,
			    sizeof(text));
			s->text_body = strcmp(text, "Text") == 0;
			return 0;
		}
	return -1;
}

int
ews_shape_begin(struct ews_req *req, const char *shape, int find,
    struct ews_shape *s, const char *list, xmlNodePtr *listp)
{
	if (shape_parse(xml_child(req->op, NS_M, shape), find, s) == -1 ||
	    (*listp = xml_child(req->op, NS_M, list)) == NULL ||
	    xml_first(*listp) == NULL)
		return ews_fail(req, "ErrorSchemaValidation", NULL);
	if (ews_begin(req) < 0)
		return ews_fail(req, "ErrorInternalServerError", NULL);
	return 0;
}

int
ews_shape_wants(const struct ews_shape *s, int flags, const char *uri)
{
	xmlNodePtr	 f;
	const char	*v;

	if (s->find && (flags & SHAPE_GETONLY))
		return 0;
	if (flags & (SHAPE_ID | s->base))
		return 1;
	XML_FOREACH(f, s->extra, NS_T, "FieldURI")
		if ((v = xml_attr(f, "FieldURI")) != NULL &&
		    strcmp(v, uri) == 0)
			return 1;
	return 0;
}
