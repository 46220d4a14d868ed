/*
 * Operations by effect (office365.md §3.6): the ones that change a
 * mailbox or send mail. Nothing may replay them on its own, so the
 * gateway keeps their upstream connections from the one case where
 * libcurl does (see net.h, fetch_reuse_max_idle).
 */
#include <stdlib.h>
#include <string.h>

#include "soap/soap.h"

/* Sorted for bsearch (strcmp order). */
static const char *const soap_writes[] = {
	"AddDelegate", "AddDistributionGroupToImList", "AddImContactToGroup",
	"AddImGroup", "AddNewImContactToGroup", "AddNewTelUriContactToGroup",
	"ApplyConversationAction", "ArchiveItem", "CopyFolder", "CopyItem",
	"CreateAttachment", "CreateFolder", "CreateFolderPath", "CreateItem",
	"CreateManagedFolder", "CreateUserConfiguration", "DeleteAttachment",
	"DeleteFolder", "DeleteItem", "DeleteUserConfiguration", "DisableApp",
	"DisconnectPhoneCall", "EmptyFolder", "InstallApp",
	"MarkAllItemsAsRead", "MarkAsJunk", "MoveFolder", "MoveItem",
	"PerformReminderAction", "PlayOnPhone", "RefreshSharingFolder",
	"RemoveContactFromImList", "RemoveDelegate",
	"RemoveDistributionGroupFromImList", "RemoveImContactFromGroup",
	"RemoveImGroup", "SendItem", "SetHoldOnMailboxes", "SetImGroup",
	"SetUserOofSettings", "UninstallApp", "UpdateDelegate",
	"UpdateFolder", "UpdateInboxRules", "UpdateItem",
	"UpdateUserConfiguration", "UploadItems",
};

static int
soap_cmp(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

int
soap_operation_writes(const char *op)
{
	return op != NULL && bsearch(op, soap_writes,
	    sizeof(soap_writes) / sizeof(soap_writes[0]),
	    sizeof(soap_writes[0]), soap_cmp) != NULL;
}
