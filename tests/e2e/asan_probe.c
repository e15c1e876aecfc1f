/* SPDX-License-Identifier: MIT */
/*
 * A tiny program built with -fsanitize=address for the dmasan command's
 * end-to-end test: gcc links the ASan runtime dynamically, so it aborts at
 * start-up unless libasan comes first in LD_PRELOAD. It prints the
 * LD_PRELOAD it got (or "(unset)") and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	const char *preload = getenv("LD_PRELOAD");

	printf("LD_PRELOAD=%s\n", preload ? preload : "(unset)");
	return 0;
}
