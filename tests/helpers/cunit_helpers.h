/* SPDX-License-Identifier: MIT */
/*
 * CUnit glue shared by the unit suites: DMASAN_CU_MAIN(suites) defines a
 * main() that registers a CU_SuiteInfo table, runs it verbosely and
 * returns non-zero when any test failed (CUnit's CU_get_error() does
 * not), and DMASAN_ASSERT_FATAL adds abort() for static analysers.
 */
#ifndef DMASAN_TESTS_CUNIT_HELPERS_H
#define DMASAN_TESTS_CUNIT_HELPERS_H

#include <stdlib.h>
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#define DMASAN_ASSERT_FATAL(cond)     \
	do {                          \
		int ok_ = !!(cond);   \
		CU_ASSERT_FATAL(ok_); \
		if (!ok_)             \
			abort();      \
	} while (0)

#define DMASAN_CU_MAIN(suites)                                   \
	int main(void)                                           \
	{                                                        \
		unsigned int nf;                                 \
		if (CU_initialize_registry() != CUE_SUCCESS)     \
			return 2;                                \
		if (CU_register_suites(suites) != CUE_SUCCESS) { \
			CU_cleanup_registry();                   \
			return 2;                                \
		}                                                \
		CU_basic_set_mode(CU_BRM_VERBOSE);               \
		CU_basic_run_tests();                            \
		nf = CU_get_number_of_failures();                \
		if (CU_get_number_of_tests_run() == 0)           \
			nf = 1;                                  \
		CU_cleanup_registry();                           \
		return nf ? 1 : 0;                               \
	}

#endif /* DMASAN_TESTS_CUNIT_HELPERS_H */
