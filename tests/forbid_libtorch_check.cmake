# Proves the core header verification would catch LibTorch: a TU that includes <torch/torch.h> must
# fail with cmake/forbid_libtorch.hpp, and because of the poison. -Wfatal-errors stops at the first
# poisoned macro, so this costs a fraction of a second, not a full parse of LibTorch. The control
# (the header that defines TORCH_API, without the poison) shows the include paths reach LibTorch.
string(REPLACE "|" ";" TORCH_INCLUDES "${TORCH_INCLUDES}")
set(incs)
foreach(d IN LISTS TORCH_INCLUDES)
  list(APPEND incs -I${d})
endforeach()
file(WRITE ${WORK}/torch_export.cpp "#include <torch/csrc/Export.h>\nTORCH_API int f();\n")
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only ${incs} ${WORK}/torch_export.cpp RESULT_VARIABLE control ERROR_VARIABLE e1)
if(NOT control EQUAL 0)
  message(FATAL_ERROR "control failed: LibTorch's <torch/csrc/Export.h> does not compile here\n${e1}")
endif()
file(WRITE ${WORK}/uses_torch.cpp "#include <torch/torch.h>\nint main() {}\n")
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wfatal-errors -include ${FORBID} ${incs} ${WORK}/uses_torch.cpp
                RESULT_VARIABLE poisoned ERROR_VARIABLE e2)
if(poisoned EQUAL 0)
  message(FATAL_ERROR "a TU including LibTorch compiled despite ${FORBID}")
endif()
string(FIND "${e2}" "poisoned" at)
if(at EQUAL -1)
  message(FATAL_ERROR "failed, but not because of the poison:\n${e2}")
endif()
