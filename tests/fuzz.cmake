# Short libFuzzer runs (docs/reliability.md; the long ones: scripts/fuzz.sh --runs 1000000).
# fuzz.build configures and builds fuzz/ with Clang into fuzz-build/ (fixture raif_fuzz); then each
# fuzz.<target> replays its committed seed corpus (every regression-* input among it) and fuzzes on
# for RAIF_FUZZ_SECONDS with a fixed seed, failing on any finding. The fixed seed keeps the suite
# deterministic up to machine speed: a new finding comes from a long campaign (scripts/fuzz.sh,
# random seeds), gets fixed, and its input is committed, rather than failing CI at random.
# Without clang++-14 and its libFuzzer runtime (Debian: clang-14 libclang-rt-14-dev) every fuzz.*
# test reports Skipped with that reason.
find_program(RAIF_FUZZ_CXX NAMES clang++-14 DOC "Clang for the fuzz targets (fuzz/)")
set(RAIF_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzz.<target> test fuzzes")

set(_raif_fuzz_skip "")
if(NOT RAIF_FUZZ_CXX)
  set(_raif_fuzz_skip "no clang++-14 (Debian: apt-get install clang-14 libclang-rt-14-dev)")
else()
  execute_process(COMMAND ${RAIF_FUZZ_CXX} -print-runtime-dir OUTPUT_VARIABLE _raif_fuzz_rt
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  file(GLOB _raif_fuzz_libs "${_raif_fuzz_rt}/libclang_rt.fuzzer*.a")
  if(NOT _raif_fuzz_libs)
    set(_raif_fuzz_skip "${RAIF_FUZZ_CXX} has no libFuzzer runtime in '${_raif_fuzz_rt}' (Debian: libclang-rt-14-dev)")
  endif()
endif()

set(_raif_fuzz_dir ${CMAKE_BINARY_DIR}/fuzz-build)
file(GLOB _raif_fuzz_targets CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/targets/*.cpp)
if(_raif_fuzz_skip)
  set(_raif_fuzz_build_cmd ${CMAKE_COMMAND} -E echo "SKIPPED: ${_raif_fuzz_skip}")
else()
  set(_raif_fuzz_build_cmd ${CMAKE_COMMAND} -E env RAIF_FUZZ_CXX=${RAIF_FUZZ_CXX}
      RAIF_FUZZ_CMAKE_ARGS=-DRAIF_FUZZ_QUICK_BUILD=ON # CI time (fuzz/CMakeLists.txt)
      bash ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh --build-dir ${_raif_fuzz_dir} --build-only)
endif()
add_test(NAME fuzz.build COMMAND ${_raif_fuzz_build_cmd})
# The build is the long part (one sanitized executable per target): start it first.
set_tests_properties(fuzz.build PROPERTIES FIXTURES_SETUP raif_fuzz SKIP_REGULAR_EXPRESSION "SKIPPED: "
                                           TIMEOUT 1800 COST 1000 LABELS fuzz)
foreach(_src IN LISTS _raif_fuzz_targets)
  get_filename_component(_name ${_src} NAME_WE)
  if(_raif_fuzz_skip)
    add_test(NAME fuzz.${_name} COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: ${_raif_fuzz_skip}")
  else()
    add_test(NAME fuzz.${_name} COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh --build-dir ${_raif_fuzz_dir}
                                        --no-build --seed 1 --time ${RAIF_FUZZ_SECONDS} ${_name})
  endif()
  set_tests_properties(fuzz.${_name} PROPERTIES FIXTURES_REQUIRED raif_fuzz SKIP_REGULAR_EXPRESSION "SKIPPED: "
                                                TIMEOUT 300 LABELS fuzz)
endforeach()
