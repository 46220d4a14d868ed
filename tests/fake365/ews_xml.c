/* fake365 EWS request reading: elements by namespace URI and local name. */
#include <string.h>

#include "tests/fake365/ews.h"

int
xml_is(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

static xmlNodePtr
xml_from(xmlNodePtr c, const char *ns, const char *name)
{
	for (; c != NULL; c = c->next)
		if (xml_is(c, ns, name))
			return c;
	return NULL;
}

xmlNodePtr
xml_child(xmlNodePtr n, const char *ns, const char *name)
{
	return n ? xml_from(n->children, ns, name) : NULL;
}

xmlNodePtr
xml_next(xmlNodePtr c, const char *ns, const char *name)
{
	return xml_from(c->next, ns, name);
}

/* The first element from C on. */
static xmlNodePtr
xml_elem_from(xmlNodePtr c)
{
	for (; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

xmlNodePtr
xml_first(xmlNodePtr n)
{
	return n ? xml_elem_from(n->children) : NULL;
}

xmlNodePtr
xml_next_elem(xmlNodePtr c)
{
	return xml_elem_from(c->next);
}

const char *
xml_attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr	 a = n ? xmlHasNsProp(n, (const xmlChar *)name, NULL) :
			    NULL;

	if (a == NULL || a->type != XML_ATTRIBUTE_NODE)
		return NULL;
	if (a->children == NULL)
		return "";
	if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
		return NULL;
	return (const char *)a->children->content;
}

const char *
xml_text(xmlNodePtr n, char *buf, size_t len)
{
	size_t	 used = 0, k;

	buf[0] = '\0';
	for (xmlNodePtr c = n ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		k = strlen((const char *)c->content);
		if (k > len - 1 - used)
			k = len - 1 - used;
		memcpy(buf + used, c->content, k);
		used += k;
	}
	buf[used] = '\0';
	return buf;
}
