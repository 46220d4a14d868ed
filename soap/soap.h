/*
 * SOAP for EWS: pure functions over bytes (libxml2 in, bytes out); no
 * sockets. Reading is safe on hostile input: no DTD, no entities, no
 * network, bounded depth.
 */
#ifndef EWSGW_SOAP_H
#define EWSGW_SOAP_H

#include <stddef.h>

#define SOAP_NS_ENVELOPE "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_NS_MESSAGES "http://schemas.microsoft.com/exchange/services/2006/messages"
#define SOAP_NS_TYPES	 "http://schemas.microsoft.com/exchange/services/2006/types"
#define SOAP_NS_ERRORS	 "http://schemas.microsoft.com/exchange/services/2006/errors"

#define SOAP_OPERATION_MAX	64	/* longest operation name kept */

/*
 * The operation of an EWS request: the local name of the first element
 * child of soap:Body, copied into OP (NUL terminated, at most
 * SOAP_OPERATION_MAX-1 characters). Stops reading at that element, so it
 * is cheap on large bodies. Returns 0, or -1 when the bytes are not a
 * SOAP 1.1 envelope with a non-empty Body element, hold a DOCTYPE, nest
 * deeper than 64 elements, do not reach the operation within their first
 * MiB, or name an operation that does not fit in OPLEN (OP is then "").
 */
int	soap_operation(const char *body, size_t len, char *op, size_t oplen);
/* 1 when operation OP changes a mailbox or sends mail (office365.md §3.6,
 * "Writing"): it must never be sent twice. 0 otherwise, and for NULL. */
int	soap_operation_writes(const char *op);

/*
 * EWS response codes the gateway itself sends, with the HTTP status and
 * the default text of each (a table in fault.c).
 */
enum soap_fault_code {
	SOAP_FAULT_INTERNAL,		/* ErrorInternalServerError */
	SOAP_FAULT_ACCESS_DENIED,	/* ErrorAccessDenied */
	SOAP_FAULT_SERVER_BUSY,		/* ErrorServerBusy (+BackOffMilliseconds) */
	SOAP_FAULT_TRANSIENT,		/* ErrorInternalServerTransientError */
	SOAP_FAULT_CONNECTION_FAILED,	/* ErrorConnectionFailed */
	SOAP_FAULT_TIMEOUT,		/* ErrorTimeoutExpired */
	SOAP_FAULT_INVALID_REQUEST,	/* ErrorInvalidRequest */
	SOAP_FAULT_SCHEMA,		/* ErrorSchemaValidation */
	SOAP_FAULT_TOO_BIG,		/* ErrorMessageSizeExceeded */
	SOAP_FAULT_NO_MAILBOX,		/* ErrorNonExistentMailbox */
	SOAP_FAULT_ACCOUNT_DISABLED,	/* ErrorAccountDisabled */
	SOAP_FAULT_IMPERSONATE_DENIED,	/* ErrorImpersonateUserDenied */
	SOAP_FAULT_EXCEEDED_CONNECTIONS, /* ErrorExceededConnectionCount */
	SOAP_FAULT_NCODES		/* how many there are; not a code */
};

/* The EWS ResponseCode name of CODE ("ErrorServerBusy"); a code out of
 * range is taken as SOAP_FAULT_INTERNAL, here and below. */
const char	*soap_fault_name(enum soap_fault_code);
/* The HTTP status ewsgw sends with CODE (500 for all of them today). */
int		 soap_fault_status(enum soap_fault_code);

/*
 * A whole SOAP 1.1 fault envelope as Exchange writes one: faultcode
 * a:<Name> (a: the types namespace), faultstring MESSAGE (or the code's
 * default text when NULL), detail with e:ResponseCode, e:Message and,
 * when BACKOFF_MS > 0, a t:MessageXml holding BackOffMilliseconds;
 * REASON, when not NULL, goes into a t:Value Name="GatewayReason" (a
 * short machine token). MESSAGE and REASON are escaped; bytes that are
 * not UTF-8 text XML allows become U+FFFD. Returns a new NUL-terminated
 * string (free()) with its length in *LEN (LEN may be NULL), or NULL on
 * allocation failure.
 */
char	*soap_fault_build(enum soap_fault_code, const char *message,
	    const char *reason, unsigned backoff_ms, size_t *len);

/* The request 'ewsgw check' sends: GetFolder of the inbox. Static. */
const char	*soap_probe_request(void);
/*
 * Reads the answer to that request: 0 with *TOTAL the inbox's TotalCount
 * (-1 when absent) when it succeeded; -1 with the EWS ResponseCode and
 * message (or why it is not EWS) in ERR.
 */
int		 soap_probe_answer(const char *xml, size_t len, long *total,
		    char *err, size_t errlen);

/* ---- reading a whole request (reader.c) and setting impersonation
 * (impersonate.c); for app mode, where ewsgw decides the mailbox ---- */

#define SOAP_ADDR_MAX		320	/* longest address kept, with NUL */
#define SOAP_VERSION_MAX	32
#define SOAP_MAILBOXES_MAX	32	/* scoping mailboxes per request */
#define SOAP_READ_MAX_DEPTH	64
#define SOAP_READ_MAX_NODES	100000	/* elements, texts, attributes... */

/* The ConnectingSID child an ExchangeImpersonation names its user with. */
enum soap_sid_form {
	SOAP_SID_NONE,
	SOAP_SID_PRIMARY_SMTP,		/* PrimarySmtpAddress */
	SOAP_SID_SMTP,			/* SmtpAddress */
	SOAP_SID_PRINCIPAL,		/* PrincipalName (UPN) */
	SOAP_SID_SID,			/* SID (SDDL) */
};

/* What soap_read found. Strings are NUL terminated; "" when absent. */
struct soap_request {
	char			 sr_op[SOAP_OPERATION_MAX];
	char			 sr_version[SOAP_VERSION_MAX];
	/* t:ExchangeImpersonation elements directly in soap:Header */
	int			 sr_nimpersonate;
	/* t:ExchangeImpersonation anywhere else (Body, nested) */
	int			 sr_misplaced;
	enum soap_sid_form	 sr_form;	/* of the first one */
	char			 sr_target[SOAP_ADDR_MAX];
	/* Mailbox/EmailAddress that choose whose data is read or changed:
	 * in a DistinguishedFolderId, or a Mailbox that is a direct child
	 * of the operation (GetDelegate...). Recipients do not count. */
	size_t			 sr_nmailboxes;
	char			 sr_mailboxes[SOAP_MAILBOXES_MAX][SOAP_ADDR_MAX];
};

/*
 * Reads a whole EWS request safely: a DOCTYPE is refused (so no entity
 * is declared, let alone expanded), nothing is loaded from the network,
 * depth stays within SOAP_READ_MAX_DEPTH and nodes within
 * SOAP_READ_MAX_NODES, and libxml2's own size limits apply (no
 * XML_PARSE_HUGE: one text node at most 10 MB). Elements are matched by
 * namespace URI, never by prefix; comments, CDATA and text do not count.
 * Fills R. Returns 0, or -1 with *WHY (static, for a fault message) when
 * the body is not a well-formed SOAP 1.1 envelope with an operation, an
 * ExchangeImpersonation is malformed (not exactly one non-empty
 * ConnectingSID child), or more than SOAP_MAILBOXES_MAX scoping mailboxes
 * are named.
 */
int	soap_read(const char *body, size_t len, struct soap_request *r,
	    const char **why);

/*
 * Like soap_read, but stops at soap:Body (cheap on large bodies):
 * returns how many ExchangeImpersonation elements soap:Header holds, or
 * -1 with *WHY when what comes before the Body is refused.
 */
int	soap_header_impersonates(const char *body, size_t len,
	    const char **why);

/* "PrimarySmtpAddress", ...; "" for SOAP_SID_NONE. */
const char	*soap_sid_form_name(enum soap_sid_form);

/*
 * The request BODY (one soap_read accepted) with exactly one
 * t:ExchangeImpersonation/t:ConnectingSID/t:PrimarySmtpAddress = TARGET
 * in soap:Header: every ExchangeImpersonation already there is removed,
 * and a soap:Header is created as the first child of the Envelope when
 * missing. The rest is kept as sent (re-serialized by libxml2, in the
 * encoding the document declares, else UTF-8).
 * Returns a new buffer (free()) with its length in *OUTLEN, or NULL
 * (not XML, a DOCTYPE, out of memory).
 */
char	*soap_set_impersonation(const char *body, size_t len,
	    const char *target, size_t *outlen);
/* ---- Autodiscover: reading requests (ad_read.c), writing POX
 * (ad_pox.c) and SOAP (ad_soap.c) answers ---- */

#define SOAP_NS_AD_POX_REQUEST "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
#define SOAP_NS_AD_POX	"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
#define SOAP_NS_AD_OUTLOOK "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
#define SOAP_NS_AD	"http://schemas.microsoft.com/exchange/2010/Autodiscover"
#define SOAP_NS_WSA	"http://www.w3.org/2005/08/addressing"

#define SOAP_AD_MAX_BYTES	(64 * 1024)	/* longer requests are refused */
#define SOAP_AD_ADDR_MAX	320		/* longest address, with NUL */
#define SOAP_AD_USERS_MAX	16
#define SOAP_AD_SETTINGS_MAX	48
#define SOAP_AD_SETTING_MAX	64

/* What an Autodiscover request asks. Strings are "" when absent. */
struct soap_ad_request {
	/* SOAP: local name of soap:Body's first element ("?" when it is not
	 * in the Autodiscover namespace) */
	char	 op[SOAP_OPERATION_MAX];
	char	 schema[256];	/* POX AcceptableResponseSchema */
	size_t	 nusers;	/* POX: exactly one (EMailAddress) */
	char	 users[SOAP_AD_USERS_MAX][SOAP_AD_ADDR_MAX];
	size_t	 nsettings;	/* SOAP RequestedSettings/Setting */
	char	 settings[SOAP_AD_SETTINGS_MAX][SOAP_AD_SETTING_MAX];
};

/*
 * Reads a POX (SOAP 0) or SOAP GetUserSettings (SOAP 1) Autodiscover
 * request into Q, with the same precautions as soap_read (no DOCTYPE, no
 * entities, no network, bounded depth) and at most SOAP_AD_MAX_BYTES.
 * Returns 0, or -1 when the body is not such a request (POX: not exactly
 * one EMailAddress; SOAP: no operation) or names more users, settings or
 * longer values than Q holds.
 */
int	soap_ad_read(const char *body, size_t len, int soap,
	    struct soap_ad_request *q);

/*
 * The POX answer for ADDRESS: one EXCH and one EXPR protocol naming
 * EWS_URL (as EwsUrl, ASUrl, OOFUrl; Server = SERVER; SSL On when SSL),
 * AuthPackage basic. New string (free()) with *LEN, or NULL.
 */
char	*soap_ad_pox_settings(const char *address, const char *ews_url,
	    const char *server, int ssl, size_t *len);
/* A POX <Error> with CODE (500, 600, 601) and MESSAGE. New or NULL. */
char	*soap_ad_pox_error(int code, const char *message, size_t *len);

/*
 * The GetUserSettingsResponseMessage for Q: per user, EWS_URLS[i] (the
 * URL to name, or NULL for ErrorCode InvalidUser) and the settings Q
 * asks for that ewsgw knows (unknown ones go to UserSettingErrors as
 * SettingIsNotAvailable). With TOP_ERROR set ("InvalidRequest") the
 * answer is that error with MESSAGE and no users. New string or NULL.
 */
char	*soap_ad_soap_answer(const struct soap_ad_request *q,
	    const char *const *ews_urls, const char *top_error,
	    const char *message, size_t *len);

#endif
