# Header-set verification: every public header compiles on its own. Core headers are compiled with
# LibTorch's export macros poisoned (cmake/forbid_libtorch.hpp), so a core header that reaches
# LibTorch, directly or through another header, fails the build.
set(_torch_dirs objective model tokenizer rollout trainer)
# advantage/ holds the CPU (Eigen) estimators now; its LibTorch headers will be listed here by name.
set(_torch_headers raif/advantage/tensor.hpp raif/advantage/tokens.hpp)
# Torch-free headers inside torch folders (parsers the fuzz targets reach without LibTorch): verified
# as core headers, so one that starts to include LibTorch fails here, not only in the fuzz build.
set(_core_headers_in_torch_dirs raif/model/safetensors_header.hpp raif/model/qwen2_config.hpp)
file(GLOB_RECURSE _headers RELATIVE ${PROJECT_SOURCE_DIR}/include CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/raif/*.hpp)
set(_core_srcs)
set(_torch_srcs)
foreach(h IN LISTS _headers)
  string(MAKE_C_IDENTIFIER ${h} _id)
  set(_src ${PROJECT_BINARY_DIR}/verify_headers/${_id}.cpp)
  file(CONFIGURE OUTPUT ${_src} CONTENT "#include <${h}>\n#include <${h}> // twice: include guards\n")
  set(_is_torch OFF)
  foreach(d IN LISTS _torch_dirs)
    if(h MATCHES "^raif/${d}/" OR h STREQUAL "raif/torch.hpp")
      set(_is_torch ON)
    endif()
  endforeach()
  if(h IN_LIST _torch_headers)
    set(_is_torch ON)
  endif()
  if(h IN_LIST _core_headers_in_torch_dirs)
    set(_is_torch OFF)
  endif()
  if(_is_torch)
    list(APPEND _torch_srcs ${_src})
  else()
    list(APPEND _core_srcs ${_src})
  endif()
endforeach()
# Folders form a DAG (cmake/RaifIncludeDag.cmake): checked whenever a header changes, and the header
# verification waits for it, so a folder-level include cycle fails the build.
list(TRANSFORM _headers PREPEND ${PROJECT_SOURCE_DIR}/include/ OUTPUT_VARIABLE _header_paths)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/verify_headers/include_dag.stamp
                   COMMAND ${CMAKE_COMMAND} -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
                           -DSTAMP=${PROJECT_BINARY_DIR}/verify_headers/include_dag.stamp
                           -P ${PROJECT_SOURCE_DIR}/cmake/RaifIncludeDag.cmake
                   DEPENDS ${_header_paths} ${PROJECT_SOURCE_DIR}/cmake/RaifIncludeDag.cmake
                   COMMENT "Checking that the folders of include/raif/ form a DAG" VERBATIM)
add_custom_target(raif_verify_include_dag ALL DEPENDS ${PROJECT_BINARY_DIR}/verify_headers/include_dag.stamp)
add_library(raif_verify_core_headers OBJECT ${_core_srcs})
add_dependencies(raif_verify_core_headers raif_verify_include_dag)
target_link_libraries(raif_verify_core_headers PRIVATE raif_core raif_warnings)
target_compile_options(raif_verify_core_headers PRIVATE -include ${PROJECT_SOURCE_DIR}/cmake/forbid_libtorch.hpp)
# With the registries declared, not defined (RAIF_SEPARATE_REGISTRIES): a header that reaches the
# inline definitions makes the compiler instantiate all 91 constraint types (18 s for leaves.hpp
# alone, 13 s without). registry_definitions.hpp's unit is compiled header-only (-U), so the inline
# bodies are still checked here once (in separate mode that unit would generate their code: 69 s);
# raif_registries compiles them out of line, and package.consumer calls all three inline.
target_compile_definitions(raif_verify_core_headers PRIVATE RAIF_SEPARATE_REGISTRIES)
set_source_files_properties(${PROJECT_BINARY_DIR}/verify_headers/raif_compose_registry_definitions_hpp.cpp
                            PROPERTIES COMPILE_OPTIONS -URAIF_SEPARATE_REGISTRIES)
if(_torch_srcs AND RAIF_HAVE_TORCH)
  add_library(raif_verify_torch_headers OBJECT ${_torch_srcs})
  target_link_libraries(raif_verify_torch_headers PRIVATE raif_torch raif_warnings)
  target_compile_definitions(raif_verify_torch_headers PRIVATE RAIF_SEPARATE_REGISTRIES) # as above
  # LibTorch costs ~20 s per TU on 2 cores: precompile it once for this target. (A torch-layer
  # header that forgets to include raif/torch.hpp is then not caught here; the tests still compile
  # each torch header in its own TU's include order.)
  target_precompile_headers(raif_verify_torch_headers PRIVATE <torch/torch.h>)
endif()
