// Prometheus metrics of an endpoint under TGI's (tgi_*) and TEI's (te_*) names, rendered in the
// text exposition format for GET /metrics. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mhub::serve {

class ServeMetrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  ServeMetrics();
  // `labels` is the label set as written inside {} (e.g. `err="validation"`), "" for none.
  void Add(const std::string& name, double value = 1, const std::string& labels = "");
  void Set(const std::string& name, double value, const std::string& labels = "");
  void Observe(const std::string& name, double value, const std::string& labels = "");
  std::string Render() const;

 private:
  struct Series {
    double value = 0;  // counter / gauge
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;  // histograms
    std::map<std::string, Series> series;
  };
  void Declare(const std::string& name, Type type, const std::string& help, std::vector<double> bounds = {});
  Family* Find(const std::string& name);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace mhub::serve
