# Peak RSS of TOOL (raif-ifeval or raif-score) on 20,000 and 200,000 generated lines (short
# responses, cheap checks, unique prompts), 2 threads; fails if the larger run's peak exceeds the
# smaller's by more than the cap, or if any run fails or skips a row.
#   cmake -DTOOL=raif-score -DPROGRAM=<exe> -DWORK=<dir> -P load_stream.cmake
#
# The caps. Streaming holds one chunk (2 x 1024 lines here) whatever the input's size, so the only
# growth allowed is raif-ifeval's response index: 32 bytes per response line, up to twice that
# while the vector grows, i.e. 180,000 x 64 B = 11.5 MB at worst, plus allocator noise. Caps: raif-score 8 MB, raif-ifeval 24 MB. Measured (2026-12-01,
# Release): raif-score grew by -0.04 MB, raif-ifeval by 5.5 MB (the index, 180,000 x 32 B); the
# whole-file tools they replace grew by 382 MB and 378 MB on the same inputs, so the test catches
# a return to whole-file reading.
if(NOT EXISTS /usr/bin/time)
  message("SKIPPED: no /usr/bin/time (GNU time) to measure peak RSS")
  return()
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# A block of 1,000 lines; @B@ becomes the block number, so every prompt is unique.
set(text "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.")
set(ids "\"instruction_id_list\": [\"punctuation:no_comma\", \"length_constraints:number_words\", \"keywords:existence\"], \"kwargs\": [{}, {\"num_words\": 40, \"relation\": \"at least\"}, {\"keywords\": [\"magna\"]}]")
set(block_in "")
set(block_resp "")
set(block_score "")
foreach(i RANGE 999)
  string(APPEND block_in "{\"key\": @B@${i}, \"prompt\": \"prompt @B@ ${i}\", ${ids}}\n")
  string(APPEND block_resp "{\"prompt\": \"prompt @B@ ${i}\", \"response\": \"${text} ${i}\"}\n")
  string(APPEND block_score "{\"prompt\": \"prompt @B@ ${i}\", \"response\": \"<think>plan</think><answer>${text} ${i}</answer>\", ${ids}}\n")
endforeach()

function(peak_rss lines out_var)
  math(EXPR blocks "${lines} / 1000")
  foreach(f in resp score)
    file(WRITE ${WORK}/${f}_${lines}.jsonl "")
  endforeach()
  foreach(b RANGE 1 ${blocks})
    foreach(f in resp score)
      string(REPLACE "@B@" "${b}" chunk "${block_${f}}")
      file(APPEND ${WORK}/${f}_${lines}.jsonl "${chunk}")
    endforeach()
  endforeach()
  if(TOOL STREQUAL "raif-ifeval")
    set(cmd ${PROGRAM} --input_data=${WORK}/in_${lines}.jsonl --input_response_data=${WORK}/resp_${lines}.jsonl
            --output_dir=${WORK}/out_${lines} --threads=2)
  else()
    set(cmd ${PROGRAM} --input ${WORK}/score_${lines}.jsonl --output ${WORK}/out_${lines}.jsonl --threads 2)
  endif()
  execute_process(COMMAND /usr/bin/time -f "peak_rss_kb=%M" ${cmd} OUTPUT_QUIET ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TOOL} on ${lines} lines: exit ${rc}\n${err}")
  endif()
  string(REGEX MATCH "peak_rss_kb=([0-9]+)" _ "${err}")
  set(${out_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
  file(REMOVE_RECURSE ${WORK}/out_${lines} ${WORK}/out_${lines}.jsonl ${WORK}/in_${lines}.jsonl
       ${WORK}/resp_${lines}.jsonl ${WORK}/score_${lines}.jsonl)
endfunction()

peak_rss(20000 small)
peak_rss(200000 large)
if(TOOL STREQUAL "raif-ifeval")
  set(cap_kb 24576)
else()
  set(cap_kb 8192)
endif()
math(EXPR growth "${large} - ${small}")
message("${TOOL}: peak RSS ${small} KB on 20,000 lines, ${large} KB on 200,000 (growth ${growth} KB, cap ${cap_kb} KB)")
if(growth GREATER cap_kb)
  message(FATAL_ERROR "${TOOL}: peak RSS grew by ${growth} KB from 20,000 to 200,000 lines (cap ${cap_kb} KB): "
                      "is the input read whole again?")
endif()
