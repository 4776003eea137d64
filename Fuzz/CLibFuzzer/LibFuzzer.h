// libFuzzer's entry point for a program with its own main (compiler-rt, FuzzerInterface.h): runs the
// fuzzing loop over `callback` with libFuzzer's command-line flags. It is linked only in the fuzzing
// build (libclang_rt.fuzzer_no_main, .ci/fuzz); the plain build declares it and never calls it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
