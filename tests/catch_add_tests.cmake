# Replaces Catch2 v2's CatchAddTests.cmake (tests/CMakeLists.txt points catch_discover_tests at it):
# that script splits the list of test names on ';' like any CMake list, so a case named "a; b"
# became a test of "a", which matched no case and passed having run nothing. Here each discovered
# case gets a one-line file with its exact name (escaped as a test spec), passed with Catch's --input-file, so any name
# works. Reads the variables catch_discover_tests passes (TEST_EXECUTABLE, TEST_PREFIX, ...).

execute_process(COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${TEST_SPEC} --list-test-names-only
                OUTPUT_VARIABLE output RESULT_VARIABLE result WORKING_DIRECTORY "${TEST_WORKING_DIR}")
if(NOT result MATCHES "^[0-9]+$" OR result EQUAL 0) # Catch returns the number of cases it listed
  message(FATAL_ERROR "listing the cases of ${TEST_EXECUTABLE} failed (${result}):\n${output}")
endif()

get_filename_component(spec_dir "${CTEST_FILE}" DIRECTORY)
set(spec_dir "${spec_dir}/${TEST_TARGET}_cases")
file(REMOVE_RECURSE "${spec_dir}")
file(MAKE_DIRECTORY "${spec_dir}")

set(args)
foreach(a IN LISTS TEST_EXTRA_ARGS)
  string(APPEND args " [==[${a}]==]")
endforeach()
set(properties)
foreach(p IN LISTS TEST_PROPERTIES)
  string(APPEND properties " [==[${p}]==]")
endforeach()

# ';' separates CMake list items and brackets suspend that: keep all three out of the split.
string(REPLACE ";" "<semicolon>" output "${output}")
string(REPLACE "[" "<open>" output "${output}")
string(REPLACE "]" "<close>" output "${output}")
string(REPLACE "\n" ";" lines "${output}")
set(script)
set(tests)
set(n 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "<semicolon>" ";" name "${line}")
  string(REPLACE "<open>" "[" name "${name}")
  string(REPLACE "<close>" "]" name "${name}")
  math(EXPR n "${n} + 1")
  # Catch's test-spec escapes; the file's lines are names, not tag expressions.
  set(spec "${name}")
  foreach(c \\ , [ ])
    string(REPLACE "${c}" "\\${c}" spec "${spec}")
  endforeach()
  file(WRITE "${spec_dir}/${n}.txt" "${spec}\n")
  set(test "${TEST_PREFIX}${name}${TEST_SUFFIX}")
  string(APPEND script "add_test([==[${test}]==] ${TEST_EXECUTOR} [==[${TEST_EXECUTABLE}]==] --input-file "
                       "[==[${spec_dir}/${n}.txt]==]${args})\n"
                       "set_tests_properties([==[${test}]==] PROPERTIES WORKING_DIRECTORY "
                       "[==[${TEST_WORKING_DIR}]==]${properties})\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
