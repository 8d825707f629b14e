# Folder-level include DAG of include/raif/ (STYLE.md, Layout): fails if folders include each other
# in a cycle, directly or through others.
#   cmake -DINCLUDE_DIR=<dir holding raif/> [-DSTAMP=<file written on success>] -P RaifIncludeDag.cmake
#
# Nodes: each folder directly under raif/ (its subfolders, e.g. text/detail/, belong to it) and
# each file directly in raif/ (error.hpp, and the umbrellas raif.hpp and torch.hpp, which include
# the folders and are included by none). An edge A -> B is any `#include <raif/...>` in A naming a
# header of B.
#
# detail/ holds internals shared by several folders, so it must sit low: it may include only
# error.hpp and text/ (detail/json_answer.hpp uses py_strip). Without this rule detail/ could
# quietly become the place where two folders meet and the DAG check would report the cycle far from
# its cause.
cmake_minimum_required(VERSION 3.25)
if(NOT INCLUDE_DIR)
  message(FATAL_ERROR "RaifIncludeDag: pass -DINCLUDE_DIR=<directory that holds raif/>")
endif()
set(_detail_may_include error.hpp text) # keep in step with the message below

file(GLOB_RECURSE _headers RELATIVE ${INCLUDE_DIR}/raif ${INCLUDE_DIR}/raif/*.hpp)
list(SORT _headers)

function(_raif_node path out)
  string(FIND "${path}" "/" _slash)
  if(_slash EQUAL -1)
    set(${out} "${path}" PARENT_SCOPE)
  else()
    string(SUBSTRING "${path}" 0 ${_slash} _folder)
    set(${out} "${_folder}" PARENT_SCOPE)
  endif()
endfunction()

set(_nodes)
set(_errors)
foreach(h IN LISTS _headers)
  _raif_node("${h}" _from)
  list(APPEND _nodes "${_from}")
  file(STRINGS ${INCLUDE_DIR}/raif/${h} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]raif/")
  foreach(line IN LISTS _lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]raif/([^>\"]+)[>\"].*$" "\\1" _inc "${line}")
    _raif_node("${_inc}" _to)
    if(_to STREQUAL _from)
      continue()
    endif()
    list(APPEND _nodes "${_to}")
    list(APPEND _out_${_from} "${_to}")
    # One example per edge is enough to point at the culprit.
    if(NOT DEFINED _why_${_from}_${_to})
      set(_why_${_from}_${_to} "raif/${h} includes <raif/${_inc}>")
    endif()
    if(_from STREQUAL "detail" AND NOT _to IN_LIST _detail_may_include)
      list(APPEND _errors "detail/ may include only error.hpp and text/ (internals shared by several folders \
must sit below them), but ${_why_${_from}_${_to}}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES _nodes)

# Kahn's algorithm, from both ends: drop every node none of whose includes is still standing, then
# every node no standing node includes. What is left lies on a cycle (or between two).
set(_left ${_nodes})
set(_changed TRUE)
while(_changed)
  set(_changed FALSE)
  foreach(n IN LISTS _left)
    set(_is_sink TRUE)
    foreach(m IN LISTS _out_${n})
      if(m IN_LIST _left)
        set(_is_sink FALSE)
        break()
      endif()
    endforeach()
    set(_is_source TRUE)
    foreach(m IN LISTS _left)
      if(n IN_LIST _out_${m})
        set(_is_source FALSE)
        break()
      endif()
    endforeach()
    if(_is_sink OR _is_source)
      list(REMOVE_ITEM _left "${n}")
      set(_changed TRUE)
    endif()
  endforeach()
endwhile()
if(_left)
  set(_edges)
  foreach(n IN LISTS _left)
    set(_targets ${_out_${n}})
    list(REMOVE_DUPLICATES _targets)
    foreach(m IN LISTS _targets)
      if(m IN_LIST _left)
        string(APPEND _edges "\n  ${n} -> ${m}: ${_why_${n}_${m}}")
      endif()
    endforeach()
  endforeach()
  list(APPEND _errors "include cycle between folders of raif/ (a folder must never include one that includes it \
back: move what both need to a folder below both). Folders on the cycle and their includes:${_edges}")
endif()

if(_errors)
  list(JOIN _errors "\n" _msg)
  message(FATAL_ERROR "RaifIncludeDag: ${_msg}")
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
