# The folder-DAG check (cmake/RaifIncludeDag.cmake) catches what it is for: synthetic include trees
# with a direct cycle, a cycle through a third folder, and detail/ reaching up must fail, naming the
# culprit include; an acyclic tree of the same shape must pass.
#   cmake -DCHECK=<RaifIncludeDag.cmake> -DWORK=<scratch dir> -P include_dag_check.cmake

function(make_tree name)
  set(root ${WORK}/${name})
  file(REMOVE_RECURSE ${root})
  foreach(edge IN LISTS ARGN) # "from/file.hpp:to/file.hpp"; an empty target makes a lone header
    string(REPLACE ":" ";" pair "${edge}")
    list(GET pair 0 from)
    list(LENGTH pair n)
    file(APPEND ${root}/raif/${from} "#pragma once\n")
    if(n EQUAL 2)
      list(GET pair 1 to)
      file(APPEND ${root}/raif/${from} "#include <raif/${to}>\n")
      file(APPEND ${root}/raif/${to} "")
    endif()
  endforeach()
endfunction()

function(expect name outcome pattern)
  execute_process(COMMAND ${CMAKE_COMMAND} -DINCLUDE_DIR=${WORK}/${name} -P ${CHECK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \t\r\n]+" " " err "${err}") # CMake wraps long messages
  if(outcome STREQUAL "pass" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: expected the check to pass, it failed:\n${err}")
  elseif(outcome STREQUAL "fail")
    if(rc EQUAL 0)
      message(FATAL_ERROR "${name}: expected the check to fail, it passed")
    endif()
    if(NOT err MATCHES "${pattern}")
      message(FATAL_ERROR "${name}: the check failed without naming '${pattern}':\n${err}")
    endif()
  endif()
  message(STATUS "${name}: ${outcome} as expected")
endfunction()

# judge/ below compose/ and reward/, detail/ below all, umbrellas on top: a DAG.
make_tree(dag compose/leaves.hpp:judge/judge.hpp reward/batch.hpp:compose/node.hpp
          reward/batch.hpp:judge/judge.hpp judge/judge.hpp:error.hpp compose/chain.hpp:detail/visit_at.hpp
          detail/json_answer.hpp:text/strip.hpp text/strip.hpp:text/detail/tables.hpp
          raif.hpp:reward/batch.hpp)
expect(dag pass "")

# The cycle this check was written for: compose/leaves.hpp reached into reward/.
make_tree(direct compose/leaves.hpp:reward/judge.hpp reward/batch.hpp:compose/node.hpp raif.hpp:reward/batch.hpp)
expect(direct fail "include cycle.*compose -> reward: raif/compose/leaves.hpp includes <raif/reward/judge.hpp>.*reward -> compose")

# A longer cycle: a -> b -> c -> a, with a bystander d -> a that must not be blamed.
make_tree(triangle a/x.hpp:b/y.hpp b/y.hpp:c/z.hpp c/z.hpp:a/w.hpp d/v.hpp:a/x.hpp)
expect(triangle fail "a -> b: .*b -> c: .*c -> a: ")
execute_process(COMMAND ${CMAKE_COMMAND} -DINCLUDE_DIR=${WORK}/triangle -P ${CHECK} ERROR_VARIABLE err)
if(err MATCHES "d -> a")
  message(FATAL_ERROR "triangle: blamed d/, which only includes the cycle:\n${err}")
endif()

# A subfolder belongs to its folder: text/detail/ including text/ is no cycle, but text/detail/
# including compose/ closes one through text/.
make_tree(subfolder compose/a.hpp:text/b.hpp text/b.hpp:text/detail/c.hpp text/detail/c.hpp:compose/d.hpp)
expect(subfolder fail "text -> compose: raif/text/detail/c.hpp includes <raif/compose/d.hpp>")

# detail/ reaching up to compose/ is an error even before it closes a cycle.
make_tree(detail_up detail/visit_at.hpp:compose/node.hpp)
expect(detail_up fail "detail/ may include only error.hpp and text/.*raif/detail/visit_at.hpp includes <raif/compose/node.hpp>")
