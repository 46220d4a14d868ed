/* auth/store*.c: users, sealed tokens, import, schema. */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth/auth.h"

#define REFRESH	"0.AXoA-refresh-secret-of-alice-4242"
#define ACCESS	"eyJ0eXAiOiJKV1QiLCJhbGciOi-access-secret"

struct fixture {
	char		 dir[64];
	char		 state[96];
	char		 db[128];
	char		 csv[128];
	char		 err[512];
	struct store	*s;
};

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/ewsgw.db", f->state);
	snprintf(f->csv, sizeof(f->csv), "%s/users.csv", f->dir);
	f->s = store_open(f->state, 1, f->err, sizeof(f->err));
	if (f->s == NULL) {
		fprintf(stderr, "store_open: %s\n", f->err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	store_close(f->s);
	nftw(f->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A user to add: delegated, enabled, default backend. */
static struct store_user
user(char *name, char *mailbox)
{
	struct store_user	 u;

	memset(&u, 0, sizeof(u));
	u.name = name;
	u.mailbox = mailbox;
	u.mode = AUTH_MODE_DELEGATED;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.enabled = 1;
	return u;
}

/* A change for store_user_set: nothing set. */
static struct store_user
change(char *name)
{
	struct store_user	 u;

	memset(&u, 0, sizeof(u));
	u.name = name;
	u.mode = -1;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.enabled = -1;
	return u;
}

static void
add(struct fixture *f, char *name, char *mailbox)
{
	struct store_user	 u = user(name, mailbox);

	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)), 0);
}

static void
get(struct fixture *f, const char *name, struct store_user *out)
{
	assert_int_equal(store_user_get(f->s, name, out, f->err,
	    sizeof(f->err)), 0);
}

static void
write_csv(struct fixture *f, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(f->csv, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* A second connection straight to the file, as another process has. */
static sqlite3 *
raw_open(struct fixture *f)
{
	sqlite3	*db = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*stmt;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Nonzero when the file at PATH contains NEEDLE anywhere. */
static int
file_contains(const char *path, const char *needle)
{
	FILE	*fp;
	char	*buf;
	long	 len;
	int	 found;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	found = memmem(buf, (size_t)len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void
test_open_creates_files(void **state)
{
	struct fixture	*f = *state;
	struct stat	 st;
	char		 path[160];
	sqlite3		*db;

	assert_int_equal(stat(f->state, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/key", f->state);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	db = raw_open(f);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('users', 'tokens')"), 2);
	sqlite3_close(db);
	snprintf(path, sizeof(path), "%s-wal", f->db);
	assert_int_equal(stat(path, &st), 0);	/* WAL mode */
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
test_add_get(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 u = user("Alice", "alice@contoso.com"), out;

	u.mode = AUTH_MODE_APP;
	u.backend = AUTH_BACKEND_GRAPH;
	u.enabled = 0;
	u.impersonate = " bob@contoso.com , *@fabrikam.com,";
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)), 0);
	get(f, "aLiCe", &out);
	assert_true(out.id > 0);
	assert_string_equal(out.name, "Alice");
	assert_string_equal(out.mailbox, "alice@contoso.com");
	assert_int_equal(out.mode, AUTH_MODE_APP);
	assert_int_equal(out.backend, AUTH_BACKEND_GRAPH);
	assert_int_equal(out.enabled, 0);
	assert_null(out.password_hash);
	assert_string_equal(out.impersonate, "bob@contoso.com,*@fabrikam.com");
	assert_int_equal(out.token_state, AUTH_TOKEN_NONE);
	assert_null(out.token_error);
	assert_int_equal(out.token_generation, 0);
	store_user_clear(&out);
	store_user_clear(NULL);
	assert_int_equal(store_user_get(f->s, "bob", &out, f->err,
	    sizeof(f->err)), 1);
}

static void
test_names(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 u, out;

	add(f, "CONTOSO\\alice", "alice@contoso.com");
	add(f, "bob@contoso.com", "bob@contoso.com");
	add(f, "c.d_e-f", "cde@contoso.com");
	get(f, "contoso\\ALICE", &out);
	assert_string_equal(out.name, "CONTOSO\\alice");
	store_user_clear(&out);

	u = user("bOB@CONTOSO.COM", "other@contoso.com");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_string_equal(f->err, "user bOB@CONTOSO.COM already exists");

	u = user("", "x@contoso.com");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	u = user("al ice", "x@contoso.com");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_non_null(strstr(f->err, "bad user name 'al ice'"));
	u = user("al'ice", "x@contoso.com");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	u = user("a2345678901234567890123456789012345678901234567890"
	    "12345678901234", "x@contoso.com");		/* 64: fine */
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)), 0);
	u = user("a2345678901234567890123456789012345678901234567890"
	    "123456789012345", "x@contoso.com");	/* 65 */
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
}

static void
test_mailbox_validation(void **state)
{
	static char *const good[] = {
		"alice@contoso.com", "a.b+c@mail.contoso.co.uk",
		"x@xn--bcher-kva.example", "o'brien@contoso.com",
		"a@b-c.io",
	};
	static char *const bad[] = {
		"", "alice", "alice@", "@contoso.com", "alice@contoso",
		"al ice@contoso.com", "alice@contoso..com", "alice@-x.com",
		"alice@x-.com", "a@b@contoso.com", ".a@contoso.com",
		"a..b@contoso.com", "alice@contoso.123", "alice@conto so.com",
		"<alice@contoso.com>", "alice@contoso.com ", "al\"ice@x.com",
	};
	struct fixture		*f = *state;
	struct store_user	 u;
	char			 name[16], big[300];
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "good%zu", i);
		u = user(name, good[i]);
		if (store_user_add(f->s, &u, f->err, sizeof(f->err)) != 0)
			fail_msg("%s: %s", good[i], f->err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "bad%zu", i);
		u = user(name, bad[i]);
		if (store_user_add(f->s, &u, f->err, sizeof(f->err)) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	u = user("x", "x");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_string_equal(f->err, "bad mailbox 'x': expected an address "
	    "like alice@contoso.com");
	memset(big, 'a', sizeof(big));
	memcpy(big + 250, "@x.io", 6);		/* 255 characters */
	u = user("big", big);
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	u = user("nul", NULL);
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
}

static void
test_value_validation(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 u = user("alice", "alice@contoso.com");

	u.mode = 9;
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	u = user("alice", "alice@contoso.com");
	u.backend = 5;
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	u = user("alice", "alice@contoso.com");
	u.impersonate = "bob@contoso.com,bob";
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_non_null(strstr(f->err, "'bob'"));
	u = user("alice", "alice@contoso.com");
	u.impersonate = "*@*.com";
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_int_equal(store_user_get(f->s, "alice", &u, f->err,
	    sizeof(f->err)), 1);
}

static void
test_set(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 c, out;
	char			*hash = "pbkdf2-sha256$600000$x$y";

	add(f, "alice", "alice@contoso.com");
	c = change("ALICE");
	c.backend = AUTH_BACKEND_GRAPH;
	c.password_hash = hash;
	c.impersonate = "bob@contoso.com";
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_string_equal(out.mailbox, "alice@contoso.com");
	assert_int_equal(out.mode, AUTH_MODE_DELEGATED);
	assert_int_equal(out.backend, AUTH_BACKEND_GRAPH);
	assert_int_equal(out.enabled, 1);
	assert_string_equal(out.password_hash, hash);
	assert_string_equal(out.impersonate, "bob@contoso.com");
	store_user_clear(&out);

	/* Back to the default backend, no impersonation, no password. */
	c = change("alice");
	c.backend = STORE_BACKEND_RESET;
	c.impersonate = "";
	assert_int_equal(store_user_set(f->s, &c, 1, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_int_equal(out.backend, AUTH_BACKEND_DEFAULT);
	assert_null(out.impersonate);
	assert_null(out.password_hash);
	store_user_clear(&out);

	c = change("alice");
	c.mailbox = "nope";
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    -1);
	assert_non_null(strstr(f->err, "bad mailbox 'nope'"));
	c = change("bob");
	c.mode = AUTH_MODE_ROPC;
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    -1);
	assert_string_equal(f->err, "no such user: bob");
}

static void
test_enable_remove(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 out;

	add(f, "alice", "alice@contoso.com");
	assert_int_equal(store_user_enable(f->s, "Alice", 0, f->err,
	    sizeof(f->err)), 0);
	get(f, "alice", &out);
	assert_int_equal(out.enabled, 0);
	store_user_clear(&out);
	assert_int_equal(store_user_enable(f->s, "alice", 1, f->err,
	    sizeof(f->err)), 0);
	get(f, "alice", &out);
	assert_int_equal(out.enabled, 1);
	store_user_clear(&out);
	assert_int_equal(store_user_enable(f->s, "bob", 1, f->err,
	    sizeof(f->err)), -1);
	assert_string_equal(f->err, "no such user: bob");

	assert_int_equal(store_user_remove(f->s, "ALICE", f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(store_user_get(f->s, "alice", &out, f->err,
	    sizeof(f->err)), 1);
	assert_int_equal(store_user_remove(f->s, "alice", f->err,
	    sizeof(f->err)), -1);
	assert_string_equal(f->err, "no such user: alice");
}

static void
test_list(void **state)
{
	struct fixture		*f = *state;
	struct store_user	*users;
	size_t			 n;

	assert_int_equal(store_users_list(f->s, &users, &n, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	store_users_free(users, n);
	add(f, "carol", "carol@contoso.com");
	add(f, "Bob", "bob@contoso.com");
	add(f, "alice", "alice@contoso.com");
	assert_int_equal(store_users_list(f->s, &users, &n, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(users[0].name, "alice");
	assert_string_equal(users[1].name, "Bob");
	assert_string_equal(users[2].name, "carol");
	store_users_free(users, n);
	store_users_free(NULL, 0);
}

static int64_t
user_id(struct fixture *f, const char *name)
{
	struct store_user	 out;
	int64_t			 id;

	get(f, name, &out);
	id = out.id;
	store_user_clear(&out);
	return id;
}

static void
test_tokens_sealed(void **state)
{
	struct fixture		*f = *state;
	struct store_tokens	 t;
	struct store_user	 out;
	int64_t			 id, gen = -1;
	sqlite3			*db;
	char			 path[160];

	add(f, "alice", "alice@contoso.com");
	id = user_id(f, "alice");
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_null(t.refresh_token);
	assert_null(t.access_token);
	assert_int_equal(t.generation, 0);
	store_tokens_clear(&t);

	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS,
	    1700000000, AUTH_TOKEN_VALID, NULL, 0, &gen, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(gen, 1);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_string_equal(t.refresh_token, REFRESH);
	assert_string_equal(t.access_token, ACCESS);
	assert_int_equal(t.access_expires, 1700000000);
	assert_int_equal(t.generation, 1);
	store_tokens_clear(&t);
	store_tokens_clear(NULL);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_VALID);
	assert_int_equal(out.token_generation, 1);
	assert_int_equal(out.access_expires, 1700000000);
	store_user_clear(&out);

	/* Not in the database, its WAL, or anywhere on disk in clear. */
	db = raw_open(f);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM tokens WHERE"
	    " instr(refresh_token, CAST('" REFRESH "' AS BLOB)) > 0"
	    " OR instr(access_token, CAST('" ACCESS "' AS BLOB)) > 0"), 0);
	assert_int_equal(raw_int(db, "SELECT length(refresh_token)"
	    " FROM tokens"), 1 + 12 + strlen(REFRESH) + 16);
	sqlite3_close(db);
	snprintf(path, sizeof(path), "%s-wal", f->db);
	assert_false(file_contains(f->db, REFRESH));
	assert_false(file_contains(path, REFRESH));
	assert_false(file_contains(path, ACCESS));
}

static void
test_tokens_cas(void **state)
{
	struct fixture		*f = *state;
	struct store_tokens	 t;
	struct store_user	 out;
	int64_t			 id, gen;

	add(f, "alice", "alice@contoso.com");
	id = user_id(f, "alice");
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 100,
	    AUTH_TOKEN_VALID, NULL, -1, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 1);
	/* A writer that read generation 0 lost the race. */
	assert_int_equal(store_tokens_save(f->s, id, "other", "other", 200,
	    AUTH_TOKEN_VALID, NULL, 0, &gen, f->err, sizeof(f->err)), 1);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_string_equal(t.refresh_token, REFRESH);
	assert_int_equal(t.generation, 1);
	store_tokens_clear(&t);

	/* NULL refresh token keeps the stored one for a valid state... */
	assert_int_equal(store_tokens_save(f->s, id, NULL, "access2", 300,
	    AUTH_TOKEN_VALID, NULL, 1, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 2);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_string_equal(t.refresh_token, REFRESH);
	assert_string_equal(t.access_token, "access2");
	store_tokens_clear(&t);
	/* ... and for an error; the error text is kept. */
	assert_int_equal(store_tokens_save(f->s, id, NULL, NULL, 0,
	    AUTH_TOKEN_ERROR, "login.microsoftonline.com: timeout", 2, &gen,
	    f->err, sizeof(f->err)), 0);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_ERROR);
	assert_string_equal(out.token_error,
	    "login.microsoftonline.com: timeout");
	store_user_clear(&out);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_string_equal(t.refresh_token, REFRESH);
	assert_null(t.access_token);
	store_tokens_clear(&t);

	/* needs-login deletes it. */
	assert_int_equal(store_tokens_save(f->s, id, NULL, NULL, 0,
	    AUTH_TOKEN_NEEDS_LOGIN, "AADSTS50173: grant expired", -1, &gen,
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 4);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_null(t.refresh_token);
	assert_int_equal(t.generation, 4);
	store_tokens_clear(&t);

	assert_int_equal(store_tokens_save(f->s, id + 100, REFRESH, NULL, 0,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), -1);
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, NULL, 0, 42,
	    NULL, -1, NULL, f->err, sizeof(f->err)), -1);
}

/* ropc's password check: kept with rotated refresh tokens, written only
 * for the generation it belongs to, gone with the refresh token. */
static void
test_password_check(void **state)
{
	struct fixture	*f = *state;
	int64_t		 id, gen;
	char		*check;

	add(f, "alice", "alice@contoso.com");
	id = user_id(f, "alice");
	/* No tokens row yet: nothing to attach it to. */
	assert_int_equal(store_password_check_save(f->s, id, "h0", 0, f->err,
	    sizeof(f->err)), 1);
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 100,
	    AUTH_TOKEN_VALID, NULL, -1, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_password_check_save(f->s, id, "h1", gen,
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(store_password_check_save(f->s, id, "stale",
	    gen - 1, f->err, sizeof(f->err)), 1);
	assert_int_equal(store_password_check_load(f->s, id, gen, &check,
	    f->err, sizeof(f->err)), 0);
	assert_string_equal(check, "h1");
	free(check);

	/* A rotated refresh token keeps it. */
	assert_int_equal(store_tokens_save(f->s, id, "rotated", ACCESS, 200,
	    AUTH_TOKEN_VALID, NULL, gen, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_password_check_load(f->s, id, gen, &check,
	    f->err, sizeof(f->err)), 0);
	assert_string_equal(check, "h1");
	free(check);
	/* Another generation asks about other tokens: none. */
	assert_int_equal(store_password_check_load(f->s, id, gen + 1, &check,
	    f->err, sizeof(f->err)), 0);
	assert_null(check);

	/* needs-login drops the refresh token, and the check with it. */
	assert_int_equal(store_tokens_save(f->s, id, NULL, NULL, 0,
	    AUTH_TOKEN_NEEDS_LOGIN, "AADSTS50173: revoked", gen, &gen,
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(store_password_check_load(f->s, id, gen, &check,
	    f->err, sizeof(f->err)), 0);
	assert_null(check);
	assert_int_equal(store_password_check_save(f->s, id, "h2", gen,
	    f->err, sizeof(f->err)), 1);
}

static void
test_tokens_tampered(void **state)
{
	struct fixture		*f = *state;
	struct store_tokens	 t;
	int64_t			 a, b;
	sqlite3			*db;

	add(f, "alice", "alice@contoso.com");
	add(f, "bob", "bob@contoso.com");
	a = user_id(f, "alice");
	b = user_id(f, "bob");
	assert_int_equal(store_tokens_save(f->s, a, REFRESH, ACCESS, 1,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_tokens_save(f->s, b, "bob-refresh", NULL, 1,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	/* Copying alice's sealed token into bob's row does not work. */
	db = raw_open(f);
	assert_int_equal(sqlite3_exec(db, "UPDATE tokens SET refresh_token ="
	    " (SELECT refresh_token FROM tokens t2 WHERE t2.user_id ="
	    " (SELECT id FROM users WHERE name = 'alice'))"
	    " WHERE user_id = (SELECT id FROM users WHERE name = 'bob')",
	    NULL, NULL, NULL), SQLITE_OK);
	/* Nor does swapping alice's columns. */
	assert_int_equal(sqlite3_exec(db, "UPDATE tokens SET access_token ="
	    " refresh_token, refresh_token = access_token WHERE user_id ="
	    " (SELECT id FROM users WHERE name = 'alice')", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_tokens_load(f->s, b, &t, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot be decrypted"));
	assert_null(t.refresh_token);
	assert_int_equal(store_tokens_load(f->s, a, &t, f->err,
	    sizeof(f->err)), -1);
}

static void
test_identity_change_clears_tokens(void **state)
{
	struct fixture		*f = *state;
	struct store_tokens	 t;
	struct store_user	 c, out;
	int64_t			 id;

	add(f, "alice", "alice@contoso.com");
	id = user_id(f, "alice");
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 1,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	/* The same mailbox in other letters and enabling keep them. */
	c = change("alice");
	c.mailbox = "Alice@Contoso.com";
	c.enabled = 1;
	c.backend = AUTH_BACKEND_GRAPH;
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_VALID);
	store_user_clear(&out);
	/* The same mode keeps them. */
	c = change("alice");
	c.mode = AUTH_MODE_DELEGATED;
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_VALID);
	store_user_clear(&out);
	/* Another mailbox drops them. */
	c = change("alice");
	c.mailbox = "alice.smith@contoso.com";
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_NONE);
	assert_int_equal(out.token_generation, 2);
	store_user_clear(&out);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_null(t.refresh_token);
	assert_null(t.access_token);
	store_tokens_clear(&t);
	/* So does another mode. */
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 1,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	c = change("alice");
	c.mode = AUTH_MODE_ROPC;
	assert_int_equal(store_user_set(f->s, &c, 0, f->err, sizeof(f->err)),
	    0);
	get(f, "alice", &out);
	assert_int_equal(out.token_state, AUTH_TOKEN_NONE);
	store_user_clear(&out);
}

static void
test_remove_cascades(void **state)
{
	struct fixture	*f = *state;
	int64_t		 id;
	sqlite3		*db;

	add(f, "alice", "alice@contoso.com");
	id = user_id(f, "alice");
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 1,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_user_remove(f->s, "alice", f->err,
	    sizeof(f->err)), 0);
	db = raw_open(f);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM tokens"), 0);
	sqlite3_close(db);
	/* A new alice is a new id: nothing of the old one applies. */
	add(f, "alice", "alice@contoso.com");
	assert_true(user_id(f, "alice") != id);
}

static void
test_data_version(void **state)
{
	struct fixture		*f = *state;
	struct store		*other;
	struct store_user	 u = user("bob", "bob@contoso.com");
	int64_t			 v1, v2;

	v1 = store_data_version(f->s);
	assert_true(v1 >= 0);
	assert_int_equal(store_data_version(f->s), v1);
	other = store_open(f->state, 0, f->err, sizeof(f->err));
	assert_non_null(other);
	assert_int_equal(store_user_add(other, &u, f->err, sizeof(f->err)), 0);
	v2 = store_data_version(f->s);
	assert_true(v2 != v1);
	assert_int_equal(store_data_version(f->s), v2);
	assert_int_equal(store_tokens_save(other, user_id(f, "bob"), REFRESH,
	    NULL, 0, AUTH_TOKEN_VALID, NULL, -1, NULL, f->err,
	    sizeof(f->err)), 0);
	assert_true(store_data_version(f->s) != v2);
	store_close(other);
	store_close(NULL);
}

static void
test_busy(void **state)
{
	struct fixture		*f = *state;
	struct store_user	 u = user("bob", "bob@contoso.com");
	sqlite3			*db;
	time_t			 t0;

	/* Another process holds the write lock past the busy timeout. */
	db = raw_open(f);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	t0 = time(NULL);
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)),
	    -1);
	assert_true(time(NULL) - t0 >= 4);	/* it waited first */
	assert_string_equal(f->err, "database is busy (another ewsgw is "
	    "writing); try again");
	/* Reads still work in WAL mode. */
	assert_int_equal(store_user_get(f->s, "bob", &u, f->err,
	    sizeof(f->err)), 1);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	u = user("bob", "bob@contoso.com");
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)), 0);
}

static void
test_import(void **state)
{
	struct fixture		*f = *state;
	struct store_user	*users, out;
	size_t			 n, count;

	add(f, "carol", "carol@contoso.com");
	assert_int_equal(store_user_enable(f->s, "carol", 0, f->err,
	    sizeof(f->err)), 0);
	/* BOM, CRLF, quotes, blank line, reordered columns, defaults. */
	write_csv(f, "\xef\xbb\xbfName,Mailbox,Enabled,Mode\r\n"
	    "alice,alice@contoso.com,,\r\n"
	    "\"bob\",\"bob@contoso.com\",no,app\r\n"
	    "\r\n"
	    "\"CONTOSO\\dave\",dave@contoso.com,YES,\"onprem\"\r\n"
	    "CAROL,carol.new@contoso.com,,ropc\r\n"
	    "erin , erin@contoso.com ,1\n"
	    "frank,frank@contoso.com\n");
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(count, 6);
	assert_int_equal(store_users_list(f->s, &users, &n, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(n, 6);
	assert_string_equal(users[0].name, "alice");
	assert_int_equal(users[0].mode, AUTH_MODE_DELEGATED);
	assert_int_equal(users[0].enabled, 1);
	assert_string_equal(users[1].name, "bob");
	assert_int_equal(users[1].mode, AUTH_MODE_APP);
	assert_int_equal(users[1].enabled, 0);
	/* An existing user: mailbox and mode updated, enabled kept. */
	assert_string_equal(users[2].name, "carol");
	assert_string_equal(users[2].mailbox, "carol.new@contoso.com");
	assert_int_equal(users[2].mode, AUTH_MODE_ROPC);
	assert_int_equal(users[2].enabled, 0);
	assert_string_equal(users[3].name, "CONTOSO\\dave");
	assert_int_equal(users[3].mode, AUTH_MODE_ONPREM);
	assert_string_equal(users[4].name, "erin");
	assert_string_equal(users[4].mailbox, "erin@contoso.com");
	assert_string_equal(users[5].name, "frank");
	store_users_free(users, n);

	/* Again, with a change: updates only. */
	write_csv(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com,,false\n");
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(count, 1);
	get(f, "alice", &out);
	assert_int_equal(out.enabled, 0);
	store_user_clear(&out);

	/* A field spanning lines counts its lines. */
	write_csv(f, "name,mailbox,mode,enabled\n"
	    "\"multi\nline\",x@contoso.com,,\n"
	    "zed,zed@contoso.com,,\n");
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "users.csv:2: bad user name"));
}

/* Imports TEXT, expects failure with ERR ending in WANT, and nothing
 * written. */
static void
import_fails(struct fixture *f, const char *text, const char *want)
{
	struct store_user	*users;
	size_t			 n, count = 99;
	char			 full[256];

	write_csv(f, text);
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), -1);
	assert_int_equal(count, 0);
	snprintf(full, sizeof(full), "%s:%s", f->csv, want);
	if (strcmp(f->err, full) != 0)
		fail_msg("got '%s', want '%s'", f->err, full);
	assert_int_equal(store_users_list(f->s, &users, &n, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(n, 1);		/* only "keep" */
	assert_string_equal(users[0].mailbox, "keep@contoso.com");
	store_users_free(users, n);
}

static void
test_import_errors(void **state)
{
	struct fixture	*f = *state;
	size_t		 count;

	add(f, "keep", "keep@contoso.com");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com,,\n"
	    "keep,new@contoso.com,,\n"
	    "bob,bob@contoso.com,,\n"
	    "\n"
	    "carol,carol@contoso.com,,\n"
	    "dave,x,,\n"
	    "erin,erin@contoso.com,,\n",
	    "7: bad mailbox 'x': expected an address like alice@contoso.com");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com,admin,\n",
	    "2: bad mode 'admin': expected delegated, ropc, app or onprem");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com,,maybe\n",
	    "2: bad enabled value 'maybe': expected true, false, yes, no, "
	    "1 or 0");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com,,,extra\n",
	    "2: 5 fields, but the header has 4");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,alice@contoso.com\n"
	    "bob,bob@contoso.com\n"
	    "ALICE,alice2@contoso.com\n",
	    "4: user ALICE is already on line 2");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,\"alice@contoso.com\n",
	    "2: a quoted field is never closed");
	import_fails(f, "name,mailbox,mode,enabled\n"
	    "alice,\"alice@contoso.com\"x,,\n",
	    "2: text after a closing quote");
	import_fails(f, "alice,alice@contoso.com,,\n",
	    "1: unknown column 'alice': the first line must be the header "
	    "name,mailbox,mode,enabled");
	import_fails(f, "name,mode\nalice,app\n",
	    "1: the header needs the columns name and mailbox "
	    "(name,mailbox,mode,enabled)");
	import_fails(f, "", "1: empty file: expected the header "
	    "name,mailbox,mode,enabled");
	/* Header only: nothing to do, not an error. */
	write_csv(f, "name,mailbox,mode,enabled\n");
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(count, 0);
	snprintf(f->csv, sizeof(f->csv), "%s/missing.csv", f->dir);
	assert_int_equal(store_users_import(f->s, f->csv, &count, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "No such file"));
}

static void
test_reopen_keeps_everything(void **state)
{
	struct fixture		*f = *state;
	struct store_tokens	 t;
	struct store_user	 u = user("alice", "alice@contoso.com"), out;
	int64_t			 id;

	u.password_hash = "pbkdf2-sha256$600000$a$b";
	assert_int_equal(store_user_add(f->s, &u, f->err, sizeof(f->err)), 0);
	id = user_id(f, "alice");
	assert_int_equal(store_tokens_save(f->s, id, REFRESH, ACCESS, 77,
	    AUTH_TOKEN_VALID, NULL, -1, NULL, f->err, sizeof(f->err)), 0);
	store_close(f->s);
	f->s = store_open(f->state, 1, f->err, sizeof(f->err));
	assert_non_null(f->s);
	get(f, "alice", &out);
	assert_string_equal(out.password_hash, "pbkdf2-sha256$600000$a$b");
	assert_int_equal(out.token_state, AUTH_TOKEN_VALID);
	store_user_clear(&out);
	assert_int_equal(store_tokens_load(f->s, id, &t, f->err,
	    sizeof(f->err)), 0);
	assert_string_equal(t.refresh_token, REFRESH);
	assert_int_equal(t.access_expires, 77);
	store_tokens_clear(&t);
}

static void
test_migration(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	char		 dir[160], path[200];
	sqlite3		*db;

	/* An empty (zero-byte) database file is migrated. */
	snprintf(dir, sizeof(dir), "%s/empty", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/ewsgw.db", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	s = store_open(dir, 1, f->err, sizeof(f->err));
	assert_non_null(s);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
	/* A file from a newer ewsgw is refused, not touched. */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dir, 1, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "schema version 99"));
	/* Neither is a file that is not a database. */
	snprintf(dir, sizeof(dir), "%s/junk", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/ewsgw.db", dir);
	{
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		for (int i = 0; i < 200; i++)
			fputs("this is not a database at all. ", fp);
		fclose(fp);
	}
	assert_null(store_open(dir, 1, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, path));
	assert_null(strstr(f->err, "SELECT"));
}

static void
test_strict_key(void **state)
{
	struct fixture	*f = *state;
	char		 path[160];

	snprintf(path, sizeof(path), "%s/key", f->state);
	assert_int_equal(chmod(path, 0644), 0);
	assert_null(store_open(f->state, 1, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "chmod 600"));
	assert_null(store_open(NULL, 1, f->err, sizeof(f->err)));
}

int
main(void)
{
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_creates_files),
		T(test_add_get),
		T(test_names),
		T(test_mailbox_validation),
		T(test_value_validation),
		T(test_set),
		T(test_enable_remove),
		T(test_list),
		T(test_tokens_sealed),
		T(test_tokens_cas),
		T(test_password_check),
		T(test_tokens_tampered),
		T(test_identity_change_clears_tokens),
		T(test_remove_cascades),
		T(test_data_version),
		T(test_busy),
		T(test_import),
		T(test_import_errors),
		T(test_reopen_keeps_everything),
		T(test_migration),
		T(test_strict_key),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
