#include "api_contract.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>

#include "api_client.h"
#include "testing/gunzip.h"

namespace boxoffice::itest {
namespace {

// Distinct answers kept at most (a fuzz run keeps about 5,000); later ones are not checked.
constexpr size_t kAnswersMax = 200'000;
constexpr size_t kFailuresShownMax = 20;

struct Record {
  std::mutex mu;
  std::vector<testing::Answer> answers;
  std::unordered_set<std::string> seen;
};

Record& TheRecord() {
  static Record* record = new Record;  // never destroyed: answers may come until exit
  return *record;
}

class ContractEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    const std::vector<testing::Answer> answers = TakeAnswers();
    if (answers.empty()) return;
    const std::vector<std::string> broken = CheckAnswers(answers);
    std::printf("[contract] %zu distinct answers checked against docs/openapi.yaml: %s\n",
                answers.size(), broken.empty() ? "all keep it" : "some break it");
    for (size_t i = 0; i < broken.size() && i < kFailuresShownMax; ++i) {
      ADD_FAILURE() << "an answer breaks docs/openapi.yaml:\n" << broken[i];
    }
    if (broken.size() > kFailuresShownMax) {
      ADD_FAILURE() << broken.size() - kFailuresShownMax
                    << " more kinds of answers break docs/openapi.yaml";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kContractEnvironment =
    ::testing::AddGlobalTestEnvironment(new ContractEnvironment);

}  // namespace

void RecordAnswer(std::string_view method, std::string_view target, const Reply& reply) {
  if (!reply.ok()) return;
  testing::Answer a{std::string(method), std::string(target), reply.status,
                    reply.Header("Content-Type"), reply.body};
  if (http::EqualsIgnoreCase(reply.Header("Content-Encoding"), "gzip")) {
    StatusOr<std::string> plain = testing::Gunzip(reply.body);
    if (plain.ok()) a.body = std::move(*plain);  // else the body fails as not JSON
  }
  std::string key = a.method + '\n' + a.target.substr(0, a.target.find('?')) + '\n' +
                    std::to_string(a.status) + '\n' + a.content_type + '\n' + a.body;
  Record& r = TheRecord();
  std::lock_guard lock(r.mu);
  if (r.answers.size() >= kAnswersMax || !r.seen.insert(std::move(key)).second) return;
  r.answers.push_back(std::move(a));
}

std::vector<testing::Answer> TakeAnswers() {
  Record& r = TheRecord();
  std::lock_guard lock(r.mu);
  r.seen.clear();
  return std::exchange(r.answers, {});
}

std::vector<std::string> CheckAnswers(const std::vector<testing::Answer>& answers) {
  static const StatusOr<testing::OpenApiContract> contract =
      testing::OpenApiContract::Load(BOXOFFICE_OPENAPI_FILE);
  if (!contract.ok()) return {"docs/openapi.yaml: " + contract.status().message()};
  // Answers that break the contract the same way on the same operation are
  // reported once, with the first one's body.
  std::map<std::string, std::pair<std::string, size_t>> groups;  // -> report, answers
  for (const testing::Answer& a : answers) {
    std::string errors;
    for (const std::string& e : contract->CheckAnswer(a)) errors += "  " + e + "\n";
    if (errors.empty()) continue;
    const std::string status = std::to_string(a.status);
    const std::string key =
        a.method + " " + contract->MatchPath(a.target.substr(0, a.target.find('?'))).value_or("") +
        " " + status + "\n" + errors;
    auto [group, fresh] = groups.try_emplace(key);
    ++group->second.second;
    if (!fresh) continue;
    group->second.first = a.method + " " + a.target + " answered " + status + " " + a.content_type +
                          ":\n" + errors + "  body: " + a.body.substr(0, 1000);
  }
  std::vector<std::string> broken;
  for (auto& [key, group] : groups) {
    auto& [report, count] = group;
    if (count > 1) report += "\n  (and " + std::to_string(count - 1) + " more answers like it)";
    broken.push_back(std::move(report));
  }
  return broken;
}

}  // namespace boxoffice::itest
