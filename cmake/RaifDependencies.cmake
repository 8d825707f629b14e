# Finds raif's dependencies and defines raif::re2, raif::pcre2 and (when LibTorch is available) raif::libtorch.
# Shared by the build and by the installed package config.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74 CONFIG)
find_dependency(nlohmann_json 3.10)
find_dependency(Eigen3 3.3 NO_MODULE)
find_dependency(range-v3 CONFIG) # (its version file accepts no version request)

if(NOT TARGET raif::re2)
  find_package(re2 CONFIG QUIET)
  if(TARGET re2::re2)
    add_library(raif::re2 INTERFACE IMPORTED)
    target_link_libraries(raif::re2 INTERFACE re2::re2)
  else()
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(RAIF_RE2 REQUIRED IMPORTED_TARGET GLOBAL re2)
    add_library(raif::re2 INTERFACE IMPORTED)
    target_link_libraries(raif::re2 INTERFACE PkgConfig::RAIF_RE2)
  endif()
endif()

# PCRE2 (8-bit): the fallback for the Python regular expressions RE2 cannot run with Python's
# meaning (backreferences, lookaround, ...; text/pattern.hpp). Its CMake package (PCRE2 >= 10.43)
# when there is one, else pkg-config (Debian's libpcre2-dev 10.42 ships only the .pc files).
if(NOT TARGET raif::pcre2)
  find_package(PCRE2 CONFIG QUIET COMPONENTS 8BIT)
  if(TARGET PCRE2::8BIT)
    add_library(raif::pcre2 INTERFACE IMPORTED)
    target_link_libraries(raif::pcre2 INTERFACE PCRE2::8BIT)
  else()
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(RAIF_PCRE2 REQUIRED IMPORTED_TARGET GLOBAL libpcre2-8)
    add_library(raif::pcre2 INTERFACE IMPORTED)
    target_link_libraries(raif::pcre2 INTERFACE PkgConfig::RAIF_PCRE2)
  endif()
endif()

# utf8proc: NFC normalisation for tokenizers that ask for it (Qwen2's tokenizer.json).
if(NOT TARGET raif::utf8proc)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(RAIF_UTF8PROC REQUIRED IMPORTED_TARGET GLOBAL libutf8proc)
  add_library(raif::utf8proc INTERFACE IMPORTED)
  target_link_libraries(raif::utf8proc INTERFACE PkgConfig::RAIF_UTF8PROC)
endif()

# {fmt}: the trainer's numbers and reports.
find_dependency(fmt 9 CONFIG)

# toml++: the trainer's configuration files.
if(NOT TARGET raif::tomlplusplus)
  find_package(tomlplusplus 3 CONFIG REQUIRED)
  add_library(raif::tomlplusplus INTERFACE IMPORTED)
  target_link_libraries(raif::tomlplusplus INTERFACE tomlplusplus::tomlplusplus)
endif()

if(NOT DEFINED RAIF_WITH_TORCH)
  set(RAIF_WITH_TORCH AUTO)
endif()
set(RAIF_HAVE_TORCH OFF)
set(RAIF_LIBTORCH_WHEEL "" CACHE PATH
    "A CPU LibTorch unpacked from PyPI's torch wheel by scripts/libtorch-wheel.sh (empty: find_package(Torch))")
if(RAIF_LIBTORCH_WHEEL AND NOT RAIF_WITH_TORCH STREQUAL "OFF" AND NOT TARGET raif::libtorch)
  # The wheel's TorchConfig.cmake demands the CUDA toolkit (the wheel is built with CUDA), so its
  # CPU libraries are imported directly. Its headers carry fmt 12, which shadows Debian's fmt 9 on
  # the include path: with LibTorch comes fmt header-only (FMT_HEADER_ONLY; libfmt.so goes unused).
  # NO_CACHE: another RAIF_LIBTORCH_WHEEL on reconfiguring takes that folder's libraries.
  find_library(RAIF_WHEEL_TORCH_CPU torch_cpu PATHS ${RAIF_LIBTORCH_WHEEL}/lib NO_DEFAULT_PATH NO_CACHE REQUIRED)
  find_library(RAIF_WHEEL_C10 c10 PATHS ${RAIF_LIBTORCH_WHEEL}/lib NO_DEFAULT_PATH NO_CACHE REQUIRED)
  set(RAIF_TORCH_INCLUDE_DIRS ${RAIF_LIBTORCH_WHEEL}/include ${RAIF_LIBTORCH_WHEEL}/include/torch/csrc/api/include)
  add_library(raif::libtorch INTERFACE IMPORTED)
  target_link_libraries(raif::libtorch INTERFACE ${RAIF_WHEEL_TORCH_CPU} ${RAIF_WHEEL_C10} fmt::fmt-header-only)
  target_include_directories(raif::libtorch SYSTEM INTERFACE ${RAIF_TORCH_INCLUDE_DIRS})
  target_compile_definitions(raif::libtorch INTERFACE _GLIBCXX_USE_CXX11_ABI=1)
  # The CUDA runtime and CUPTI beside libtorch_cpu (it loads them even without a GPU).
  target_link_options(raif::libtorch INTERFACE "LINKER:-rpath,${RAIF_LIBTORCH_WHEEL}/lib")
  set(RAIF_HAVE_TORCH ON)
  message(STATUS "raif: LibTorch (CPU) from the torch wheel in ${RAIF_LIBTORCH_WHEEL}")
elseif(NOT RAIF_WITH_TORCH STREQUAL "OFF" AND NOT TARGET raif::libtorch)
  if(RAIF_WITH_TORCH STREQUAL "ON")
    find_package(Torch REQUIRED)
  else()
    find_package(Torch QUIET)
  endif()
  if(TORCH_LIBRARIES)
    set(RAIF_TORCH_INCLUDE_DIRS ${TORCH_INCLUDE_DIRS})
    add_library(raif::libtorch INTERFACE IMPORTED)
    target_link_libraries(raif::libtorch INTERFACE ${TORCH_LIBRARIES})
    target_include_directories(raif::libtorch INTERFACE ${TORCH_INCLUDE_DIRS})
    # A LibTorch that carries its own {fmt} headers (the PyPI wheel's, fmt 12) shadows the system's:
    # then fmt is header-only, as in the RAIF_LIBTORCH_WHEEL branch above.
    list(GET TORCH_INCLUDE_DIRS 0 _raif_torch_include)
    get_target_property(_raif_fmt_include fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
    if(EXISTS "${_raif_torch_include}/fmt/core.h" AND NOT "${_raif_torch_include}" IN_LIST _raif_fmt_include)
      target_link_libraries(raif::libtorch INTERFACE fmt::fmt-header-only)
    endif()
    set(RAIF_HAVE_TORCH ON)
  endif()
elseif(TARGET raif::libtorch) # defined by the including project (raifConfig.cmake's consumers)
  set(RAIF_HAVE_TORCH ON)
endif()
if(RAIF_TORCH_INCLUDE_DIRS)
  # c10d with Gloo (trainer/distributed.hpp): LibTorch's distributed headers, which compile only
  # with USE_DISTRIBUTED and USE_C10D_GLOO defined, and Gloo's (Debian: libgloo-dev). PyPI's
  # wheel ships no Gloo headers: Debian's are used with it (docs/building.md says what was tested).
  find_path(RAIF_C10D_INCLUDE_DIR torch/csrc/distributed/c10d/ProcessGroupGloo.hpp HINTS ${RAIF_TORCH_INCLUDE_DIRS})
  find_path(RAIF_GLOO_INCLUDE_DIR gloo/config.h HINTS ${RAIF_TORCH_INCLUDE_DIRS})
  if(RAIF_C10D_INCLUDE_DIR AND RAIF_GLOO_INCLUDE_DIR)
    target_include_directories(raif::libtorch INTERFACE ${RAIF_GLOO_INCLUDE_DIR})
    target_compile_definitions(raif::libtorch INTERFACE USE_DISTRIBUTED USE_C10D_GLOO RAIF_HAVE_C10D=1)
    set(RAIF_HAVE_C10D ON)
    # NCCL for CUDA tensors: a LibTorch built with it (the PyPI wheel's torch_cuda carries
    # USE_C10D_NCCL) and the nccl.h of the NCCL it was built with: ProcessGroupNCCL's inline
    # Options embed ncclConfig_t, which grows between releases. The nvidia-nccl wheel beside torch
    # comes first, then the CUDA toolkit's; a pip-installed torch names its NCCL in its METADATA,
    # checked here, and raif checks the major.minor against LibTorch's again at run time.
    set(RAIF_HAVE_NCCL OFF)
    if(TARGET torch_cuda)
      get_target_property(_raif_cuda_definitions torch_cuda INTERFACE_COMPILE_DEFINITIONS)
      if("USE_C10D_NCCL" IN_LIST _raif_cuda_definitions)
        get_filename_component(_raif_site "${RAIF_C10D_INCLUDE_DIR}/../.." ABSOLUTE)
        # Searched afresh at each configure (NO_CACHE), so that installing the right header is seen;
        # a RAIF_NCCL_INCLUDE_DIR given by the user wins.
        if(RAIF_NCCL_INCLUDE_DIR)
          set(_raif_nccl_dir "${RAIF_NCCL_INCLUDE_DIR}")
        else()
          unset(_raif_nccl_dir)
          find_path(_raif_nccl_dir nccl.h PATHS ${_raif_site}/nvidia/nccl/include ${_raif_site}/nvidia/cu13/include
                    ${_raif_site}/nvidia/cu12/include NO_DEFAULT_PATH NO_CACHE)
          if(NOT _raif_nccl_dir)
            find_path(_raif_nccl_dir nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include NO_CACHE)
          endif()
        endif()
        set(_raif_nccl_problem "")
        string(REGEX REPLACE "/+$" "" _raif_nccl_dir "${_raif_nccl_dir}")
        if(NOT _raif_nccl_dir)
          set(_raif_nccl_problem "nccl.h was not found (set RAIF_NCCL_INCLUDE_DIR)")
        else()
          file(STRINGS "${_raif_nccl_dir}/nccl.h" _raif_nccl_lines REGEX "^#define NCCL_(MAJOR|MINOR) ")
          string(REGEX REPLACE ".*NCCL_MAJOR ([0-9]+).*NCCL_MINOR ([0-9]+).*" "\\1.\\2" _raif_nccl_h "${_raif_nccl_lines}")
          file(GLOB _raif_torch_metadata "${_raif_site}/torch-${Torch_VERSION}*.dist-info/METADATA")
          if(NOT _raif_nccl_h MATCHES "^[0-9]+\\.[0-9]+$")
            set(_raif_nccl_problem "${_raif_nccl_dir}/nccl.h has no NCCL_MAJOR/NCCL_MINOR")
          elseif(_raif_torch_metadata)
            list(GET _raif_torch_metadata 0 _raif_torch_metadata)
            file(STRINGS "${_raif_torch_metadata}" _raif_nccl_pin REGEX "^Requires-Dist: nvidia-nccl")
            if(_raif_nccl_pin MATCHES "(nvidia-nccl[a-z0-9-]*)==(([0-9]+)\\.([0-9]+)[0-9.]*)")
              if(NOT "${CMAKE_MATCH_3}.${CMAKE_MATCH_4}" STREQUAL _raif_nccl_h)
                string(CONCAT _raif_nccl_problem "${_raif_nccl_dir}/nccl.h is NCCL ${_raif_nccl_h}, torch's is "
                       "${CMAKE_MATCH_2} (pip install ${CMAKE_MATCH_1}==${CMAKE_MATCH_2}, or set RAIF_NCCL_INCLUDE_DIR)")
              endif()
            endif()
          endif()
        endif()
        if(_raif_nccl_problem)
          message(STATUS "raif: LibTorch has NCCL, but ${_raif_nccl_problem}: CUDA tensors go through Gloo")
        else()
          target_include_directories(raif::libtorch SYSTEM INTERFACE ${_raif_nccl_dir})
          target_compile_definitions(raif::libtorch INTERFACE RAIF_HAVE_NCCL=1)
          set(RAIF_HAVE_NCCL ON)
          message(STATUS "raif: data parallelism: NCCL ${_raif_nccl_h} for CUDA tensors (${_raif_nccl_dir}/nccl.h)")
        endif()
      endif()
    endif()
  else()
    message(STATUS "raif: no c10d/Gloo headers (libgloo-dev): data parallelism off (one process only)")
    set(RAIF_HAVE_C10D OFF)
  endif()
endif()
