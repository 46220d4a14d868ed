/*
 * Inside conf/: the table of keys (conf_keys.c) and the value types that
 * read a key's text into its struct conf field (conf_value.c).
 */
#ifndef EWSGW_CONF_INT_H
#define EWSGW_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

struct conf;

enum conf_type {
	CONF_STRING,		/* char *, any text */
	CONF_PATH,		/* char *, a file or directory */
	CONF_HOSTPORT,		/* char * host at off, uint16_t port at off2 */
	CONF_SIZE,		/* uint64_t bytes */
	CONF_DURATION,		/* unsigned milliseconds */
	CONF_COUNT,		/* unsigned, a plain decimal number */
	CONF_ENUM,		/* int, one of names */
	CONF_URL,		/* char *, http:// or https:// with a host */
	CONF_GUID,		/* char *, 8-4-4-4-12 hex digits */
	CONF_TENANT,		/* char *, a GUID or a domain name */
};

#define CONF_F_OPTIONAL	0x01	/* an empty value unsets it (NULL) */
#define CONF_F_BASEURL	0x02	/* trailing slashes are dropped */
#define CONF_F_SECRET	0x04	/* a file others must not be able to read */

struct conf_enum {
	const char	*name;
	int		 value;
};

struct conf_key {
	const char		*section;
	const char		*key;
	enum conf_type		 type;
	int			 flags;	/* CONF_F_* */
	uint64_t		 min;	/* size: bytes, duration: ms */
	uint64_t		 max;
	const struct conf_enum	*names;	/* CONF_ENUM: ends with a NULL name */
	const char		*def;	/* read like a value; NULL: unset */
	size_t			 off;	/* of the field in struct conf */
	size_t			 off2;	/* CONF_HOSTPORT: of the port */
	const char		*help;
};

extern const struct conf_key	conf_keys[];
extern const size_t		conf_nkeys;

/* The key NAME of [SECTION] (both case-insensitive), or NULL. */
const struct conf_key	*conf_key_byname(const char *section,
			    const char *name);
/* Nonzero when some key lives in [SECTION]. */
int			 conf_section_known(const char *section);

/*
 * Reads VALUE (as written in the file) into K's field of C, replacing
 * what was there. Returns 0, or -1 with the expectation ("expected a
 * size like 32M") written into WHY; the field is then unchanged.
 */
int	conf_value_set(struct conf *c, const struct conf_key *k,
	    const char *value, char *why, size_t whylen);
/* The text of K's field of C (a borrowed string), or NULL when unset or
 * not text. */
const char	*conf_value_text(const struct conf *c, const struct conf_key *k);
/* Frees what K's field of C owns and clears it. */
void	conf_value_clear(struct conf *c, const struct conf_key *k);

#endif
