/*
 * "ewsgw user import FILE.csv": a header naming the columns (name,
 * mailbox, mode, enabled; the last two optional, any order), then one user
 * per record, RFC 4180 quoting. Every row is read and checked before the
 * first write, and all rows are written in one transaction.
 *
 * An empty mode or enabled means the default (delegated, true) for a new
 * user and "leave as it is" for an existing one, so re-importing a list
 * never undoes a later 'user set' or 'user disable'.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/store_int.h"

#define IMPORT_MAX_BYTES	(64 * 1024 * 1024)
#define IMPORT_MAX_FIELDS	16

enum import_col {
	IMPORT_NAME,
	IMPORT_MAILBOX,
	IMPORT_MODE,
	IMPORT_ENABLED,
	IMPORT_NCOLS,
};

static const char *const import_col_names[IMPORT_NCOLS] = {
	[IMPORT_NAME] = "name",
	[IMPORT_MAILBOX] = "mailbox",
	[IMPORT_MODE] = "mode",
	[IMPORT_ENABLED] = "enabled",
};

static const struct {
	const char	*word;
	int		 value;
} import_bools[] = {
	{ "true", 1 }, { "yes", 1 }, { "1", 1 },
	{ "false", 0 }, { "no", 0 }, { "0", 0 },
};

/* The file, decoded in place: unquoting only ever shortens a field. */
struct import_csv {
	char		*buf;
	size_t		 len;
	size_t		 pos;
	unsigned	 line;		/* of buf[pos] */
};

struct import_row {
	unsigned	 line;
	char		*name;		/* borrowed from the csv buffer */
	char		*mailbox;
	int		 mode;		/* -1: not given */
	int		 enabled;	/* -1: not given */
};

/* Reads all of PATH into a new NUL-terminated buffer. */
static int
import_read(const char *path, struct import_csv *c, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > IMPORT_MAX_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of at most "
		    "%d MiB", path, IMPORT_MAX_BYTES >> 20);
		fclose(f);
		return -1;
	}
	if ((c->buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		fclose(f);
		return -1;
	}
	n = fread(c->buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	c->buf[n] = '\0';
	c->len = n;
	c->pos = 0;
	c->line = 1;
	if (n >= 3 && memcmp(c->buf, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;	/* a UTF-8 byte order mark, as Excel writes */
	return 0;
}

/* True at the end of a record: "\n", "\r\n" or the end of the file. */
static int
import_at_eol(const struct import_csv *c)
{
	const char	*p = c->buf + c->pos;

	return c->pos >= c->len || *p == '\n' || (*p == '\r' && p[1] == '\n');
}

/* Consumes the end of line at pos, if any. */
static void
import_skip_eol(struct import_csv *c)
{
	if (c->pos < c->len && c->buf[c->pos] == '\r')
		c->pos++;
	if (c->pos < c->len && c->buf[c->pos] == '\n') {
		c->pos++;
		c->line++;
	}
}

/* Strips blanks around an unquoted field in place. */
static char *
import_trim(char *s)
{
	size_t	 n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/*
 * The next record's fields (pointers into the buffer) and first line.
 * 1 a record, 0 end of file, -1 error (err without the file name).
 */
static int
import_record(struct import_csv *c, char **fields, size_t *nfields,
    unsigned *line, char *err, size_t errlen)
{
	char	*out, *start;
	size_t	 n = 0;
	int	 quoted, eol;

	if (c->pos >= c->len)
		return 0;
	*line = c->line;
	for (;;) {
		if (n == IMPORT_MAX_FIELDS) {
			snprintf(err, errlen, "%u: more than %d fields",
			    *line, IMPORT_MAX_FIELDS);
			return -1;
		}
		start = out = c->buf + c->pos;
		quoted = *start == '"';
		if (quoted) {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len) {
					snprintf(err, errlen, "%u: a quoted "
					    "field is never closed", *line);
					return -1;
				}
				if (c->buf[c->pos] == '"') {
					if (c->buf[c->pos + 1] != '"')
						break;
					c->pos++;	/* "" is one quote */
				} else if (c->buf[c->pos] == '\n')
					c->line++;
				*out++ = c->buf[c->pos++];
			}
			c->pos++;
			if (!import_at_eol(c) && c->buf[c->pos] != ',') {
				snprintf(err, errlen, "%u: text after a "
				    "closing quote", c->line);
				return -1;
			}
		} else {
			while (!import_at_eol(c) && c->buf[c->pos] != ',')
				*out++ = c->buf[c->pos++];
		}
		/* Consume the ',' or end of line first: the terminating NUL
		 * may land on it. */
		eol = import_at_eol(c);
		if (eol)
			import_skip_eol(c);
		else
			c->pos++;
		*out = '\0';
		fields[n++] = quoted ? start : import_trim(start);
		if (eol)
			break;
	}
	*nfields = n;
	return 1;
}

/* Maps header fields to columns: MAP[i] is the column of field i. */
static int
import_header(char **fields, size_t n, int *map, char *err, size_t errlen)
{
	int	 seen[IMPORT_NCOLS] = { 0 };
	size_t	 i;
	int	 col;

	for (i = 0; i < n; i++) {
		for (col = 0; col < IMPORT_NCOLS; col++)
			if (strcasecmp(fields[i], import_col_names[col]) == 0)
				break;
		if (col == IMPORT_NCOLS || seen[col]) {
			snprintf(err, errlen, "1: %s column '%.40s': the first "
			    "line must be the header name,mailbox,mode,enabled",
			    col == IMPORT_NCOLS ? "unknown" : "repeated",
			    fields[i]);
			return -1;
		}
		seen[col] = 1;
		map[i] = col;
	}
	if (!seen[IMPORT_NAME] || !seen[IMPORT_MAILBOX]) {
		snprintf(err, errlen, "1: the header needs the columns name "
		    "and mailbox (name,mailbox,mode,enabled)");
		return -1;
	}
	return 0;
}

/* Checks one record into ROW. -1 with err (the caller adds the place). */
static int
import_row(char **fields, size_t n, const int *map, size_t ncols,
    struct import_row *row, char *err, size_t errlen)
{
	char		*v[IMPORT_NCOLS] = { NULL };
	static char	 empty[] = "";
	size_t		 i;

	if (n > ncols) {
		snprintf(err, errlen, "%zu fields, but the header has %zu", n,
		    ncols);
		return -1;
	}
	for (i = 0; i < n; i++)
		v[map[i]] = fields[i];
	row->name = v[IMPORT_NAME] != NULL ? v[IMPORT_NAME] : empty;
	row->mailbox = v[IMPORT_MAILBOX] != NULL ? v[IMPORT_MAILBOX] : empty;
	if (store_check_name(row->name, err, errlen) == -1 ||
	    store_check_mailbox(row->mailbox, err, errlen) == -1)
		return -1;
	row->mode = -1;
	if (v[IMPORT_MODE] != NULL && *v[IMPORT_MODE] != '\0' &&
	    (row->mode = auth_mode_byname(v[IMPORT_MODE])) == -1) {
		snprintf(err, errlen, "bad mode '%.40s': expected %s",
		    v[IMPORT_MODE], auth_mode_choices());
		return -1;
	}
	row->enabled = -1;
	if (v[IMPORT_ENABLED] == NULL || *v[IMPORT_ENABLED] == '\0')
		return 0;
	for (i = 0; i < sizeof(import_bools) / sizeof(import_bools[0]); i++)
		if (strcasecmp(v[IMPORT_ENABLED], import_bools[i].word) == 0)
			row->enabled = import_bools[i].value;
	if (row->enabled == -1) {
		snprintf(err, errlen, "bad enabled value '%.40s': expected "
		    "true, false, yes, no, 1 or 0", v[IMPORT_ENABLED]);
		return -1;
	}
	return 0;
}

static int
import_row_cmp(const void *a, const void *b)
{
	const struct import_row	*x = *(const struct import_row *const *)a;
	const struct import_row	*y = *(const struct import_row *const *)b;
	int			 d;

	if ((d = strcasecmp(x->name, y->name)) != 0)
		return d;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Refuses a name listed twice: which row should win is anyone's guess. */
static int
import_check_repeats(struct import_row *rows, size_t n, char *err,
    size_t errlen)
{
	struct import_row	**sorted;
	size_t			  i;
	int			  ret = 0;

	if (n < 2)
		return 0;
	if ((sorted = calloc(n, sizeof(*sorted))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		sorted[i] = &rows[i];
	qsort(sorted, n, sizeof(*sorted), import_row_cmp);
	for (i = 1; i < n; i++)
		if (strcasecmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
			snprintf(err, errlen, "%u: user %s is already on line "
			    "%u", sorted[i]->line, sorted[i]->name,
			    sorted[i - 1]->line);
			ret = -1;
			break;
		}
	free(sorted);
	return ret;
}

/* 1 when a user of that name exists, 0 not, -1 error. */
static int
import_exists(struct store *s, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	if (store_prepare(s, "SELECT 1 FROM users WHERE name = ?1", &stmt,
	    err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ret = 1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else
		store_sqlerr(s, rc, err, errlen);
	sqlite3_finalize(stmt);
	return ret;
}

static int
import_write(struct store *s, const struct import_row *row, char *err,
    size_t errlen)
{
	struct store_user	 u;
	int			 exists;

	if ((exists = import_exists(s, row->name, err, errlen)) == -1)
		return -1;
	memset(&u, 0, sizeof(u));
	u.name = row->name;
	u.mailbox = row->mailbox;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.mode = row->mode;
	u.enabled = row->enabled;
	if (exists)
		return store_user_update(s, &u, 0, err, errlen);
	if (u.mode == -1)
		u.mode = AUTH_MODE_DELEGATED;
	if (u.enabled == -1)
		u.enabled = 1;
	return store_user_insert(s, &u, err, errlen);
}

/* Reads and checks every record of C into *ROWS. -1 with "LINE: why". */
static int
import_parse(struct import_csv *c, struct import_row **rows, size_t *nrows,
    char *err, size_t errlen)
{
	char			*fields[IMPORT_MAX_FIELDS];
	struct import_row	*grown;
	char			 why[256];
	int			 map[IMPORT_MAX_FIELDS];
	size_t			 n, ncols, cap = 0;
	unsigned		 line;
	int			 rc;

	*rows = NULL;
	*nrows = 0;
	if ((rc = import_record(c, fields, &ncols, &line, err, errlen)) == -1)
		return -1;
	if (rc == 0) {
		snprintf(err, errlen, "1: empty file: expected the header "
		    "name,mailbox,mode,enabled");
		return -1;
	}
	if (import_header(fields, ncols, map, err, errlen) == -1)
		return -1;
	while ((rc = import_record(c, fields, &n, &line, err, errlen)) == 1) {
		if (n == 1 && *fields[0] == '\0')
			continue;	/* a blank line */
		if (*nrows == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = reallocarray(*rows, cap,
			    sizeof(**rows))) == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			*rows = grown;
		}
		if (import_row(fields, n, map, ncols, &(*rows)[*nrows], why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "%u: %s", line, why);
			return -1;
		}
		(*rows)[(*nrows)++].line = line;
	}
	if (rc == -1)
		return -1;
	return import_check_repeats(*rows, *nrows, err, errlen);
}

int
store_users_import(struct store *s, const char *csv_path, size_t *count,
    char *err, size_t errlen)
{
	struct import_csv	 c = { 0 };
	struct import_row	*rows = NULL;
	size_t			 nrows = 0, i;
	char			 why[512];
	int			 ret = -1;

	*count = 0;
	if (import_read(csv_path, &c, err, errlen) == -1)
		goto done;
	if (import_parse(&c, &rows, &nrows, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s:%s", csv_path, why);
		goto done;
	}
	if (store_begin(s, err, errlen) == -1)
		goto done;
	for (i = 0; i < nrows; i++)
		if (import_write(s, &rows[i], why, sizeof(why)) == -1) {
			store_rollback(s);
			snprintf(err, errlen, "%s:%u: %s", csv_path,
			    rows[i].line, why);
			goto done;
		}
	if (store_commit(s, err, errlen) == -1)
		goto done;
	*count = nrows;
	ret = 0;
done:
	free(rows);
	free(c.buf);
	return ret;
}
