/*
 * `ewsgw user ...`: add, change, enable, disable, remove, list and import
 * user mappings. One table of subcommands; each parses its options with
 * getopt_long, opens the store and runs.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "cli/cli.h"
#include "cli/user_int.h"

struct user_args {
	char		**argv;		/* the positional arguments */
	int		  argc;
	char		 *mailbox;	/* from argv, or NULL */
	char		 *mode;
	char		 *backend;
	char		 *impersonate;
	int		  password_stdin;
	int		  no_password;
	int		  disabled;
	int		  json;
};

struct user_ctx {
	const struct user_cmd *cmd;
	const char	*conf_arg;
	struct conf	*conf;
	struct store	*store;
	char		 err[1024];	/* why it failed; "" when printed */
};

struct user_cmd {
	const char	*name;
	const char	*usage;		/* after "user NAME" */
	const char	*about;
	const char	*opts;		/* the option letters it accepts */
	int		 min_args;
	int		 max_args;
	int		(*exec)(struct user_ctx *, struct user_args *);
};

static int	user_add(struct user_ctx *, struct user_args *);
static int	user_set(struct user_ctx *, struct user_args *);
static int	user_enable(struct user_ctx *, struct user_args *);
static int	user_disable(struct user_ctx *, struct user_args *);
static int	user_remove(struct user_ctx *, struct user_args *);
static int	user_list(struct user_ctx *, struct user_args *);
static int	user_import(struct user_ctx *, struct user_args *);

static const struct user_cmd user_cmds[] = {
	{ "add", "NAME --mailbox ADDR [--mode MODE]\n"
	    "           [--backend ews|graph] [--password-stdin] [--disabled]",
	    "Adds a user. NAME is what the legacy client sends as its Basic\n"
	    "user name (DOMAIN\\user and UPNs work); names match without\n"
	    "regard to case.", "mMbpd", 1, 1, user_add },
	{ "set", "NAME [--mailbox ADDR] [--mode MODE]\n"
	    "           [--backend ews|graph|default] "
	    "[--password-stdin | --no-password]\n"
	    "           [--impersonate ADDR,*@DOMAIN,...|none]",
	    "Changes a user. A new mailbox or mode clears its tokens: they\n"
	    "belong to the previous identity.", "mMbpPi", 1, 1, user_set },
	{ "enable", "NAME", "Lets a user's requests through again.", "", 1, 1,
	    user_enable },
	{ "disable", "NAME", "Refuses a user's requests (403), keeping its "
	    "tokens.", "", 1, 1, user_disable },
	{ "remove", "NAME", "Deletes a user and its tokens.", "", 1, 1,
	    user_remove },
	{ "list", "[--json]", "Shows every user and its token state.", "j",
	    0, 0, user_list },
	{ "import", "FILE.csv", "Adds or updates users from a CSV file whose "
	    "header is\nname,mailbox,mode,enabled (mode and enabled may be "
	    "left out).\nAll or nothing: an error names the line. An empty "
	    "mode or enabled\nkeeps an existing user's value and means "
	    "delegated / true for a\nnew one. enabled: true, false, yes, no, "
	    "1 or 0.", "", 1, 1, user_import },
};
#define USER_NCMDS	(sizeof(user_cmds) / sizeof(user_cmds[0]))

static const struct option user_longopts[] = {
	{ "mailbox", required_argument, NULL, 'm' },
	{ "mode", required_argument, NULL, 'M' },
	{ "backend", required_argument, NULL, 'b' },
	{ "password-stdin", no_argument, NULL, 'p' },
	{ "no-password", no_argument, NULL, 'P' },
	{ "disabled", no_argument, NULL, 'd' },
	{ "impersonate", required_argument, NULL, 'i' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What each option means, for `user CMD --help`. */
static const struct {
	int		 val;
	const char	*synopsis;
	const char	*text;
} user_opt_help[] = {
	{ 'm', "--mailbox ADDR",
	    "the user's SMTP address (UPN) in Microsoft 365" },
	{ 'M', "--mode MODE", "delegated (the default): the user's own token, "
	    "after 'ewsgw login'\n"
	    "ropc: a token for the Basic credentials (password grant)\n"
	    "app: an app-only token, impersonating the mailbox\n"
	    "onprem: to [onprem] ews_url, Basic header unchanged" },
	{ 'b', "--backend B", "ews: forward the SOAP request to ews_url\n"
	    "graph: answer it through Microsoft Graph\n"
	    "default: [office365] backend (the initial choice)" },
	{ 'p', "--password-stdin", "read the local password, one line, from "
	    "standard input;\nonly a salted hash is stored. delegated and "
	    "app users without\none are refused" },
	{ 'P', "--no-password", "remove the local password" },
	{ 'd', "--disabled", "add the user disabled" },
	{ 'i', "--impersonate LIST", "app mode: mailboxes the client may "
	    "impersonate besides the\nuser's own, comma-separated ADDR or "
	    "*@DOMAIN; none clears" },
	{ 'j', "--json", "a JSON array instead of a table" },
};

static void
user_usage_line(FILE *fp, const char *prefix, const struct user_cmd *cmd)
{
	fprintf(fp, "%sewsgw [-c FILE] user %s %s\n", prefix, cmd->name,
	    cmd->usage);
}

static void
user_usage_all(FILE *fp)
{
	for (size_t i = 0; i < USER_NCMDS; i++)
		user_usage_line(fp, i == 0 ? "usage: " : "       ",
		    &user_cmds[i]);
}

static void
user_help(const struct user_cmd *cmd)
{
	const char	*p;
	size_t		 i, n;

	user_usage_line(stdout, "usage: ", cmd);
	printf("\n%s\n", cmd->about);
	if (*cmd->opts != '\0')
		printf("\noptions:\n");
	for (i = 0; i < sizeof(user_opt_help) / sizeof(user_opt_help[0]); i++) {
		if (strchr(cmd->opts, user_opt_help[i].val) == NULL)
			continue;
		printf("  %s\n", user_opt_help[i].synopsis);
		for (p = user_opt_help[i].text; *p != '\0';
		    p += n + (p[n] == '\n')) {
			n = strcspn(p, "\n");
			printf("      %.*s\n", (int)n, p);
		}
	}
	printf("\nexit status: 0 success, 1 failure, 2 usage error\n");
}

/* A usage error: the reason and the synopsis on stderr. Returns 2. */
static int
user_usage_error(const struct user_cmd *cmd, const char *reason)
{
	fprintf(stderr, "ewsgw: user %s: %s\n", cmd->name, reason);
	user_usage_line(stderr, "usage: ", cmd);
	return 2;
}

/* Loads the config and opens the store. -1 with ctx->err (or printed). */
static int
user_open(struct user_ctx *ctx)
{
	if ((ctx->conf = cli_conf_load(ctx->conf_arg)) == NULL) {
		ctx->err[0] = '\0';	/* cli_conf_load said why */
		return -1;
	}
	ctx->store = store_open(ctx->conf->state_dir, 1, ctx->err,
	    sizeof(ctx->err));
	return ctx->store == NULL ? -1 : 0;
}

/* Parses --mode into U->mode. -1 with ctx->err. */
static int
user_parse_mode(struct user_ctx *ctx, const char *s, struct store_user *u)
{
	if (s == NULL)
		return 0;
	if ((u->mode = auth_mode_byname(s)) == -1) {
		snprintf(ctx->err, sizeof(ctx->err), "bad mode '%s': expected "
		    "%s", s, auth_mode_choices());
		return -1;
	}
	return 0;
}

/* Parses --backend into U->backend; "default" gives DEFAULT_VALUE. */
static int
user_parse_backend(struct user_ctx *ctx, const char *s, int default_value,
    struct store_user *u)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "default") == 0)
		u->backend = default_value;
	else if ((u->backend = auth_backend_byname(s)) == -1) {
		snprintf(ctx->err, sizeof(ctx->err), "bad backend '%s': "
		    "expected %s, or default", s, auth_backend_choices());
		return -1;
	}
	return 0;
}

static int
user_add(struct user_ctx *ctx, struct user_args *a)
{
	struct store_user	 u, old;
	char			*name = a->argv[0];
	int			 rc = 1;

	memset(&u, 0, sizeof(u));
	u.name = name;
	u.mailbox = a->mailbox;
	u.mode = AUTH_MODE_DELEGATED;
	u.backend = AUTH_BACKEND_DEFAULT;
	u.enabled = !a->disabled;
	if (a->mailbox == NULL)
		return user_usage_error(ctx->cmd, "missing --mailbox");
	if (user_parse_mode(ctx, a->mode, &u) == -1 ||
	    user_parse_backend(ctx, a->backend, AUTH_BACKEND_DEFAULT,
	    &u) == -1 || user_open(ctx) == -1)
		return 1;
	/* Say so before asking for a password, not after. */
	switch (store_user_get(ctx->store, name, &old, ctx->err,
	    sizeof(ctx->err))) {
	case 0:
		snprintf(ctx->err, sizeof(ctx->err), "user %s already exists",
		    old.name);
		store_user_clear(&old);
		return 1;
	case -1:
		return 1;
	}
	if (a->password_stdin && (u.password_hash = user_password_stdin(name,
	    ctx->err, sizeof(ctx->err))) == NULL)
		return 1;
	if (store_user_add(ctx->store, &u, ctx->err, sizeof(ctx->err)) == -1)
		goto done;
	printf("added %s (%s, %s%s)\n", name, auth_mode_name(u.mode),
	    u.mailbox, u.enabled ? "" : ", disabled");
	if (u.password_hash == NULL && (u.mode == AUTH_MODE_DELEGATED ||
	    u.mode == AUTH_MODE_APP))
		printf("note: %s has no local password, so its requests are "
		    "refused until one is set: ewsgw user set %s "
		    "--password-stdin\n", name, name);
	if (u.mode == AUTH_MODE_DELEGATED)
		printf("next: ewsgw login %s\n", name);
	rc = 0;
done:
	auth_secret_free(u.password_hash);
	return rc;
}

static int
user_set(struct user_ctx *ctx, struct user_args *a)
{
	static char		 none[] = "";
	struct store_user	 u, before, after;
	char			*name = a->argv[0];
	int			 rc = 1, found;

	memset(&u, 0, sizeof(u));
	u.name = name;
	u.mailbox = a->mailbox;
	u.mode = -1;
	u.backend = AUTH_BACKEND_DEFAULT;	/* keep */
	u.enabled = -1;
	if (a->impersonate != NULL)
		u.impersonate = strcmp(a->impersonate, "none") == 0 ? none :
		    a->impersonate;
	if (a->password_stdin && a->no_password)
		return user_usage_error(ctx->cmd, "--password-stdin and "
		    "--no-password exclude each other");
	if (a->mailbox == NULL && a->mode == NULL && a->backend == NULL &&
	    a->impersonate == NULL && !a->password_stdin && !a->no_password)
		return user_usage_error(ctx->cmd, "nothing to change");
	if (user_parse_mode(ctx, a->mode, &u) == -1 ||
	    user_parse_backend(ctx, a->backend, STORE_BACKEND_RESET,
	    &u) == -1 || user_open(ctx) == -1)
		return 1;
	if ((found = store_user_get(ctx->store, name, &before, ctx->err,
	    sizeof(ctx->err))) != 0) {
		if (found == 1)
			snprintf(ctx->err, sizeof(ctx->err), "no such user: %s",
			    name);
		return 1;
	}
	if (a->password_stdin && (u.password_hash = user_password_stdin(name,
	    ctx->err, sizeof(ctx->err))) == NULL)
		goto done;
	if (store_user_set(ctx->store, &u, a->no_password, ctx->err,
	    sizeof(ctx->err)) == -1)
		goto done;
	printf("updated %s\n", before.name);
	if (before.token_state != AUTH_TOKEN_NONE &&
	    store_user_get(ctx->store, name, &after, ctx->err,
	    sizeof(ctx->err)) == 0) {
		if (after.token_state == AUTH_TOKEN_NONE)
			printf("cleared the tokens of %s: they belonged to its "
			    "previous mailbox or mode\n", after.name);
		if (after.token_state == AUTH_TOKEN_NONE &&
		    after.mode == AUTH_MODE_DELEGATED)
			printf("next: ewsgw login %s\n", after.name);
		store_user_clear(&after);
	}
	rc = 0;
done:
	store_user_clear(&before);
	auth_secret_free(u.password_hash);
	return rc;
}

static int
user_enable_as(struct user_ctx *ctx, struct user_args *a, int enabled)
{
	if (user_open(ctx) == -1 || store_user_enable(ctx->store, a->argv[0],
	    enabled, ctx->err, sizeof(ctx->err)) == -1)
		return 1;
	printf("%s %s\n", enabled ? "enabled" : "disabled", a->argv[0]);
	return 0;
}

static int
user_enable(struct user_ctx *ctx, struct user_args *a)
{
	return user_enable_as(ctx, a, 1);
}

static int
user_disable(struct user_ctx *ctx, struct user_args *a)
{
	return user_enable_as(ctx, a, 0);
}

static int
user_remove(struct user_ctx *ctx, struct user_args *a)
{
	if (user_open(ctx) == -1 || store_user_remove(ctx->store, a->argv[0],
	    ctx->err, sizeof(ctx->err)) == -1)
		return 1;
	printf("removed %s and its tokens\n", a->argv[0]);
	return 0;
}

static int
user_list(struct user_ctx *ctx, struct user_args *a)
{
	if (user_open(ctx) == -1 || user_list_print(ctx->store, ctx->conf,
	    a->json, ctx->err, sizeof(ctx->err)) == -1)
		return 1;
	return 0;
}

static int
user_import(struct user_ctx *ctx, struct user_args *a)
{
	size_t	 n;

	if (user_open(ctx) == -1 || store_users_import(ctx->store, a->argv[0],
	    &n, ctx->err, sizeof(ctx->err)) == -1)
		return 1;
	printf("imported %zu user%s\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Options and arguments of CMD into A. 0 to go on, or -1 with the exit
 * status in *RC (0 after --help, 2 after a usage error). */
static int
user_parse(const struct user_cmd *cmd, int argc, char **argv,
    struct user_args *a, int *rc)
{
	char	 why[128];
	int	 ch;

	memset(a, 0, sizeof(*a));
	optind = 0;	/* reinitialise getopt for this argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", user_longopts,
	    NULL)) != -1) {
		if (ch == 'h') {
			user_help(cmd);
			*rc = 0;
			return -1;
		}
		if (ch == ':') {
			snprintf(why, sizeof(why), "option %s needs an "
			    "argument", argv[optind - 1]);
			goto usage;
		}
		if (ch == '?' || strchr(cmd->opts, ch) == NULL) {
			if (ch == '?' && optopt != 0)
				snprintf(why, sizeof(why), "unknown option "
				    "-%c", optopt);
			else
				snprintf(why, sizeof(why), "unknown option "
				    "%s", argv[optind - 1]);
			goto usage;
		}
		switch (ch) {
		case 'm':
			a->mailbox = optarg;
			break;
		case 'M':
			a->mode = optarg;
			break;
		case 'b':
			a->backend = optarg;
			break;
		case 'i':
			a->impersonate = optarg;
			break;
		case 'p':
			a->password_stdin = 1;
			break;
		case 'P':
			a->no_password = 1;
			break;
		case 'd':
			a->disabled = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		}
	}
	a->argv = argv + optind;
	a->argc = argc - optind;
	if (a->argc < cmd->min_args) {
		/* The first word of the synopsis names what is missing. */
		snprintf(why, sizeof(why), "missing %.*s",
		    (int)strcspn(cmd->usage, " "), cmd->usage);
		goto usage;
	}
	if (a->argc > cmd->max_args) {
		snprintf(why, sizeof(why), "unexpected argument '%s'",
		    a->argv[cmd->max_args]);
		goto usage;
	}
	return 0;
usage:
	*rc = user_usage_error(cmd, why);
	return -1;
}

int
cli_user(int argc, char **argv, const char *conf_arg)
{
	const struct user_cmd	*cmd = NULL;
	struct user_args	 args;
	struct user_ctx		 ctx;
	int			 rc;
	size_t			 i;

	if (argc < 2) {
		user_usage_all(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		user_usage_all(stdout);
		printf("\nModes: %s. Names match case-insensitively.\n"
		    "'ewsgw user COMMAND --help' tells more.\n",
		    auth_mode_choices());
		return 0;
	}
	for (i = 0; i < USER_NCMDS; i++)
		if (strcmp(argv[1], user_cmds[i].name) == 0)
			cmd = &user_cmds[i];
	if (cmd == NULL) {
		fprintf(stderr, "ewsgw: user: unknown command '%s'\n", argv[1]);
		user_usage_all(stderr);
		return 2;
	}
	if (user_parse(cmd, argc - 1, argv + 1, &args, &rc) == -1)
		return rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	ctx.conf_arg = conf_arg;
	rc = cmd->exec(&ctx, &args);
	if (rc == 0 && (fflush(stdout) == EOF || ferror(stdout))) {
		snprintf(ctx.err, sizeof(ctx.err), "cannot write to standard "
		    "output");
		rc = 1;
	}
	if (rc == 1 && ctx.err[0] != '\0')
		fprintf(stderr, "ewsgw: %s\n", ctx.err);
	store_close(ctx.store);
	conf_free(ctx.conf);
	return rc;
}
