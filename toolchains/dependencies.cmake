# Third-party code for every build: Mbed TLS 3.6 and CppUTest built from source
# with this build's compiler and flags, Boost and RapidJSON as header-only
# packages. toolchains/bootstrap puts the sources in VIC_R1_DEPS_DIR.

include(ExternalProject)

set(VIC_R1_DEPS_DIR "${PROJECT_SOURCE_DIR}/.cache/deps" CACHE PATH
    "Where toolchains/bootstrap unpacked the Mbed TLS and CppUTest sources")

function(vic_r1_require_source name dir)
  if(NOT EXISTS "${dir}/CMakeLists.txt")
    message(FATAL_ERROR
      "The ${name} source is missing from ${dir}. Run ./toolchains/bootstrap, "
      "which fetches it from the Debian archive this machine's apt uses; without "
      "such an archive, download the source yourself and run the bootstrap with "
      "VIC_R1_${name}_SOURCE=/path/to/tarball-or-directory (see README.md).")
  endif()
endfunction()

# ---- Mbed TLS ---------------------------------------------------------------
set(VIC_R1_MBEDTLS_SOURCE_DIR "${VIC_R1_DEPS_DIR}/mbedtls")
vic_r1_require_source(MBEDTLS "${VIC_R1_MBEDTLS_SOURCE_DIR}")

file(STRINGS "${VIC_R1_MBEDTLS_SOURCE_DIR}/include/mbedtls/build_info.h"
     mbedtls_version_line REGEX "#define MBEDTLS_VERSION_STRING ")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" VIC_R1_MBEDTLS_VERSION "${mbedtls_version_line}")
if(NOT VIC_R1_MBEDTLS_VERSION MATCHES "^3\\.6\\.")
  message(FATAL_ERROR
    "vic-r1 needs Mbed TLS 3.6 LTS; ${VIC_R1_MBEDTLS_SOURCE_DIR} holds "
    "'${VIC_R1_MBEDTLS_VERSION}'. Remove it and run ./toolchains/bootstrap again.")
endif()

# One configuration header for host and robot: what the tests check is what ships.
set(MBEDTLS_CONFIG_FILE "${PROJECT_SOURCE_DIR}/toolchains/mbedtls_config_vic_r1.h"
    CACHE FILEPATH "Mbed TLS configuration" FORCE)
set(ENABLE_PROGRAMS OFF CACHE BOOL "" FORCE)
set(ENABLE_TESTING OFF CACHE BOOL "" FORCE)
set(GEN_FILES OFF CACHE BOOL "" FORCE)
set(MBEDTLS_FATAL_WARNINGS OFF CACHE BOOL "" FORCE)
set(DISABLE_PACKAGE_CONFIG_AND_INSTALL ON CACHE BOOL "" FORCE)
set(USE_SHARED_MBEDTLS_LIBRARY OFF CACHE BOOL "" FORCE)
set(USE_STATIC_MBEDTLS_LIBRARY ON CACHE BOOL "" FORCE)
# Mbed TLS's CMakeLists consults CTest's BUILD_TESTING; keep its tests out of ours.
set(vic_r1_saved_build_testing ${BUILD_TESTING})
set(BUILD_TESTING OFF)
add_subdirectory("${VIC_R1_MBEDTLS_SOURCE_DIR}" "${PROJECT_BINARY_DIR}/third_party/mbedtls"
                 EXCLUDE_FROM_ALL SYSTEM)
set(BUILD_TESTING ${vic_r1_saved_build_testing})

# ---- Header-only packages -----------------------------------------------------
# The cross build must not see the host's /usr/include (it holds the host's libc
# headers), yet Boost and RapidJSON are header-only and architecture-neutral.
# Stage links to just those two trees and put only the stage on the include path.
set(VIC_R1_HEADER_STAGE "${PROJECT_BINARY_DIR}/third_party/include")
file(MAKE_DIRECTORY "${VIC_R1_HEADER_STAGE}")
foreach(header_tree boost rapidjson)
  set(tree_path "/usr/include/${header_tree}")
  if(NOT IS_DIRECTORY "${tree_path}")
    message(FATAL_ERROR
      "${tree_path} is missing. Install it with: apt-get install libboost-dev rapidjson-dev "
      "(or run ./toolchains/bootstrap).")
  endif()
  file(CREATE_LINK "${tree_path}" "${VIC_R1_HEADER_STAGE}/${header_tree}" SYMBOLIC)
endforeach()
add_library(vic_r1_header_only_deps INTERFACE)
target_include_directories(vic_r1_header_only_deps SYSTEM INTERFACE "${VIC_R1_HEADER_STAGE}")
# RapidJSON: use std::string interfaces; Boost: no deprecated Asio names.
target_compile_definitions(vic_r1_header_only_deps INTERFACE
  RAPIDJSON_HAS_STDSTRING=1 BOOST_ASIO_NO_DEPRECATED)

# ---- CppUTest ---------------------------------------------------------------
if(BUILD_TESTING)
  set(VIC_R1_CPPUTEST_SOURCE_DIR "${VIC_R1_DEPS_DIR}/cpputest")
  vic_r1_require_source(CPPUTEST "${VIC_R1_CPPUTEST_SOURCE_DIR}")
  set(cpputest_prefix "${PROJECT_BINARY_DIR}/third_party/cpputest")
  set(cpputest_args
    -DCMAKE_INSTALL_PREFIX=${cpputest_prefix}
    -DCMAKE_INSTALL_LIBDIR=lib
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    "-DCMAKE_C_FLAGS=${CMAKE_C_FLAGS}"
    "-DCMAKE_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
    -DTESTS=OFF
    -DEXTENSIONS=OFF
    -DVERBOSE_CONFIG=OFF
    # Leaks are found by LeakSanitizer in the host build, which sees every
    # allocation (STL, RapidJSON, Boost) without CppUTest's new-macro, whose
    # per-test accounting misreports caches that outlive a test.
    -DMEMORY_LEAK_DETECTION=OFF)
  if(CMAKE_TOOLCHAIN_FILE)
    get_filename_component(toolchain_path "${CMAKE_TOOLCHAIN_FILE}" ABSOLUTE
                           BASE_DIR "${PROJECT_SOURCE_DIR}")
    list(APPEND cpputest_args -DCMAKE_TOOLCHAIN_FILE=${toolchain_path})
  endif()
  ExternalProject_Add(cpputest_external
    SOURCE_DIR "${VIC_R1_CPPUTEST_SOURCE_DIR}"
    BINARY_DIR "${PROJECT_BINARY_DIR}/third_party/cpputest-build"
    INSTALL_DIR "${cpputest_prefix}"
    CMAKE_ARGS ${cpputest_args}
    BUILD_BYPRODUCTS "${cpputest_prefix}/lib/libCppUTest.a"
    UPDATE_COMMAND ""
    LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON)
  file(MAKE_DIRECTORY "${cpputest_prefix}/include")
  add_library(CppUTest::CppUTest STATIC IMPORTED GLOBAL)
  set_target_properties(CppUTest::CppUTest PROPERTIES
    IMPORTED_LOCATION "${cpputest_prefix}/lib/libCppUTest.a")
  target_include_directories(CppUTest::CppUTest SYSTEM INTERFACE "${cpputest_prefix}/include")
  add_dependencies(CppUTest::CppUTest cpputest_external)
endif()
