/* Which EWS operations write (office365.md §3.6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "soap/soap.h"

static void
test_writes(void **state)
{
	const char *writes[] = { "CreateItem", "UpdateItem", "DeleteItem",
	    "SendItem", "MoveItem", "CopyItem", "ArchiveItem",
	    "MarkAllItemsAsRead", "MarkAsJunk", "CreateAttachment",
	    "DeleteAttachment", "CreateFolder", "CreateFolderPath",
	    "CreateManagedFolder", "UpdateFolder", "DeleteFolder",
	    "EmptyFolder", "MoveFolder", "CopyFolder", "UploadItems",
	    "SetUserOofSettings", "AddDelegate", "UpdateDelegate",
	    "RemoveDelegate", "UpdateInboxRules", "CreateUserConfiguration",
	    "UpdateUserConfiguration", "DeleteUserConfiguration",
	    "ApplyConversationAction", "PerformReminderAction",
	    "RefreshSharingFolder", "SetHoldOnMailboxes", "InstallApp",
	    "UninstallApp", "DisableApp", "PlayOnPhone", "DisconnectPhoneCall",
	    "AddNewImContactToGroup", "AddImContactToGroup", "AddImGroup",
	    "AddNewTelUriContactToGroup", "AddDistributionGroupToImList",
	    "RemoveContactFromImList", "RemoveImContactFromGroup",
	    "RemoveDistributionGroupFromImList", "RemoveImGroup",
	    "SetImGroup" };
	const char *reads[] = { "GetItem", "FindItem", "GetFolder",
	    "FindFolder", "GetAttachment", "ResolveNames", "ConvertId",
	    "ExportItems", "SyncFolderItems", "SyncFolderHierarchy",
	    "Subscribe", "Unsubscribe", "GetEvents", "GetStreamingEvents",
	    "GetUserAvailability", "SendNotification", "createitem",
	    "CreateItems", "Create", "", "ZZZ", "AAA" };

	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		assert_int_equal(soap_operation_writes(writes[i]), 1);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		assert_int_equal(soap_operation_writes(reads[i]), 0);
	assert_int_equal(soap_operation_writes(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
