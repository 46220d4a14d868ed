/*
 * POX Autodiscover answers (office365.md 4.2): the settings that point an
 * EWS client at the gateway, or an <Error>. Default namespaces exactly as
 * Exchange writes them; the EWS Managed API takes ExternalEwsUrl from
 * EXPR and InternalEwsUrl from EXCH, so both name the gateway.
 */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "soap/soap.h"
#include "soap/soap_int.h"

/* The protocols ewsgw announces: EWS only, never OWA or MAPI (they would
 * send the client around the gateway). */
static const struct {
	const char	*type;
	int		 ssl;		/* writes <SSL> */
} ad_pox_protocols[] = {
	{ "EXCH", 0 },
	{ "EXPR", 1 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* <NAME xmlns="NS"> */
static int
ad_pox_open(xmlTextWriterPtr w, const char *name, const char *ns)
{
	return xmlTextWriterStartElement(w, XC(name)) < 0 ||
	    (ns != NULL && xmlTextWriterWriteAttribute(w, XC("xmlns"),
	    XC(ns)) < 0) ? -1 : 0;
}

static int
ad_pox_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	return soap_write_elem(w, NULL, name, NULL, NULL, NULL, text);
}

static int
ad_pox_protocol(xmlTextWriterPtr w, size_t i, const char *ews_url,
    const char *server, int ssl)
{
	if (xmlTextWriterStartElement(w, XC("Protocol")) < 0 ||
	    ad_pox_el(w, "Type", ad_pox_protocols[i].type) < 0 ||
	    ad_pox_el(w, "Server", server) < 0 ||
	    (ad_pox_protocols[i].ssl &&
	    ad_pox_el(w, "SSL", ssl ? "On" : "Off") < 0) ||
	    ad_pox_el(w, "AuthPackage", "basic") < 0 ||
	    ad_pox_el(w, "ASUrl", ews_url) < 0 ||
	    ad_pox_el(w, "EwsUrl", ews_url) < 0 ||
	    ad_pox_el(w, "OOFUrl", ews_url) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

static int
ad_pox_write_settings(xmlTextWriterPtr w, const char *address,
    const char *ews_url, const char *server, int ssl)
{
	if (ad_pox_open(w, "Autodiscover", SOAP_NS_AD_POX) < 0 ||
	    ad_pox_open(w, "Response", SOAP_NS_AD_OUTLOOK) < 0 ||
	    xmlTextWriterStartElement(w, XC("User")) < 0 ||
	    ad_pox_el(w, "DisplayName", address) < 0 ||
	    ad_pox_el(w, "AutoDiscoverSMTPAddress", address) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, XC("Account")) < 0 ||
	    ad_pox_el(w, "AccountType", "email") < 0 ||
	    ad_pox_el(w, "Action", "settings") < 0)
		return -1;
	for (size_t i = 0; i < NELEM(ad_pox_protocols); i++)
		if (ad_pox_protocol(w, i, ews_url, server, ssl) < 0)
			return -1;
	return 0;
}

char *
soap_ad_pox_settings(const char *address, const char *ews_url,
    const char *server, int ssl, size_t *len)
{
	xmlBufferPtr		 buf = NULL;
	xmlTextWriterPtr	 w;

	if ((w = soap_writer_new(&buf)) == NULL)
		return NULL;
	return soap_writer_end(w, buf, ad_pox_write_settings(w, address,
	    ews_url, server, ssl) < 0, len);
}

static int
ad_pox_write_error(xmlTextWriterPtr w, int code, const char *message)
{
	struct timeval	 tv;
	struct tm	 tm;
	char		 when[32], id[16], num[16];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(when, sizeof(when), "%02d:%02d:%02d.%07ld", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)tv.tv_usec * 10);
	/* Exchange's Id is a number that names the server's log entry. */
	snprintf(id, sizeof(id), "%lu", (unsigned long)tv.tv_sec % 4000000000UL);
	snprintf(num, sizeof(num), "%d", code);
	if (ad_pox_open(w, "Autodiscover", SOAP_NS_AD_POX) < 0 ||
	    xmlTextWriterStartElement(w, XC("Response")) < 0 ||
	    xmlTextWriterStartElement(w, XC("Error")) < 0 ||
	    xmlTextWriterWriteAttribute(w, XC("Time"), XC(when)) < 0 ||
	    xmlTextWriterWriteAttribute(w, XC("Id"), XC(id)) < 0 ||
	    ad_pox_el(w, "ErrorCode", num) < 0 ||
	    ad_pox_el(w, "Message", message) < 0 ||
	    ad_pox_el(w, "DebugData", "") < 0)
		return -1;
	return 0;
}

char *
soap_ad_pox_error(int code, const char *message, size_t *len)
{
	xmlBufferPtr		 buf = NULL;
	xmlTextWriterPtr	 w;

	if ((w = soap_writer_new(&buf)) == NULL)
		return NULL;
	return soap_writer_end(w, buf, ad_pox_write_error(w, code, message) <
	    0, len);
}
