# raif-ifeval --benchmark=ifbench end to end on the IFBench fixture: output names, one record per
# prompt with the official verdicts (strict and loose files) and the official accuracies, the prompt
# without a response written as "" and all False, the two random-default probes reported as bad
# rows under --on-error=skip, and an input the official code raises on reported with its reason.
include(${CMAKE_CURRENT_LIST_DIR}/error_rows.cmake)
if(NOT EXISTS ${IFBENCH_DIR}/official_results.jsonl)
  message("SKIPPED the fixture run: IFBench fixture not found at ${IFBENCH_DIR} (set -DRAIF_IFBENCH_DIR=...)")
  return()
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

execute_process(COMMAND ${PROGRAM} --benchmark=ifbench --input_data=${IFBENCH_DIR}/input_data.jsonl
                        --input_response_data=${IFBENCH_DIR}/responses.jsonl --output_dir=${WORK}/out
                        --on-error=skip --threads=2
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "fixture run: expected exit 3 (two rows skipped), got ${rc}:\n${err}")
endif()
# The two random-default probes (input lines 547 and 548): raif refuses what the official code randomises.
raif_read_error_rows(${WORK}/out/errors.jsonl rows)
list(LENGTH rows n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected 2 skipped rows, got ${n}: ${rows}")
endif()
foreach(i 0 1)
  list(GET rows ${i} row)
  raif_error_row("${row}" file line why)
  math(EXPR want "547 + ${i}")
  if(NOT line EQUAL want)
    message(FATAL_ERROR "skipped row ${i}: line ${line}, expected ${want} (${why})")
  endif()
endforeach()

# The verdict lists, in input order, equal the official ones for the 546 rows evaluated. Brackets
# become parentheses first: CMake's lists do not split inside [...].
function(verdict_lists path key var)
  file(READ ${path} text)
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REGEX MATCHALL "\"${key}\": \\([a-z, ]*\\)" lists "${text}")
  list(TRANSFORM lists REPLACE "^\"${key}\": " "")
  set(${var} "${lists}" PARENT_SCOPE)
endfunction()
foreach(mode strict loose)
  set(path ${WORK}/out/responses-eval_results_${mode}.jsonl)
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "missing ${path}")
  endif()
  verdict_lists(${path} follow_instruction_list got)
  verdict_lists(${IFBENCH_DIR}/official_results.jsonl follow_instruction_list_${mode} want)
  list(REMOVE_AT want 546 547)
  list(LENGTH got n)
  if(NOT n EQUAL 546 OR NOT got STREQUAL want)
    message(FATAL_ERROR "${mode}: ${n} records; verdicts differ from the official ones:\n${got}\n${want}")
  endif()
  # Input line 546 (two instructions) has no response line: response "" and every instruction False.
  file(STRINGS ${path} records ENCODING UTF-8 REGEX "IFBench fixture case 301080")
  string(FIND "${records}" "{\"follow_all_instructions\": false, \"follow_instruction_list\": [false, false]," at0)
  string(FIND "${records}" "\"response\": \"\"}" at1)
  if(NOT at0 EQUAL 0 OR at1 EQUAL -1)
    message(FATAL_ERROR "${mode}: the prompt without a response: ${records}")
  endif()
endforeach()
# The official accuracies over those rows (computed from official_results.jsonl with Python's repr).
foreach(expect "responses-eval_results_strict.jsonl Accuracy Scores:\nprompt-level: 0.4633699633699634\ninstruction-level: 0.4712041884816754\n"
               "responses-eval_results_loose.jsonl Accuracy Scores:\nprompt-level: 0.5256410256410257\ninstruction-level: 0.5340314136125655\n")
  string(FIND "${out}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report lacks:\n${expect}\ngot:\n${out}")
  endif()
endforeach()

# An input the official code raises on (count:words_japanese with N = 0: ZeroDivisionError) is a
# bad row naming the id and the kwarg; the good row beside it is evaluated.
file(WRITE ${WORK}/in.jsonl
  "{\"key\": \"1\", \"prompt\": \"a\", \"instruction_id_list\": [\"count:words_japanese\"], \"kwargs\": [{\"N\": 0}]}\n"
  "{\"key\": \"2\", \"prompt\": \" b \", \"instruction_id_list\": [\"format:no_whitespace\"], \"kwargs\": [{\"N\": null}]}\n")
file(WRITE ${WORK}/model-responses.jsonl
  "{\"prompt\": \"a\", \"response\": \"one two\"}\n"
  "{\"prompt\": \"b\", \"response\": \"nospaces\"}\n")
execute_process(COMMAND ${PROGRAM} --benchmark=ifbench --input_data=${WORK}/in.jsonl
                        --input_response_data=${WORK}/model-responses.jsonl --output_dir=${WORK}/err --on-error=skip
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "error run: expected exit 3, got ${rc}:\n${err}")
endif()
raif_read_error_rows(${WORK}/err/errors.jsonl rows)
list(GET rows 0 row)
raif_error_row("${row}" file line why)
string(FIND "${why}" "count:words_japanese" at0)
string(FIND "${why}" "'N'" at1)
if(NOT line EQUAL 1 OR at0 EQUAL -1 OR at1 EQUAL -1)
  message(FATAL_ERROR "error row: line ${line}: ${why}")
endif()
# "model-responses.jsonl" names the outputs "model-..."; " b " finds the response of "b" (stripped).
file(READ ${WORK}/err/model-eval_results_strict.jsonl strict)
if(NOT strict STREQUAL "{\"follow_all_instructions\": true, \"follow_instruction_list\": [true], \"instruction_id_list\": [\"format:no_whitespace\"], \"prompt\": \" b \", \"response\": \"nospaces\"}\n")
  message(FATAL_ERROR "unexpected record:\n${strict}")
endif()
