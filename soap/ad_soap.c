/*
 * SOAP Autodiscover answers (office365.md 4.3): GetUserSettings, one
 * UserResponse per address asked, holding the settings asked for that
 * ewsgw can answer, every one of them about the gateway.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlwriter.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define AD_ACTION	"http://schemas.microsoft.com/exchange/2010/" \
			"Autodiscover/Autodiscover/GetUserSettingsResponse"
/* Exchange Online's build at the time of writing (office365.md 4.3). */
#define AD_VERSION	"15.20.8769.35"
#define AD_SCHEMAS	"Exchange2007, Exchange2007_SP1, Exchange2010, " \
			"Exchange2010_SP1, Exchange2010_SP2, Exchange2013, " \
			"Exchange2013_SP1"
/* ewsgw has no directory: the DNs clients keep as opaque identifiers
 * name the address under the gateway's own organization. */
#define AD_ORG_DN	"/o=ewsgw/ou=Exchange Administrative Group " \
			"(FYDIBOHF23SPDLT)"

enum ad_source {
	AD_S_EWS_URL,
	AD_S_ADDRESS,
	AD_S_CONSTANT,
	AD_S_USER_DN,
	AD_S_MAILBOX_DN,
};

static const struct {
	const char	*name;
	enum ad_source	 source;
	const char	*constant;
} ad_settings[] = {
	{ "ExternalEwsUrl", AD_S_EWS_URL, NULL },
	{ "InternalEwsUrl", AD_S_EWS_URL, NULL },
	{ "UserDisplayName", AD_S_ADDRESS, NULL },
	{ "AutoDiscoverSMTPAddress", AD_S_ADDRESS, NULL },
	{ "EwsSupportedSchemas", AD_S_CONSTANT, AD_SCHEMAS },
	{ "ExternalEwsVersion", AD_S_CONSTANT, AD_VERSION },
	{ "CasVersion", AD_S_CONSTANT, AD_VERSION },
	{ "GroupingInformation", AD_S_CONSTANT, "ewsgw" },
	{ "UserDN", AD_S_USER_DN, NULL },
	{ "MailboxDN", AD_S_MAILBOX_DN, NULL },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
ad_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	return soap_write_elem(w, NULL, name, NULL, NULL, NULL, text);
}

/* The value of setting I for ADDRESS into BUF. */
static const char *
ad_value(size_t i, const char *address, const char *ews_url, char *buf,
    size_t len)
{
	switch (ad_settings[i].source) {
	case AD_S_EWS_URL:
		return ews_url;
	case AD_S_ADDRESS:
		return address;
	case AD_S_CONSTANT:
		return ad_settings[i].constant;
	case AD_S_USER_DN:
		snprintf(buf, len, AD_ORG_DN "/cn=Recipients/cn=%s", address);
		return buf;
	case AD_S_MAILBOX_DN:
		snprintf(buf, len, AD_ORG_DN "/cn=Configuration/cn=Servers/"
		    "cn=%s/cn=Microsoft Private MDB", address);
		return buf;
	}
	return "";
}

static int
ad_setting_index(const char *name)
{
	for (size_t i = 0; i < NELEM(ad_settings); i++)
		if (strcasecmp(name, ad_settings[i].name) == 0)
			return (int)i;
	return -1;
}

/* UserSettingErrors, then UserSettings, for one found user. */
static int
ad_write_settings(xmlTextWriterPtr w, const struct soap_ad_request *q,
    const char *address, const char *ews_url)
{
	char	 buf[SOAP_AD_ADDR_MAX + 160];
	int	 k;

	if (xmlTextWriterStartElement(w, XC("UserSettingErrors")) < 0)
		return -1;
	for (size_t i = 0; i < q->nsettings; i++) {
		if (ad_setting_index(q->settings[i]) != -1)
			continue;
		if (xmlTextWriterStartElement(w, XC("UserSettingError")) < 0 ||
		    ad_el(w, "ErrorCode", "SettingIsNotAvailable") < 0 ||
		    ad_el(w, "ErrorMessage", "ewsgw does not provide this "
		    "setting.") < 0 ||
		    ad_el(w, "SettingName", q->settings[i]) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	if (xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, XC("UserSettings")) < 0)
		return -1;
	for (size_t i = 0; i < q->nsettings; i++) {
		if ((k = ad_setting_index(q->settings[i])) == -1)
			continue;
		if (xmlTextWriterStartElement(w, XC("UserSetting")) < 0 ||
		    xmlTextWriterWriteAttribute(w, XC("i:type"),
		    XC("StringSetting")) < 0 ||
		    ad_el(w, "Name", ad_settings[k].name) < 0 ||
		    ad_el(w, "Value", ad_value((size_t)k, address, ews_url, buf,
		    sizeof(buf))) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int
ad_write_user(xmlTextWriterPtr w, const struct soap_ad_request *q,
    const char *address, const char *ews_url)
{
	if (xmlTextWriterStartElement(w, XC("UserResponse")) < 0)
		return -1;
	if (ews_url == NULL) {
		if (ad_el(w, "ErrorCode", "InvalidUser") < 0 ||
		    ad_el(w, "ErrorMessage", "Invalid user: the gateway maps "
		    "no such mailbox for these credentials.") < 0)
			return -1;
	} else if (ad_el(w, "ErrorCode", "NoError") < 0 ||
	    ad_el(w, "ErrorMessage", "No error.") < 0 ||
	    soap_write_elem(w, NULL, "RedirectTarget", NULL, "i:nil", "true",
	    "") < 0 ||
	    ad_write_settings(w, q, address, ews_url) < 0)
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int
ad_write_header(xmlTextWriterPtr w)
{
	if (xmlTextWriterStartElementNS(w, XC("s"), XC("Envelope"),
	    XC(SOAP_NS_ENVELOPE)) < 0 ||
	    xmlTextWriterWriteAttribute(w, XC("xmlns:a"), XC(SOAP_NS_WSA)) < 0 ||
	    xmlTextWriterStartElementNS(w, XC("s"), XC("Header"), NULL) < 0 ||
	    soap_write_elem(w, "a", "Action", NULL, "s:mustUnderstand", "1",
	    AD_ACTION) < 0 ||
	    xmlTextWriterStartElementNS(w, XC("h"), XC("ServerVersionInfo"),
	    XC(SOAP_NS_AD)) < 0 ||
	    soap_write_elem(w, "h", "MajorVersion", NULL, NULL, NULL, "15") < 0 ||
	    soap_write_elem(w, "h", "MinorVersion", NULL, NULL, NULL, "20") < 0 ||
	    soap_write_elem(w, "h", "MajorBuildNumber", NULL, NULL, NULL,
	    "8769") < 0 ||
	    soap_write_elem(w, "h", "MinorBuildNumber", NULL, NULL, NULL,
	    "35") < 0 ||
	    soap_write_elem(w, "h", "Version", NULL, NULL, NULL,
	    "Exchange2013_SP1") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||	/* ServerVersionInfo */
	    xmlTextWriterEndElement(w) < 0)	/* Header */
		return -1;
	return 0;
}

static int
ad_write_answer(xmlTextWriterPtr w, const struct soap_ad_request *q,
    const char *const *ews_urls, const char *top_error, const char *message)
{
	if (ad_write_header(w) < 0 ||
	    xmlTextWriterStartElementNS(w, XC("s"), XC("Body"), NULL) < 0 ||
	    xmlTextWriterStartElement(w,
	    XC("GetUserSettingsResponseMessage")) < 0 ||
	    xmlTextWriterWriteAttribute(w, XC("xmlns"), XC(SOAP_NS_AD)) < 0 ||
	    xmlTextWriterStartElement(w, XC("Response")) < 0 ||
	    xmlTextWriterWriteAttribute(w, XC("xmlns:i"), XC(NS_XSI)) < 0 ||
	    ad_el(w, "ErrorCode", top_error ? top_error : "NoError") < 0 ||
	    ad_el(w, "ErrorMessage", top_error ? message : "") < 0 ||
	    xmlTextWriterStartElement(w, XC("UserResponses")) < 0)
		return -1;
	for (size_t i = 0; top_error == NULL && i < q->nusers; i++)
		if (ad_write_user(w, q, q->users[i], ews_urls[i]) < 0)
			return -1;
	return 0;
}

char *
soap_ad_soap_answer(const struct soap_ad_request *q,
    const char *const *ews_urls, const char *top_error, const char *message,
    size_t *len)
{
	xmlBufferPtr		 buf = NULL;
	xmlTextWriterPtr	 w;

	if ((w = soap_writer_new(&buf)) == NULL)
		return NULL;
	return soap_writer_end(w, buf, ad_write_answer(w, q, ews_urls,
	    top_error, message) < 0, len);
}
