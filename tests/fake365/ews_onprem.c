/*
 * fake365 on-premises Exchange: POST /onprem/EWS/Exchange.asmx answers as
 * Exchange Server 2019 with Basic enabled on the EWS virtual directory
 * (office365.md §5.8): Basic credentials of a directory user, named by
 * UPN, "DOMAIN\\user" or the bare user part. Anything else gets IIS's
 * 401, offering Negotiate and NTLM before Basic.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tests/fake365/ews.h"

static void
onprem_reject(struct fx *fx, const char *why)
{
	json_object_set_new(fx->fx_log, "token_error", json_string(why));
	fx_add_header(fx, "WWW-Authenticate", "Negotiate");
	fx_add_header(fx, "WWW-Authenticate", "NTLM");
	fx_add_header(fx, "WWW-Authenticate",
	    "Basic realm=\"mail." FAKE_TENANT_DOMAIN "\"");
	fx_add_header(fx, "X-Powered-By", "ASP.NET");
	fx_reply_text(fx, 401, "text/html", "<!DOCTYPE html><html><head>"
	    "<title>401 - Unauthorized: Access is denied due to invalid "
	    "credentials.</title></head><body><h2>401 - Unauthorized: Access "
	    "is denied due to invalid credentials.</h2></body></html>\r\n");
}

/* The directory user a Basic user name names, or -1. */
static int
onprem_user(const char *name)
{
	const struct dir_user	*u;
	const char		*bs = strrchr(name, '\\');
	size_t			 n;

	if (bs != NULL)
		name = bs + 1;
	if (strchr(name, '@') != NULL)
		return dir_user_byupn(name);
	for (int i = 0; (u = dir_user_at(i)) != NULL; i++) {
		n = strcspn(u->upn, "@");
		if (strlen(name) == n && strncasecmp(name, u->upn, n) == 0)
			return i;
	}
	return -1;
}

int
ews_onprem_auth(struct fx *fx, int *user)
{
	const char	*auth = fx_header(fx, "Authorization");
	unsigned char	 buf[768];
	char		*colon;
	size_t		 len;
	int		 n;

	if (auth == NULL || strncasecmp(auth, "Basic ", 6) != 0) {
		onprem_reject(fx, auth == NULL ? "no credentials" :
		    "not Basic");
		return -1;
	}
	auth += 6 + strspn(auth + 6, " ");
	len = strlen(auth);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= sizeof(buf) ||
	    (n = EVP_DecodeBlock(buf, (const unsigned char *)auth,
	    (int)len)) < 0) {
		onprem_reject(fx, "malformed Basic credentials");
		return -1;
	}
	while (n > 0 && len > 0 && auth[--len] == '=')
		n--;
	buf[n] = '\0';
	if ((colon = strchr((char *)buf, ':')) == NULL) {
		onprem_reject(fx, "malformed Basic credentials");
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	*colon = '\0';
	*user = onprem_user((char *)buf);
	if (*user == -1 || strcmp(colon + 1, dir_user_at(*user)->password) !=
	    0) {
		onprem_reject(fx, *user == -1 ? "unknown user" :
		    "wrong password");
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	json_object_set_new(fx->fx_log, "upn",
	    json_string(dir_user_at(*user)->upn));
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
