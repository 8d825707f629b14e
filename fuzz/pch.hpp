// The headers most fuzz targets include, precompiled once (RAIF_FUZZ_PCH in fuzz/CMakeLists.txt).
#pragma once
#include <raif/constraint/ifeval.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>
