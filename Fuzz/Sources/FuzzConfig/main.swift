import FuzzSupport

runLibFuzzer(fuzzConfig)
