# Load tests (issue 14; docs/performance.md, "Streaming load"): raif-ifeval and raif-score stream,
# so their peak RSS on a 200,000-line input must stay within a fixed cap of their peak RSS on a
# 20,000-line one (tests/load_stream.cmake says how the caps were derived). A few seconds each; the
# full 1M-line benchmark is benchmarks/load.sh. Skipped without /usr/bin/time (GNU time).
if(RAIF_BUILD_EXAMPLES)
  foreach(tool raif-ifeval raif-score)
    string(REPLACE "-" "_" name ${tool})
    add_test(NAME load.${name}_bounded_rss
             COMMAND ${CMAKE_COMMAND} -DTOOL=${tool} -DPROGRAM=$<TARGET_FILE:${tool}>
                     -DWORK=${CMAKE_CURRENT_BINARY_DIR}/load_${name} -P ${CMAKE_CURRENT_SOURCE_DIR}/load_stream.cmake)
    set_tests_properties(load.${name}_bounded_rss PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:" TIMEOUT 300)
  endforeach()
endif()
