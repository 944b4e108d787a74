import FuzzSupport

runLibFuzzer(fuzzCaptureFiles)
