#pragma once
/// @file
/// The definitions of Registry::ifeval(), Registry::ifbench() and standard_registry(), for a
/// program built with RAIF_SEPARATE_REGISTRIES (a build-time option; verdicts are the same):
/// define the macro in every translation unit, and include this header, before any other raif
/// header, in exactly one .cpp. CMake:
///
///     file(CONFIGURE OUTPUT registries.cpp CONTENT "#include <raif/compose/registry_definitions.hpp>\n")
///     add_library(my_registries STATIC registries.cpp)
///     target_compile_definitions(my_registries PUBLIC RAIF_SEPARATE_REGISTRIES)
///     target_link_libraries(my_registries PUBLIC raif::core) # then link my_registries
///
/// Without the macro, this header is <raif/compose/leaves.hpp> (the registries are inline).

#if defined(RAIF_SEPARATE_REGISTRIES) && defined(RAIF_DETAIL_REGISTRY_DECLARED)
#error "raif: include <raif/compose/registry_definitions.hpp> before any other raif header of its .cpp"
#endif
#define RAIF_DETAIL_DEFINE_REGISTRIES
#include <raif/compose/leaves.hpp>
