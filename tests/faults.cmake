# Faults during training (issue 14; docs/tutorial-trainer.md, "What survives what"): raif-train on
# the micro config killed (SIGKILL) at each fault point of raif::trainer_fault_points and at two
# timers, and stopped by a file-size limit while writing a checkpoint or metrics.jsonl; every
# resumed run must equal the uninterrupted one byte for byte (tests/faults_run.cmake). The in-process
# cases (non-finite updates, corrupted files) are in trainer/test_faults.cpp (raif_model_tests).
if(RAIF_HAVE_TORCH AND RAIF_BUILD_EXAMPLES)
  set(_faults_dir ${CMAKE_CURRENT_BINARY_DIR}/faults)
  set(_faults_args -DPROGRAM=$<TARGET_FILE:raif-train> -DCONFIG=${PROJECT_SOURCE_DIR}/configs/micro.toml
                   -DREF=${_faults_dir}/reference)
  set(_faults_script ${CMAKE_CURRENT_SOURCE_DIR}/faults_run.cmake)
  add_test(NAME faults.reference COMMAND ${CMAKE_COMMAND} ${_faults_args} -DMODE=reference -P ${_faults_script})
  set_tests_properties(faults.reference PROPERTIES FIXTURES_SETUP raif_faults_reference LABELS "torch;faults")
  set(_faults_cases)
  # <point>@<phase>:<step>. Every checkpoint point at the warm start's step 4, where state.json
  # names the step-2 checkpoint being replaced (the fallback to checkpoint.old); the swap's points
  # again at GRPO step 2 (state.json names GRPO step 0, the checkpoint holds the warm start's) and at
  # the first checkpoint (none to replace); torn and whole metrics lines before and after a
  # checkpoint; the data files; the ends of both stages.
  foreach(at data.after_train@data:0 metrics.mid_line@warmstart:1 metrics.after_line@warmstart:2
             metrics.mid_line@grpo:3 metrics.after_line@grpo:2 checkpoint.after_rename_new@warmstart:2
             checkpoint.after_model@warmstart:4 checkpoint.after_optimizer@warmstart:4
             checkpoint.after_step@warmstart:4 checkpoint.after_rename_old@warmstart:4
             checkpoint.after_rename_new@warmstart:4 checkpoint.after_state@warmstart:4
             checkpoint.after_rename_old@grpo:2 checkpoint.after_rename_new@grpo:2 checkpoint.after_state@grpo:2
             stage.after_model@warmstart:6 stage.after_eval@warmstart:6 stage.after_model@grpo:4
             stage.after_eval@grpo:4)
    string(REGEX REPLACE "[@:]" "." name "${at}")
    add_test(NAME faults.kill.${name} COMMAND ${CMAKE_COMMAND} ${_faults_args} -DMODE=kill -DAT=${at}
                                              -DWORK=${_faults_dir}/${name} -P ${_faults_script})
    list(APPEND _faults_cases faults.kill.${name})
  endforeach()
  # a kill at 50% and 80% of the uninterrupted run's wall time: wherever the run happens to be
  foreach(percent 50 80)
    add_test(NAME faults.timer.${percent}pct COMMAND ${CMAKE_COMMAND} ${_faults_args} -DMODE=timer
                                                     -DFRACTION_PERCENT=${percent} -DWORK=${_faults_dir}/timer_${percent}
                                                     -P ${_faults_script})
    list(APPEND _faults_cases faults.timer.${percent}pct)
  endforeach()
  foreach(mode disk_checkpoint disk_metrics)
    add_test(NAME faults.${mode} COMMAND ${CMAKE_COMMAND} ${_faults_args} -DMODE=${mode} -DWORK=${_faults_dir}/${mode}
                                         -P ${_faults_script})
    list(APPEND _faults_cases faults.${mode})
  endforeach()
  set_tests_properties(${_faults_cases} PROPERTIES FIXTURES_REQUIRED raif_faults_reference LABELS "torch;faults")
endif()
