# Warnings for loraflow's own targets only (never global CMAKE_CXX_FLAGS).
function(loraflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-misleading-indentation)
  if(LORAFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
