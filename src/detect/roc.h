// Scoring a detector against labels: ROC AUC, detection rate at a fixed
// false-positive rate, and the calibration that picks the operating threshold.
//
// "Positive" is generated, "negative" is real. The costly error for needle's
// users is calling a real photo synthetic, so thresholds are chosen on real
// photos alone: the lowest threshold that calls at most max_fpr of them
// synthetic (score >= threshold means synthetic).
#pragma once

#include <vector>

namespace needle::detect {

struct Scored {
  double score = 0;
  bool generated = false;
};

// Mann-Whitney AUC with ties counted half; NaN when a class is empty.
double RocAuc(const std::vector<Scored>& items);

// Smallest threshold t with |{real : score >= t}| <= floor(max_fpr * n_real).
// Scores equal to the threshold count as synthetic, so t sits just above the
// largest real score that must not be flagged. 1.0 (nothing flagged) when no
// real scores are given.
double ThresholdForFpr(std::vector<double> real_scores, double max_fpr);

// Share of generated items with score >= threshold (NaN when there are none).
double DetectionRate(const std::vector<Scored>& items, double threshold);

// Share of items classified correctly at the threshold.
double Accuracy(const std::vector<Scored>& items, double threshold);

// TPR at the threshold chosen from this set's own reals for max_fpr.
double TprAtFpr(const std::vector<Scored>& items, double max_fpr);

}  // namespace needle::detect
