/* ewsgw: global options, then one subcommand from a table. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "version.h"

struct cmd {
	const char	*name;
	int		(*exec)(int, char **, const char *);
	const char	*usage;		/* lines for --help */
};

static const struct cmd cmds[] = {
	{ "serve", cli_serve,
	    "  ewsgw [-c FILE] serve\n"
	    "      run the gateway\n" },
	{ "user", cli_user,
	    "  ewsgw [-c FILE] user add NAME --mailbox ADDR [--mode MODE] "
	    "[--backend ews|graph]\n"
	    "                           [--password-stdin] [--disabled]\n"
	    "  ewsgw [-c FILE] user set NAME [--mailbox ADDR] [--mode MODE] "
	    "[--backend ews|graph]\n"
	    "                           [--password-stdin] "
	    "[--impersonate ADDR,*@DOMAIN,...|none]\n"
	    "  ewsgw [-c FILE] user enable NAME\n"
	    "  ewsgw [-c FILE] user disable NAME\n"
	    "  ewsgw [-c FILE] user remove NAME\n"
	    "  ewsgw [-c FILE] user list [--json]\n"
	    "  ewsgw [-c FILE] user import FILE.csv\n"
	    "      manage user mappings (MODE: delegated, ropc, app, onprem;\n"
	    "      CSV header: name,mailbox,mode,enabled)\n" },
	{ "login", cli_login,
	    "  ewsgw [-c FILE] login NAME [--browser]\n"
	    "      sign a delegated user in once: a device code by default;\n"
	    "      --browser: auth code + PKCE in a browser, then paste the\n"
	    "      address it lands on (or redirect_uri = http://localhost\n"
	    "      in the config, and ewsgw receives the redirect itself)\n" },
	{ "check", cli_check,
	    "  ewsgw [-c FILE] check NAME | --all\n"
	    "      probe users end to end, one line each\n" },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* The synopsis; with FULL, every command and option too. */
static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: ewsgw [-c FILE] COMMAND [ARGS...]\n"
	    "       ewsgw --version | --help | COMMAND --help\n");
	if (!full) {
		fprintf(fp, "commands:");
		for (size_t i = 0; i < NCMDS; i++)
			fprintf(fp, " %s", cmds[i].name);
		fprintf(fp, " (ewsgw --help tells more)\n");
		return;
	}
	fprintf(fp, "\nA gateway for legacy EWS clients: Basic auth in, the "
	    "user's OAuth token out.\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fputs(cmds[i].usage, fp);
	fprintf(fp, "\noptions:\n"
	    "  -c, --config FILE  the configuration file; default $%s,\n"
	    "                     else %s\n"
	    "  -h, --help         this overview\n"
	    "  -V, --version      print the version\n"
	    "\nexit status: 0 success, 1 failure, 2 usage error\n",
	    CONF_ENV, CONF_DEFAULT_PATH);
}

static const struct cmd *
cmd_byname(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char		 help_arg[] = "--help";
	const struct cmd	*cmd;
	const char		*conf_arg = NULL;
	char			*help_argv[3];
	int			 ch;

	/* A client or upstream that hangs up is an error return, not death. */
	signal(SIGPIPE, SIG_IGN);

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_arg = optarg;
			break;
		case 'h':
			usage(stdout, 1);
			return 0;
		case 'V':
			printf("ewsgw %s\n", EWSGW_VERSION);
			return 0;
		case ':':
			fprintf(stderr, "ewsgw: option %s needs an argument\n",
			    argv[optind - 1]);
			usage(stderr, 0);
			return 2;
		default:
			if (optopt != 0)
				fprintf(stderr, "ewsgw: unknown option -%c\n",
				    optopt);
			else
				fprintf(stderr, "ewsgw: unknown option %s\n",
				    argv[optind - 1]);
			usage(stderr, 0);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr, 0);
		return 2;
	}

	/* "ewsgw help" is --help; "ewsgw help CMD" is "ewsgw CMD --help". */
	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			usage(stdout, 1);
			return 0;
		}
		help_argv[0] = argv[1];
		help_argv[1] = help_arg;
		help_argv[2] = NULL;
		argc = 2;
		argv = help_argv;
	}
	if ((cmd = cmd_byname(argv[0])) == NULL) {
		fprintf(stderr, "ewsgw: unknown command '%s'\n", argv[0]);
		usage(stderr, 0);
		return 2;
	}
	optind = 0;	/* the command may run getopt again from its argv */
	return cmd->exec(argc, argv, conf_arg);
}
