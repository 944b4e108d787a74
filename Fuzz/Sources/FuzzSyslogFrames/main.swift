import FuzzSupport

runLibFuzzer(fuzzSyslogFrames)
