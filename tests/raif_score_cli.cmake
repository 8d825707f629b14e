# raif-score end to end: rewards on tests/data/score_items.jsonl (hand-computed: example A gives
# 1 + 2/3; a passing IFEval item 1 + 2; a response without tags -1 - 2), and clean failures.
include(${CMAKE_CURRENT_LIST_DIR}/error_rows.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${PROGRAM} --input ${DATA}/score_items.jsonl --output ${WORK}/out.jsonl --threads 2
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "good run failed: ${err}")
endif()
file(STRINGS ${WORK}/out.jsonl lines)
set(want 1.6666666666666665 3.0 -3.0)
foreach(i RANGE 2)
  list(GET lines ${i} line)
  list(GET want ${i} w)
  string(JSON got GET "${line}" reward)
  if(NOT got STREQUAL w)
    message(FATAL_ERROR "item ${i}: reward ${got}, expected ${w}")
  endif()
endforeach()

function(expect_fail what substring input)
  execute_process(COMMAND ${PROGRAM} --input ${input} --output ${WORK}/bad.jsonl RESULT_VARIABLE rc ERROR_VARIABLE err)
  # Exactly exit_fatal (2): a sanitizer's report after the message exits 1 (ASan, UBSan) or 23
  # (LeakSanitizer), and must not pass for the expected failure.
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "${what}: expected exit 2, got '${rc}':\n${err}")
  endif()
  string(FIND "${err}" "${substring}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: stderr lacks '${substring}':\n${err}")
  endif()
  if(EXISTS ${WORK}/bad.jsonl)
    message(FATAL_ERROR "${what}: output written despite the error")
  endif()
endfunction()
file(WRITE ${WORK}/bad_spec.jsonl "{\"prompt\": \"p\", \"response\": \"r\", \"spec\": {\"and\": [{\"constraint\": \"punctuation:no_comma\"}, {\"constraint\": \"x:y\"}]}}\n")
expect_fail("bad spec" "bad_spec.jsonl:1: raif: composition spec at $.and[1]" ${WORK}/bad_spec.jsonl)
file(WRITE ${WORK}/bad_line.jsonl "{\"prompt\": \"p\", \"response\": \"r\", \"spec\": {\"constraint\": \"punctuation:no_comma\"}}\n{\"prompt\": 1}\n")
expect_fail("bad field" "bad_line.jsonl:2: field 'prompt'" ${WORK}/bad_line.jsonl)
file(WRITE ${WORK}/bad_json.jsonl "{oops\n")
expect_fail("bad JSON" "bad_json.jsonl:1:" ${WORK}/bad_json.jsonl)

# --on-error (issue 12): bad rows of every kind between the three good items of score_items.jsonl.
# Under skip the output must be exactly the good items' output alone, and the errors file (default
# <output>.errors.jsonl) must list exactly the bad rows. Lines: 1 good; 2 invalid JSON; 3 'prompt'
# not a string; 4 an unknown constraint; 5 a bad kwarg; 6 good; 7 a Select whose context lacks the
# field it reads (rejected while scoring); 8 blank; 9 good.
file(STRINGS ${DATA}/score_items.jsonl good)
list(GET good 0 g1)
list(GET good 1 g2)
list(GET good 2 g3)
string(REPLACE "\"prompt\": \"p\"" "\"prompt\": 3" bad3 "${g3}")
file(WRITE ${WORK}/mixed.jsonl
  "${g1}\n"
  "{\"prompt\": \"p\", \"response\": \n"
  "${bad3}\n"
  "{\"prompt\": \"p\", \"response\": \"r\", \"spec\": {\"and\": [{\"constraint\": \"punctuation:no_comma\"}, {\"constraint\": \"x:y\"}]}}\n"
  "{\"prompt\": \"p\", \"response\": \"r\", \"instruction_id_list\": [\"length_constraints:number_words\"], \"kwargs\": [{\"num_words\": 3, \"relation\": \"about\"}]}\n"
  "${g2}\n"
  "{\"prompt\": \"p\", \"response\": \"<think>t</think><answer>sorry again</answer>\", \"context\": {\"riting\": 5}, \"spec\": {\"select\": {\"condition\": {\"context\": {\"field\": \"rating\", \"op\": \">=\", \"value\": 4, \"then\": \"good\", \"else\": \"bad\"}}, \"branches\": [{\"label\": \"good\", \"signature\": {\"constraint\": \"punctuation:no_comma\"}, \"node\": {\"constraint\": \"punctuation:no_comma\"}}, {\"label\": \"bad\", \"signature\": {\"constraint\": \"punctuation:no_comma\"}, \"node\": {\"constraint\": \"punctuation:no_comma\"}}]}}}\n"
  " \n"
  "${g3}\n")
file(READ ${WORK}/out.jsonl want) # the good items alone (the run above)
foreach(chunk 1 4 0)
  file(REMOVE ${WORK}/skip.jsonl.errors.jsonl)
  execute_process(COMMAND ${PROGRAM} --input ${WORK}/mixed.jsonl --output ${WORK}/skip.jsonl --on-error skip --threads 2
                          --chunk ${chunk} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 3)
    message(FATAL_ERROR "skip (chunk ${chunk}): exit ${rc}, expected 3 (done with skipped rows):\n${err}")
  endif()
  file(READ ${WORK}/skip.jsonl got)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "skip (chunk ${chunk}): output differs from the good items' alone:\n${got}\nexpected:\n${want}")
  endif()
  raif_read_error_rows(${WORK}/skip.jsonl.errors.jsonl rows)
  set(got_lines)
  foreach(row IN LISTS rows)
    raif_error_row("${row}" f l why)
    if(NOT f STREQUAL "${WORK}/mixed.jsonl")
      message(FATAL_ERROR "skip: error row names file ${f}")
    endif()
    list(APPEND got_lines ${l})
    if(l EQUAL 4)
      set(reason4 "${why}")
    endif()
    string(FIND "${err}" "raif-score: skipped ${f}:${l}: ${why}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "skip (chunk ${chunk}): stderr lacks the row ${l} (${why}):\n${err}")
    endif()
  endforeach()
  if(NOT got_lines STREQUAL "2;3;4;5;7")
    message(FATAL_ERROR "skip (chunk ${chunk}): errors list lines ${got_lines}, expected 2;3;4;5;7")
  endif()
  string(FIND "${err}" "3 item(s) scored, 5 row(s) skipped" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "skip: the summary line is missing:\n${err}")
  endif()
endforeach()
if(NOT reason4 MATCHES "^raif: composition spec at \\$\\.and\\[1\\]: raif: unknown instruction id 'x:y'")
  message(FATAL_ERROR "skip: row 4's reason: ${reason4}")
endif()
# Stop (the default) on the same file: exit 2, nothing written, no errors file.
file(REMOVE ${WORK}/bad.jsonl.errors.jsonl)
expect_fail("stop on bad rows" "mixed.jsonl:2: not a valid JSON line" ${WORK}/mixed.jsonl)
execute_process(COMMAND ${PROGRAM} --input ${WORK}/mixed.jsonl --output ${WORK}/bad.jsonl --on-error stop RESULT_VARIABLE rc)
if(NOT rc EQUAL 2 OR EXISTS ${WORK}/bad.jsonl OR EXISTS ${WORK}/bad.jsonl.errors.jsonl)
  message(FATAL_ERROR "stop: exit ${rc} (expected 2), or something was written")
endif()
# --errors elsewhere; skip with nothing bad: exit 0 and an empty errors file.
execute_process(COMMAND ${PROGRAM} --input ${DATA}/score_items.jsonl --output ${WORK}/clean.jsonl --on-error skip
                        --errors ${WORK}/clean_errors.jsonl RESULT_VARIABLE rc)
file(READ ${WORK}/clean_errors.jsonl none)
file(READ ${WORK}/clean.jsonl got)
if(NOT rc EQUAL 0 OR NOT none STREQUAL "" OR NOT got STREQUAL want OR EXISTS ${WORK}/clean.jsonl.errors.jsonl)
  message(FATAL_ERROR "skip without bad rows: exit ${rc}, errors '${none}'")
endif()
