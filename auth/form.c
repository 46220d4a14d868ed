/* application/x-www-form-urlencoded bodies for the identity platform. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"

static int
form_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Writes S percent-encoded at P (NULL: only counts); returns the length. */
static size_t
form_escape(char *p, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;

	for (; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;

		if (form_unreserved(c)) {
			if (p != NULL)
				p[n] = (char)c;
			n++;
			continue;
		}
		if (p != NULL) {
			p[n] = '%';
			p[n + 1] = hex[c >> 4];
			p[n + 2] = hex[c & 0xf];
		}
		n += 3;
	}
	return n;
}

char *
auth_form(const struct auth_form_field *fields, size_t n)
{
	char	*out;
	size_t	 len = 0, off = 0;

	for (size_t i = 0; i < n; i++)
		if (fields[i].value != NULL)
			len += form_escape(NULL, fields[i].name) + 1 +
			    form_escape(NULL, fields[i].value) + 1;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (fields[i].value == NULL)
			continue;
		if (off > 0)
			out[off++] = '&';
		off += form_escape(out + off, fields[i].name);
		out[off++] = '=';
		off += form_escape(out + off, fields[i].value);
	}
	out[off] = '\0';
	return out;
}
