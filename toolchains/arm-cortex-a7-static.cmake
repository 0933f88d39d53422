# Robot build: Vector's Snapdragon 212 runs Cortex-A7 cores, a softfp userland
# with glibc 2.22 and a 3.18 kernel. A fully static binary from Debian's armhf
# cross compiler runs there whatever the robot's own libraries are, so nothing
# here depends on the robot's sysroot.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(VIC_R1_CROSS_PREFIX arm-linux-gnueabihf-)
# Tools are looked up on PATH only, so what PATH says is what the build uses.
find_program(VIC_R1_CROSS_CXX ${VIC_R1_CROSS_PREFIX}g++ NO_CMAKE_SYSTEM_PATH)
find_program(VIC_R1_CROSS_CC ${VIC_R1_CROSS_PREFIX}gcc NO_CMAKE_SYSTEM_PATH)
if(NOT VIC_R1_CROSS_CXX OR NOT VIC_R1_CROSS_CC)
  message(FATAL_ERROR
    "The robot build needs Debian's ARM cross compiler (${VIC_R1_CROSS_PREFIX}g++), "
    "which is not on PATH. Install it with: apt-get install crossbuild-essential-armhf "
    "(or run ./toolchains/bootstrap, which installs everything the build needs).")
endif()
set(CMAKE_C_COMPILER ${VIC_R1_CROSS_CC})
set(CMAKE_CXX_COMPILER ${VIC_R1_CROSS_CXX})

# The tests of the robot build run under qemu-user, emulating the robot's core.
find_program(VIC_R1_QEMU_ARM qemu-arm NO_CMAKE_SYSTEM_PATH)
if(NOT VIC_R1_QEMU_ARM)
  message(FATAL_ERROR
    "The robot build runs its tests under qemu-arm, which is not on PATH. "
    "Install it with: apt-get install qemu-user "
    "(or run ./toolchains/bootstrap).")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${VIC_R1_QEMU_ARM} -cpu cortex-a7)

# Cortex-A7 has VFPv4 with NEON; hard-float calling convention is fine because
# the binary is static and never calls into the robot's softfp libraries.
set(VIC_R1_ARCH_FLAGS "-mcpu=cortex-a7 -mfpu=neon-vfpv4")
# Separate sections let --gc-sections drop every unused function of mbedTLS,
# Asio and libstdc++: the binary's size matters on the robot's 4 GB flash.
set(VIC_R1_SECTION_FLAGS "-ffunction-sections -fdata-sections")
# 64-bit file offsets and inode numbers on this 32-bit target: without them
# stat() and readdir() fail with EOVERFLOW on file systems whose numbers do not
# fit in 32 bits. (64-bit time_t is not asked for: the robot's 3.18 kernel has
# none of the time64 system calls.)
set(VIC_R1_LFS_FLAGS "-D_FILE_OFFSET_BITS=64")
set(CMAKE_C_FLAGS_INIT "${VIC_R1_ARCH_FLAGS} ${VIC_R1_SECTION_FLAGS} ${VIC_R1_LFS_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${VIC_R1_ARCH_FLAGS} ${VIC_R1_SECTION_FLAGS} ${VIC_R1_LFS_FLAGS}")
# -O2 rather than CMake's -O3 for Release: nearly the speed at a smaller size.
# (Cache entries, because CMake appends its own -O3 to the *_INIT variables.)
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "Release flags for the robot")
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "Release flags for the robot")
# GCC notes that the ARM ABI for passing some structs changed in GCC 7.1; every
# piece of this static binary is built by one compiler, so it cannot matter.
string(APPEND CMAKE_CXX_FLAGS_INIT " -Wno-psabi")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libstdc++ -static-libgcc -Wl,--gc-sections")

# Never search the host's directories for the robot's libraries or headers:
# mixing the host's libc headers into an ARM build breaks in subtle ways.
# Header-only host packages (Boost, RapidJSON) reach the build through a
# staging directory made by toolchains/dependencies.cmake instead.
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(VIC_R1_TARGET_CPU cortex-a7)
