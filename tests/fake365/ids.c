/*
 * fake365 ids: base64 (or hex) of a few leading bytes, as Exchange's
 * formats have, then "F365:user:kind:n:occ". Opaque to clients, exact
 * for the fake: anything else is malformed.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tests/fake365/ews.h"

#define IDS_HEAD	4
#define IDS_RAW_MAX	64

static const struct {
	const char	*name;
	unsigned char	 head[IDS_HEAD];
	int		 hex;
} ids_formats[] = {
	[EWS_IDF_EWS] = { "EwsId", { 0x00, 0x03, 0x24, 0x00 }, 0 },
	[EWS_IDF_LEGACY] = { "EwsLegacyId", { 0x00, 0x00, 0x00, 0x01 }, 0 },
	[EWS_IDF_ENTRY] = { "EntryId", { 0x00, 0x00, 0x00, 0x00 }, 0 },
	[EWS_IDF_HEXENTRY] = { "HexEntryId", { 0x00, 0x00, 0x00, 0x00 }, 1 },
	[EWS_IDF_STORE] = { "StoreId", { 0x01, 0x00, 0x00, 0x00 }, 0 },
	[EWS_IDF_OWA] = { "OwaId", { 0x02, 0x00, 0x00, 0x00 }, 0 },
};

static const struct {
	char		 letter;
	enum ews_kind	 kind;
} ids_kinds[] = {
	{ 'F', EK_FOLDER }, { 'M', EK_MESSAGE }, { 'E', EK_EVENT },
	{ 'O', EK_OCCURRENCE }, { 'C', EK_CONTACT }, { 'A', EK_ATTACHMENT },
};

const char *
ews_idformat_name(enum ews_idformat f)
{
	return ids_formats[f].name;
}

int
ews_idformat_byname(const char *name)
{
	for (size_t i = 0; i < NELEM(ids_formats); i++)
		if (strcmp(ids_formats[i].name, name) == 0)
			return (int)i;
	return -1;
}

static char
ids_letter(enum ews_kind k)
{
	for (size_t i = 0; i < NELEM(ids_kinds); i++)
		if (ids_kinds[i].kind == k)
			return ids_kinds[i].letter;
	return '?';
}

/* HEAD then the payload of REF into RAW; its length. */
static size_t
ids_raw(const struct ews_ref *ref, const unsigned char *head,
    unsigned char *raw)
{
	int	 n;

	memcpy(raw, head, IDS_HEAD);
	n = snprintf((char *)raw + IDS_HEAD, IDS_RAW_MAX - IDS_HEAD,
	    "F365:%d:%c:%d:%d", ref->user, ids_letter(ref->kind), ref->n,
	    ref->occ);
	return IDS_HEAD + (size_t)n;
}

static void
ids_encode(const unsigned char *raw, size_t len, int hex, char *out,
    size_t outlen)
{
	if (hex) {
		for (size_t i = 0; i < len && 2 * i + 2 < outlen; i++)
			snprintf(out + 2 * i, 3, "%02X", raw[i]);
		return;
	}
	if (outlen >= 4 * ((len + 2) / 3) + 1)
		EVP_EncodeBlock((unsigned char *)out, raw, (int)len);
	else
		out[0] = '\0';
}

void
ews_id_as(const struct ews_ref *ref, enum ews_idformat f, char *out,
    size_t len)
{
	unsigned char	 raw[IDS_RAW_MAX];

	ids_encode(raw, ids_raw(ref, ids_formats[f].head, raw),
	    ids_formats[f].hex, out, len);
}

void
ews_id(const struct ews_ref *ref, char *out, size_t len)
{
	ews_id_as(ref, EWS_IDF_EWS, out, len);
}

void
ews_changekey(const struct ews_ref *ref, char *out, size_t len)
{
	static const unsigned char head[IDS_HEAD] = { 0x09, 0x00, 0x00, 0x00 };
	unsigned char	 raw[IDS_RAW_MAX];

	ids_encode(raw, ids_raw(ref, head, raw), 0, out, len);
}

/* The bytes of ID in format F into RAW; their length or -1. */
static int
ids_decode(const char *id, int hex, unsigned char *raw)
{
	size_t	 len = strlen(id), pad;
	int	 n;
	unsigned v;

	if (hex) {
		if (len % 2 != 0 || len / 2 > IDS_RAW_MAX - 1 ||
		    strspn(id, "0123456789ABCDEFabcdef") != len)
			return -1;
		for (size_t i = 0; i < len / 2; i++) {
			sscanf(id + 2 * i, "%2x", &v);
			raw[i] = (unsigned char)v;
		}
		return (int)(len / 2);
	}
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > IDS_RAW_MAX - 1)
		return -1;
	pad = id[len - 1] == '=' ? (id[len - 2] == '=' ? 2 : 1) : 0;
	if ((n = EVP_DecodeBlock(raw, (const unsigned char *)id, (int)len)) < 0)
		return -1;
	return n - (int)pad;
}

int
ews_id_parse_as(const char *id, enum ews_idformat f, struct ews_ref *ref)
{
	unsigned char	 raw[IDS_RAW_MAX];
	char		 letter;
	int		 len, used = -1;

	if ((len = ids_decode(id, ids_formats[f].hex, raw)) <= IDS_HEAD ||
	    memcmp(raw, ids_formats[f].head, IDS_HEAD) != 0)
		return -1;
	raw[len] = '\0';
	memset(ref, 0, sizeof(*ref));
	if (sscanf((char *)raw + IDS_HEAD, "F365:%d:%c:%d:%d%n", &ref->user,
	    &letter, &ref->n, &ref->occ, &used) != 4 ||
	    used != len - IDS_HEAD)
		return -1;
	for (size_t i = 0; i < NELEM(ids_kinds); i++)
		if (ids_kinds[i].letter == letter) {
			ref->kind = ids_kinds[i].kind;
			return 0;
		}
	return -1;
}

int
ews_id_parse(const char *id, struct ews_ref *ref)
{
	return ews_id_parse_as(id, EWS_IDF_EWS, ref);
}

int
ews_ref_exists(const struct ews_ref *r)
{
	static const enum dir_content content[] = {
		[EK_MESSAGE] = DIR_MESSAGES, [EK_EVENT] = DIR_EVENTS,
		[EK_OCCURRENCE] = DIR_EVENTS, [EK_CONTACT] = DIR_CONTACTS,
		[EK_ATTACHMENT] = DIR_MESSAGES,
	};

	if (dir_user_at(r->user) == NULL || r->n < 0)
		return 0;
	if (r->kind == EK_FOLDER)
		return (size_t)r->n < dir_nfolders && r->occ == 0;
	if ((size_t)r->n >= dir_count(content[r->kind]))
		return 0;
	if (r->kind == EK_OCCURRENCE)
		return dir_events[r->n].count > 1 && r->occ >= 1 &&
		    r->occ <= dir_events[r->n].count;
	if (r->kind == EK_ATTACHMENT)
		return dir_messages[r->n].attach_name != NULL && r->occ == 0;
	return r->occ == 0;
}
