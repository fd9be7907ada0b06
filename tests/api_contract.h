// The integration tests hold every answer they receive to docs/openapi.yaml.
//
// Api::Call records each answer (RecordAnswer); an environment registered in
// every test program that uses Api checks them all when the program ends
// (after each test, as ctest runs them one at a time) against the schema of
// their route and status (testing::OpenApiContract), and fails the program
// with one failure per answer that breaks the contract. A summary line tells
// how many answers were checked.
//
// Thread-safety: RecordAnswer and TakeAnswers from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "testing/openapi_contract.h"

namespace boxoffice::itest {

struct Reply;

void RecordAnswer(std::string_view method, std::string_view target, const Reply& reply);

// The answers recorded so far (each distinct answer once), removed from the record.
std::vector<testing::Answer> TakeAnswers();

// What is wrong with `answers` under docs/openapi.yaml, one entry per
// answer that breaks it (all its errors, one per line); a document that
// cannot be read is one entry too.
std::vector<std::string> CheckAnswers(const std::vector<testing::Answer>& answers);

}  // namespace boxoffice::itest
