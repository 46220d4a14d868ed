/*
 * fake365 resource owner password credentials (grant_type=password):
 * the user name and password against the directory's table.
 */
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tests/fake365/fake365.h"

int
password_user(struct evkeyvalq *q)
{
	const char	*upn = evhttp_find_header(q, "username");

	return upn ? dir_user_byupn(upn) : -1;
}

void
password_grant(struct fx *fx, struct evkeyvalq *q)
{
	const struct dir_user	*u;
	struct scope		 sc;
	const char		*upn, *pw, *scope, *error, *text;
	int			 aadsts;

	if ((upn = identity_param(fx, q, "username")) == NULL ||
	    (pw = identity_param(fx, q, "password")) == NULL ||
	    (scope = identity_param(fx, q, "scope")) == NULL)
		return;
	if ((u = dir_user_at(dir_user_byupn(upn))) == NULL) {
		aad_error(fx, 400, "invalid_grant", 50034, "The user account "
		    "{EUII Hidden} does not exist in the Contoso directory. To "
		    "sign into this application, the account must be added to "
		    "the directory.");
		return;
	}
	if (strcmp(pw, u->password) != 0) {
		aad_error(fx, 400, "invalid_grant", 50126, "Error validating "
		    "credentials due to invalid username or password.");
		return;
	}
	if (scope_parse(scope, &sc, &error, &aadsts, &text) == -1) {
		aad_error(fx, 400, error, aadsts, "%s", text);
		return;
	}
	aad_issue(fx, dir_user_byupn(upn), evhttp_find_header(q, "client_id"),
	    &sc);
}
