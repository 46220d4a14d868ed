/*
 * fake365 resource owner password credentials (grant_type=password):
 * the user name and password against the directory's table, as Entra
 * checks them (office365.md §1.7, §1.11):
 *
 *   - an unknown user is 50034, a wrong password 50126;
 *   - PASSWORD_LOCK_AFTER wrong passwords in a row lock the account
 *     (smart lockout) for PASSWORD_LOCK_S: every password grant for it,
 *     right password or wrong, is then 50053;
 *   - the users of password_mfa need multi-factor authentication: the
 *     right password gets 50076 with suberror basic_action, which ROPC
 *     can never satisfy (a wrong one is still 50126).
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tests/fake365/fake365.h"

#define PASSWORD_LOCK_AFTER	5
#define PASSWORD_LOCK_S		60
#define PASSWORD_USERS_MAX	16

/* Users whose tenant policy requires MFA. */
static const char *const password_mfa[] = {
	"carol@contoso.example",
};

static struct {
	int	 failures;	/* wrong passwords in a row */
	time_t	 locked_until;
} password_state[PASSWORD_USERS_MAX];

int
password_user(struct evkeyvalq *q)
{
	const char	*upn = evhttp_find_header(q, "username");

	return upn ? dir_user_byupn(upn) : -1;
}

static int
password_needs_mfa(const char *upn)
{
	for (size_t i = 0; i < NELEM(password_mfa); i++)
		if (strcasecmp(upn, password_mfa[i]) == 0)
			return 1;
	return 0;
}

void
password_grant(struct fx *fx, struct evkeyvalq *q)
{
	const struct dir_user	*u;
	struct scope		 sc;
	const char		*upn, *pw, *scope, *error, *text;
	int			 aadsts, i;
	time_t			 now = time(NULL);

	if ((upn = identity_param(fx, q, "username")) == NULL ||
	    (pw = identity_param(fx, q, "password")) == NULL ||
	    (scope = identity_param(fx, q, "scope")) == NULL)
		return;
	if ((u = dir_user_at(i = dir_user_byupn(upn))) == NULL) {
		aad_error(fx, 400, "invalid_grant", 50034, "The user account "
		    "{EUII Hidden} does not exist in the Contoso directory. To "
		    "sign into this application, the account must be added to "
		    "the directory.");
		return;
	}
	if (i < PASSWORD_USERS_MAX && now < password_state[i].locked_until) {
		aad_error(fx, 400, "invalid_grant", 50053, "Your account is "
		    "locked because you've tried to sign in too many times "
		    "with an incorrect user ID or password.");
		return;
	}
	if (strcmp(pw, u->password) != 0) {
		if (i < PASSWORD_USERS_MAX &&
		    ++password_state[i].failures >= PASSWORD_LOCK_AFTER) {
			password_state[i].failures = 0;
			password_state[i].locked_until = now + PASSWORD_LOCK_S;
		}
		aad_error(fx, 400, "invalid_grant", 50126, "Error validating "
		    "credentials due to invalid username or password.");
		return;
	}
	if (i < PASSWORD_USERS_MAX)
		password_state[i].failures = 0;
	if (password_needs_mfa(u->upn)) {
		aad_error_sub(fx, 400, "invalid_grant", 50076, "basic_action",
		    "Due to a configuration change made by your "
		    "administrator, or because you moved to a new location, "
		    "you must use multi-factor authentication to access "
		    "'00000002-0000-0ff1-ce00-000000000000'.");
		return;
	}
	if (scope_parse(scope, &sc, &error, &aadsts, &text) == -1) {
		aad_error(fx, 400, error, aadsts, "%s", text);
		return;
	}
	aad_issue(fx, i, evhttp_find_header(q, "client_id"), &sc);
}
