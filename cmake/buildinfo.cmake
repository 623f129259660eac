# Writes hb_buildinfo.h with the commit and dirty state of the source tree;
# rewrites it only when the content changes, so builds stay incremental.
execute_process(COMMAND git -C ${SRC} rev-parse HEAD
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0)
  set(commit "unknown")
endif()
execute_process(COMMAND git -C ${SRC} status --porcelain --untracked-files=no
  OUTPUT_VARIABLE st RESULT_VARIABLE rc ERROR_QUIET)
if(rc EQUAL 0 AND st STREQUAL "")
  set(dirty 0)
elseif(rc EQUAL 0)
  set(dirty 1)
else()
  set(dirty -1)
endif()
string(STRIP "${FLAGS}" FLAGS)
if(SANITIZE)
  set(FLAGS "${FLAGS} -fsanitize=address,undefined")
endif()
set(text "#define HB_VERSION \"${VERSION}\"
#define HB_GIT_COMMIT \"${commit}\"
#define HB_GIT_DIRTY ${dirty}
#define HB_COMPILER \"${COMPILER}\"
#define HB_CFLAGS \"${FLAGS}\"
#define HB_BUILD_TYPE \"${BUILD_TYPE}\"
")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
