/*
 * Autodiscover requests, read with libxml2's pull parser: the POX
 * <Autodiscover><Request><EMailAddress> and the SOAP GetUserSettings
 * users and settings. The same precautions as for EWS bodies: a DOCTYPE
 * ends the read (no entity is ever declared), nothing is loaded (NONET,
 * no DTDLOAD), depth and size are capped, and elements are matched by
 * namespace URI and local name, never by prefix.
 */
#include <ctype.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

#define AD_MAX_DEPTH	16
#define AD_PATH_MAX	256

enum ad_field {
	AD_F_OP,	/* the operation: first element of soap:Body */
	AD_F_USER,	/* an address asked about */
	AD_F_SETTING,	/* a setting asked for */
	AD_F_SCHEMA,	/* POX AcceptableResponseSchema */
};

/* Paths of local names from the root; "*" matches any one name. */
static const struct ad_path {
	int		 soap;
	const char	*path;
	enum ad_field	 field;
} ad_paths[] = {
	{ 0, "Autodiscover/Request/EMailAddress", AD_F_USER },
	{ 0, "Autodiscover/Request/AcceptableResponseSchema", AD_F_SCHEMA },
	{ 1, "Envelope/Body/*", AD_F_OP },
	{ 1, "Envelope/Body/GetUserSettingsRequestMessage/Request/Users/"
	    "User/Mailbox", AD_F_USER },
	{ 1, "Envelope/Body/GetUserSettingsRequestMessage/Request/"
	    "RequestedSettings/Setting", AD_F_SETTING },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The namespace elements at DEPTH must be in. */
static const char *
ad_ns(int soap, int depth)
{
	if (!soap)
		return SOAP_NS_AD_POX_REQUEST;
	return depth < 2 ? SOAP_NS_ENVELOPE : SOAP_NS_AD;
}

/* PATH ("a/b/c") matches PATTERN, where "*" stands for one name. */
static int
ad_path_match(const char *pattern, const char *path)
{
	size_t	 n;

	for (;;) {
		n = strcspn(path, "/");
		if (pattern[0] == '*' && (pattern[1] == '/' ||
		    pattern[1] == '\0'))
			pattern++;
		else if (strncmp(pattern, path, n) == 0)
			pattern += n;
		else
			return 0;
		path += n;
		if (*pattern != *path)
			return 0;
		if (*path == '\0')
			return 1;
		pattern++;
		path++;
	}
}

/* Copies the text of the element the reader sits on into DST, trimmed;
 * -1 when it does not fit. */
static int
ad_text(xmlTextReaderPtr r, char *dst, size_t len)
{
	xmlChar		*s = xmlTextReaderReadString(r);
	const char	*p = (const char *)s;
	size_t		 n;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= len) {
		xmlFree(s);
		return -1;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
	xmlFree(s);
	return 0;
}

/* Stores what the element the reader sits on (called NAME, "?" when in
 * a foreign namespace) gives for F. */
static int
ad_take(xmlTextReaderPtr r, enum ad_field f, const char *name,
    struct soap_ad_request *q)
{
	switch (f) {
	case AD_F_OP:
		if (q->op[0] != '\0' || strlen(name) >= sizeof(q->op))
			return -1;
		strcpy(q->op, name);
		return 0;
	case AD_F_USER:
		if (q->nusers == SOAP_AD_USERS_MAX)
			return -1;
		return ad_text(r, q->users[q->nusers++], SOAP_AD_ADDR_MAX);
	case AD_F_SETTING:
		if (q->nsettings == SOAP_AD_SETTINGS_MAX)
			return -1;
		return ad_text(r, q->settings[q->nsettings++],
		    SOAP_AD_SETTING_MAX);
	case AD_F_SCHEMA:
		return ad_text(r, q->schema, sizeof(q->schema));
	}
	return -1;
}

int
soap_ad_read(const char *body, size_t len, int soap,
    struct soap_ad_request *q)
{
	xmlTextReaderPtr	 r = NULL;
	const xmlChar		*ns, *local;
	size_t			 at[AD_MAX_DEPTH + 1];
	char			 path[AD_PATH_MAX];
	int			 depth, type, ret = -1;

	memset(q, 0, sizeof(*q));
	if (body == NULL || len == 0 || len > SOAP_AD_MAX_BYTES)
		return -1;
	if ((r = soap_reader_new(body, len)) == NULL)
		return -1;
	while ((type = soap_reader_next(r)) != 0) {
		if (type == -1)
			goto done;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if ((depth = xmlTextReaderDepth(r)) > AD_MAX_DEPTH ||
		    depth < 0)
			goto done;
		ns = xmlTextReaderConstNamespaceUri(r);
		local = xmlTextReaderConstLocalName(r);
		if (local == NULL)
			goto done;
		at[depth] = depth == 0 ? 0 : at[depth - 1];
		if (depth > 0) {
			if (at[depth] + 1 >= sizeof(path))
				goto done;
			path[at[depth]++] = '/';
		}
		/* A name in a foreign namespace can never match a path. */
		if (ns == NULL || !xmlStrEqual(ns, XC(ad_ns(soap, depth))))
			local = XC("?");
		if (at[depth] + strlen((const char *)local) >= sizeof(path))
			goto done;
		strcpy(path + at[depth], (const char *)local);
		at[depth] += strlen((const char *)local);
		for (size_t i = 0; i < NELEM(ad_paths); i++)
			if (ad_paths[i].soap == soap &&
			    ad_path_match(ad_paths[i].path, path) &&
			    ad_take(r, ad_paths[i].field,
			    (const char *)local, q) == -1)
				goto done;
	}
	ret = 0;
done:
	xmlFreeTextReader(r);
	if (ret == 0 && (soap ? q->op[0] == '\0' : q->nusers != 1))
		ret = -1;
	return ret;
}
