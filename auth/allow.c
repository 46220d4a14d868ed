/*
 * The impersonation allow-list of an app-mode user ("a@x,*@domain", as
 * 'ewsgw user set --impersonate' stored it): which mailboxes the user
 * may reach besides its own. Addresses compare case-insensitively (SMTP
 * addresses in Exchange do); "*@domain" matches any non-empty local
 * part at exactly that domain, never a longer one that ends with it.
 */
#include <string.h>
#include <strings.h>

#include "auth/serve_int.h"

/* Nonzero when ENTRY (LEN bytes) admits ADDR. */
static int
allow_entry(const char *entry, size_t len, const char *addr)
{
	const char	*at;

	if (len > 2 && entry[0] == '*' && entry[1] == '@') {
		at = strrchr(addr, '@');
		return at != NULL && at != addr &&
		    strlen(at + 1) == len - 2 &&
		    strncasecmp(at + 1, entry + 2, len - 2) == 0;
	}
	return strlen(addr) == len && strncasecmp(addr, entry, len) == 0;
}

/* Nonzero when ADDR looks like one SMTP address: one '@', no spaces. */
static int
allow_address_ok(const char *addr)
{
	const char	*at = strchr(addr, '@');

	return at != NULL && at != addr && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && addr[strcspn(addr,
	    " \t\r\n\"<>(),;:\\[]")] == '\0';
}

const char *
auth_user_impersonate(const struct auth_user *u)
{
	return (u->u_impersonate);
}

int
auth_user_may_reach(const struct auth_user *u, const char *addr)
{
	const char	*p, *end;

	if (addr == NULL || !allow_address_ok(addr))
		return (0);
	if (strcasecmp(addr, u->u_mailbox) == 0)
		return (1);
	for (p = u->u_impersonate; p != NULL && *p != '\0';
	    p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		if (allow_entry(p, (size_t)(end - p), addr))
			return (1);
	}
	return (0);
}
