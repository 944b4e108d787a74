import FuzzSupport

runLibFuzzer(fuzzAuditRecords)
