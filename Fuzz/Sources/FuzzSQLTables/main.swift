import FuzzSupport

runLibFuzzer(fuzzSQLTables)
