import FuzzSupport

runLibFuzzer(fuzzHTTPRouter)
