# raif-train on the micro config with stages chosen by --set: RLOO advantages and DAPO's dynamic
# sampling run end to end (every stage's file, 4 GRPO steps, whole groups trained); an unknown
# stage name exits 2 before any work, listing the valid names.
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${PROGRAM} --config ${CONFIG} --set grpo.estimator=rloo --set grpo.selection=dynamic_sampling
                        --out ${WORK}/run --quiet
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "raif-train exited with ${rc}\n${out}\n${err}")
endif()
file(READ ${WORK}/run/config.toml config)
foreach(want "estimator = \"rloo\"" "selection = \"dynamic_sampling\"")
  string(FIND "${config}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "config.toml lacks '${want}'")
  endif()
endforeach()
file(STRINGS ${WORK}/run/metrics.jsonl grpo REGEX "\"phase\":\"grpo\"")
list(LENGTH grpo steps)
if(NOT steps EQUAL 4)
  message(FATAL_ERROR "expected 4 GRPO steps, got ${steps}")
endif()
foreach(line IN LISTS grpo) # dynamic sampling trains whole groups of 4 (2 prompts), no forced no-reasoning
  string(JSON trained GET "${line}" trained_samples)
  string(JSON dropped GET "${line}" dropped_groups)
  math(EXPR expected "(2 - ${dropped}) * 4")
  if(NOT trained EQUAL expected)
    message(FATAL_ERROR "trained ${trained} samples with ${dropped} groups dropped: ${line}")
  endif()
endforeach()
foreach(f eval_final.json final/model.safetensors report.md)
  if(NOT EXISTS ${WORK}/run/${f})
    message(FATAL_ERROR "missing ${f}")
  endif()
endforeach()

execute_process(COMMAND ${PROGRAM} --config ${CONFIG} --set grpo.selection=dapo --out ${WORK}/bad
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(FIND "${err}" "grpo.selection = \"dapo\" is not a model of this stage (superior_cot, dynamic_sampling, none)" at)
if(NOT rc EQUAL 2 OR at EQUAL -1 OR EXISTS ${WORK}/bad/state.json)
  message(FATAL_ERROR "an unknown stage name: exit ${rc}, stderr: ${err}")
endif()
