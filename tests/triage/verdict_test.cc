// The fusion rules, one case per rule, and the shipped config file.
#include "triage/verdict.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_support.h"

namespace needle::triage {
namespace {

nlohmann::json Finding(const char* dir, const char* strength) {
  return {{"signal", "x"}, {"direction", dir}, {"strength", strength}, {"summary", std::string(dir) + " " + strength}};
}

TEST(VerdictTest, EachRule) {
  const TriageConfig& c = DefaultTriageConfig();
  auto decide = [&](VerdictInput in) { return Decide(in, c).klass; };
  VerdictInput in;
  in.error_code = "truncated";
  EXPECT_EQ(decide(in), "unreadable");
  in = {};
  in.matches = nlohmann::json::array({{{"bank", "B"}, {"bank_kind", "alert"}, {"entry", 1}, {"type", "pdq"}, {"distance", 4}}});
  in.findings = nlohmann::json::array({Finding("synthetic", "decisive")});
  EXPECT_EQ(decide(in), "known");  // a bank match outranks provenance
  in.matches = nlohmann::json::array({{{"bank", "OK"}, {"bank_kind", "suppress"}, {"entry", 1}, {"type", "md5"}}});
  EXPECT_EQ(decide(in), "suppressed");
  in.matches = nlohmann::json::array();
  EXPECT_EQ(decide(in), "synthetic-proven");
  in.findings = nlohmann::json::array({Finding("synthetic", "strong"), Finding("camera", "weak")});
  EXPECT_EQ(decide(in), "synthetic-likely");
  in.findings = nlohmann::json::array({Finding("camera", "weak")});
  EXPECT_EQ(decide(in), "camera-likely");
  in.detector_score = 0.9;
  EXPECT_EQ(decide(in), "synthetic-likely");
  in.detector_score = 0.35;  // between camera_max and synthetic_threshold
  EXPECT_EQ(decide(in), "unknown");
  in.detector_score = 0.05;
  EXPECT_EQ(decide(in), "camera-likely");
  in.findings = nlohmann::json::array();
  in.detector_score.reset();
  EXPECT_EQ(decide(in), "unknown");
}

TEST(VerdictTest, DetectorThresholdsComeFromTheModelUnlessGivenAsNumbers) {
  TriageConfig c = DefaultTriageConfig();
  EXPECT_TRUE(c.detector_thresholds_from_model);
  ApplyDetectorCalibration(&c, 0.93, 0.61);
  EXPECT_DOUBLE_EQ(c.detector_synthetic_threshold, 0.93);
  EXPECT_DOUBLE_EQ(c.detector_camera_max_score, 0.61);
  VerdictInput in;
  in.detector_score = 0.92;
  EXPECT_EQ(Decide(in, c).klass, "unknown");
  in.detector_score = 0.93;
  EXPECT_EQ(Decide(in, c).klass, "synthetic-likely");

  std::string text = c.raw.dump();
  auto fixed = ParseTriageConfig(
      R"({"cluster": {"pdq_distance": 31, "min_quality": 50}, "detector": {"synthetic_threshold": 0.8,
          "camera_max_score": "model"}, "priority": {"camera-likely": 1, "unknown": 2, "unreadable": 3,
          "synthetic-likely": 4, "synthetic-proven": 5, "known": 6, "suppressed": 7}})");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  ApplyDetectorCalibration(&*fixed, 0.93, 0.61);
  EXPECT_DOUBLE_EQ(fixed->detector_synthetic_threshold, 0.8);
  EXPECT_DOUBLE_EQ(fixed->detector_camera_max_score, 0.61);
  auto bad = ParseTriageConfig(R"({"cluster": {"pdq_distance": 31, "min_quality": 50},
      "detector": {"synthetic_threshold": "auto", "camera_max_score": 0.1}, "priority": {}})");
  EXPECT_FALSE(bad.ok());
}

TEST(VerdictTest, PriorityPutsLikelyCameraFirstAndKnownLast) {
  const TriageConfig& c = DefaultTriageConfig();
  EXPECT_LT(c.priority.at("camera-likely"), c.priority.at("unknown"));
  EXPECT_LT(c.priority.at("unknown"), c.priority.at("synthetic-likely"));
  EXPECT_LT(c.priority.at("synthetic-proven"), c.priority.at("known"));
  VerdictInput in;
  in.findings = nlohmann::json::array({Finding("camera", "weak")});
  Verdict v = Decide(in, c);
  EXPECT_EQ(v.priority, 1);
  ASSERT_EQ(v.reasons.size(), 1u);
}

TEST(VerdictTest, ShippedConfigFileIsTheBuiltInOne) {
  std::ifstream in(::needle::testing::SourceDir() + "/config/triage.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = ParseTriageConfig(ss.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->raw, DefaultTriageConfig().raw);
  EXPECT_FALSE(ParseTriageConfig("{}").ok());
  EXPECT_FALSE(ParseTriageConfig("not json").ok());
}

}  // namespace
}  // namespace needle::triage
