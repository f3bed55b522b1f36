#include "banks/json_records.h"

#include <vector>

namespace needle::banks {
namespace {

using json = nlohmann::json;

class Handler : public json::json_sax_t {
 public:
  Handler(const JsonStreamOptions& o, json* envelope, const std::function<Status(json&&, size_t)>& fn)
      : opt_(o), envelope_(envelope), fn_(fn) {}

  bool null() override { return Value(json(nullptr)); }
  bool boolean(bool v) override { return Value(json(v)); }
  bool number_integer(number_integer_t v) override { return Value(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Value(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Value(json(v)); }
  bool string(string_t& v) override { return Value(json(std::move(v))); }
  bool binary(binary_t&) override { return Value(json(nullptr)); }

  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }

  bool start_object(std::size_t) override { return Start(json::object()); }
  bool start_array(std::size_t) override { return Start(json::array()); }
  bool end_object() override { return End(); }
  bool end_array() override { return End(); }

  bool parse_error(std::size_t pos, const std::string&, const json::exception& e) override {
    status_ = Corrupt("JSON syntax error near byte " + std::to_string(pos) + ": " + e.what());
    return false;
  }

  Status status() const { return status_; }
  size_t records() const { return count_; }

 private:
  struct Frame {
    json value;           // the container being built (only when `building`)
    bool building = false;
    bool record_array = false;  // its elements are records
    bool is_record = false;     // this object is a record
    std::string key;            // pending key inside an object
  };

  bool Fail(Status s) {
    status_ = std::move(s);
    return false;
  }

  // Is a new container at this point an array of records?
  bool IsRecordArray() const {
    if (frames_.empty()) return true;  // a top-level array
    const Frame& parent = frames_.back();
    return parent.value.is_object() && opt_.record_arrays.count(parent.key) > 0;
  }

  bool Start(json container) {
    if (frames_.size() >= opt_.max_depth) return Fail(Corrupt("JSON nested deeper than " + std::to_string(opt_.max_depth)));
    Frame f;
    const bool parent_building = !frames_.empty() && frames_.back().building;
    const bool in_record_array = !frames_.empty() && frames_.back().record_array;
    if (container.is_array() && IsRecordArray()) {
      f.record_array = true;  // streamed: never attached to its parent
    } else if (container.is_object() && in_record_array) {
      f.is_record = true;
      f.building = true;
    } else {
      f.building = parent_building;
    }
    f.value = std::move(container);
    frames_.push_back(std::move(f));
    return true;
  }

  bool End() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    if (f.is_record) {
      ++count_;
      Status s = fn_(std::move(f.value), count_);
      if (!s.ok()) return Fail(std::move(s));
      return true;
    }
    if (f.record_array || !f.building) {
      if (f.value.is_object() && frames_.empty()) {
        // A top-level object that is not an envelope of record arrays (e.g.
        // one JSON Lines record) is handed over as a record.
        if (!saw_record_array_) {
          ++count_;
          Status s = fn_(std::move(f.value), count_);
          if (!s.ok()) return Fail(std::move(s));
        }
      }
      if (f.record_array) saw_record_array_ = true;
      return true;
    }
    return Attach(std::move(f.value));
  }

  bool Value(json v) {
    if (frames_.empty()) return true;
    Frame& top = frames_.back();
    if (frames_.size() == 1 && top.value.is_object() && !top.building && envelope_ != nullptr) {
      (*envelope_)[top.key] = v;
    }
    if (!top.building) {
      // Scalars in an unbuilt object: keep them so a lone top-level object
      // (JSON Lines record) is complete.
      if (top.value.is_object()) top.value[top.key] = std::move(v);
      return true;
    }
    return Attach(std::move(v));
  }

  bool Attach(json v) {
    if (frames_.empty()) return true;
    Frame& top = frames_.back();
    if (top.value.is_object()) top.value[top.key] = std::move(v);
    else if (top.value.is_array()) top.value.push_back(std::move(v));
    return true;
  }

  const JsonStreamOptions& opt_;
  json* envelope_;
  const std::function<Status(json&&, size_t)>& fn_;
  std::vector<Frame> frames_;
  Status status_;
  size_t count_ = 0;
  bool saw_record_array_ = false;
};

}  // namespace

Status StreamJsonRecords(std::istream& in, const JsonStreamOptions& options, nlohmann::json* envelope,
                         const std::function<Status(nlohmann::json&&, size_t)>& on_record) {
  Handler h(options, envelope, on_record);
  bool ok = json::sax_parse(in, &h, json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    Status s = h.status();
    if (s.ok()) s = Corrupt("malformed JSON");
    return s;
  }
  return Status::Ok();
}

}  // namespace needle::banks
