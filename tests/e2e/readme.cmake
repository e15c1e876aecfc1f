# SPDX-License-Identifier: MIT
# The README's option and finding tables cannot drift from the code.
add_test(NAME e2e.readme
  COMMAND sh ${DMASAN_E2E_DIR}/readme_test.sh ${PROJECT_SOURCE_DIR}/README.md
          $<TARGET_FILE:dmasan> ${PROJECT_SOURCE_DIR}/core/bugs.def)
set_tests_properties(e2e.readme PROPERTIES LABELS e2e TIMEOUT 60)
