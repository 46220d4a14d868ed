/*
 * The scope of a client-credentials request: the EWS resource's
 * ".default". Each Microsoft cloud has its own EWS host (office365.md
 * §1.12), so it follows ews_url there; for any other ews_url (a test
 * double, a proxy in front of Exchange Online) the resource of the
 * configured delegated scope is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "auth/app_int.h"
#include "conf/conf.h"

static const char *const app_ews_hosts[] = {
	"outlook.office365.com",
	"outlook.office.com",
	"outlook.office365.us",
	"outlook-dod.office365.us",
	"webmail.apps.mil",
	"partner.outlook.cn",
};

/* The "https://host" of the first URL in the space-separated SCOPE. */
static char *
app_scope_resource(const char *scope)
{
	const char	*p = scope, *end, *slash;
	char		*out;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		end = p + strcspn(p, " ");
		if (strncasecmp(p, "https://", 8) == 0 &&
		    (slash = memchr(p + 8, '/', end - p - 8)) != NULL) {
			if (asprintf(&out, "%.*s/.default", (int)(slash - p),
			    p) == -1)
				return NULL;
			return out;
		}
		p = end;
	}
	return strdup("https://outlook.office365.com/.default");
}

char *
app_scope(const struct conf *conf)
{
	CURLU	*u;
	char	*host = NULL, *out = NULL;

	if ((u = curl_url()) != NULL && conf->ews_url != NULL &&
	    curl_url_set(u, CURLUPART_URL, conf->ews_url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		for (size_t i = 0; i < sizeof(app_ews_hosts) /
		    sizeof(app_ews_hosts[0]); i++)
			if (strcasecmp(host, app_ews_hosts[i]) == 0 &&
			    asprintf(&out, "https://%s/.default",
			    app_ews_hosts[i]) == -1)
				out = NULL;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return out != NULL ? out : app_scope_resource(conf->scope);
}
