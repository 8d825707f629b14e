# The errors JSONL that --on-error=skip writes, read in a CMake script (tests/raif_*_cli.cmake).
#   raif_read_error_rows(<path> <var>)                 one list element per row, escaped
#   raif_error_row(<row> <file_var> <line_var> <reason_var>)
# Reasons quote JSON errors, whose ';' and lone '[' would break CMake's list splitting: the rows
# travel with them escaped, and raif_error_row restores them before reading the JSON.
function(raif_read_error_rows path var)
  file(READ ${path} rows)
  string(REPLACE ";" "<semicolon>" rows "${rows}")
  string(REPLACE "[" "<open>" rows "${rows}")
  string(REPLACE "]" "<close>" rows "${rows}")
  string(REGEX REPLACE "\n$" "" rows "${rows}")
  string(REPLACE "\n" ";" rows "${rows}")
  set(${var} "${rows}" PARENT_SCOPE)
endfunction()

function(raif_error_row row file_var line_var reason_var)
  string(REPLACE "<semicolon>" ";" row "${row}")
  string(REPLACE "<open>" "[" row "${row}")
  string(REPLACE "<close>" "]" row "${row}")
  string(JSON f GET "${row}" file)
  string(JSON l GET "${row}" line)
  string(JSON why GET "${row}" reason)
  set(${file_var} "${f}" PARENT_SCOPE)
  set(${line_var} "${l}" PARENT_SCOPE)
  set(${reason_var} "${why}" PARENT_SCOPE)
endfunction()
