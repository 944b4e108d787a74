// libFuzzer's driver, for a main that SwiftPM names itself (it links an executable's entry point as
// `main`, which would shadow libFuzzer's own). Defined in the runtime that -sanitize=fuzzer links.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
