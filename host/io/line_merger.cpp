#include "host/io/line_merger.hpp"

namespace pw {

bool LineMerger::open(const std::string& path_a, const std::string& path_b, std::string& error) {
  const std::string paths[2] = {path_a, path_b};
  for (int l = 0; l < 2; ++l) {
    if (paths[l].empty()) continue;
    src_[l] = std::make_unique<PcapSource>();
    if (!src_[l]->open(paths[l])) {
      error = src_[l]->error();
      return false;
    }
    has_[l] = src_[l]->next(head_[l]);
  }
  return true;
}

bool LineMerger::next(Frame& f, uint8_t& line) {
  if (pending_advance_) {
    has_[pending_line_] = src_[pending_line_]->next(head_[pending_line_]);
    pending_advance_ = false;
  }
  if (!has_[0] && !has_[1]) return false;
  line = (!has_[1] || (has_[0] && head_[0].timestamp_ns <= head_[1].timestamp_ns)) ? 0 : 1;
  f = head_[line];
  // The frame's bytes stay valid until this line's source is read again, so hand it out first
  // and advance lazily on the following call.
  pending_advance_ = true;
  pending_line_ = line;
  return true;
}

std::string LineMerger::error() const {
  for (int l = 0; l < 2; ++l)
    if (src_[l] && !src_[l]->error().empty()) return src_[l]->error();
  return {};
}

}  // namespace pw
