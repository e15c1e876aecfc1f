/* SPDX-License-Identifier: MIT */
/*
 * The finding catalogue's table, expanded from core/bugs.def. Read-only,
 * no locking.
 */
#include <string.h>
#include "core/finding.h"

const struct bug_info bug_table[BUG_COUNT] = {
#define DMASAN_BUG(e, id, sev, desc) [BUG_##e] = { id, SEV_##sev, desc },
#include "core/bugs.def"
#undef DMASAN_BUG
};

int bug_from_id(const char *id)
{
	int i;

	if (!id)
		return -1;
	for (i = 0; i < BUG_COUNT; i++)
		if (strcmp(bug_table[i].id, id) == 0)
			return i;
	return -1;
}

const char *bug_severity_name(enum bug_severity sev)
{
	return sev == SEV_WARNING ? "warning" : "error";
}
