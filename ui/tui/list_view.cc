// Frames, text fitting and the scrolling list (list_view.h).
#include "ui/tui/list_view.h"

#include <algorithm>
#include <cstdio>

namespace lifeboat::tui {

std::string Fit(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  if (width <= 3) return s.substr(0, width);
  size_t slash = s.find_last_of('/');
  if (slash != std::string::npos && slash > 0 && s.size() - slash + 3 < width) {
    // A path: keep the file name and as much of the start as fits.
    std::string tail = s.substr(slash);
    return s.substr(0, width - 3 - tail.size()) + "..." + tail;
  }
  return s.substr(0, width - 3) + "...";
}

std::vector<Line> Wrap(const std::string& s, size_t width, size_t indent) {
  if (s.size() <= width || width <= indent + 10) return {Line{Fit(s, width), false}};
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t avail = lines.empty() ? width : width - indent;
    size_t n = std::min(avail, s.size() - pos);
    if (pos + n < s.size()) {
      // Break at a space in the second half of the line, else mid-word (paths, hashes).
      size_t space = s.rfind(' ', pos + n);
      if (space != std::string::npos && space > pos + avail / 2) n = space - pos + 1;
    }
    std::string chunk = s.substr(pos, n);
    while (!chunk.empty() && chunk.back() == ' ') chunk.pop_back();
    lines.push_back(Line{std::string(lines.empty() ? 0 : indent, ' ') + chunk, false});
    pos += n;
  }
  return lines;
}

std::string Pad(const std::string& s, size_t width) {
  if (s.size() >= width) return s.substr(0, width);
  return s + std::string(width - s.size(), ' ');
}

std::string HumanBytes(unsigned long long bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", bytes);
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

size_t ListRows(int rows, size_t fixed) {
  // Title and help line take two rows of the screen.
  long avail = static_cast<long>(rows) - 2 - static_cast<long>(fixed);
  return avail < 1 ? 1 : static_cast<size_t>(avail);
}

void ListView::SetCount(size_t count) {
  count_ = count;
  Clamp();
}

void ListView::SetHeight(size_t height) {
  height_ = height < 1 ? 1 : height;
  Clamp();
}

bool ListView::HandleKey(int key) {
  if (count_ == 0) return key == kKeyUp || key == kKeyDown || key == 'j' || key == 'k';
  switch (key) {
    case kKeyUp:
    case 'k':
      if (cursor_ > 0) --cursor_;
      break;
    case kKeyDown:
    case 'j':
      if (cursor_ + 1 < count_) ++cursor_;
      break;
    case kKeyPageUp:
    case 'b':  // terminals without PgUp/PgDn/Home/End keys (vt100): b, space, g, G as in less
      cursor_ = cursor_ > height_ ? cursor_ - height_ : 0;
      top_ = top_ > height_ ? top_ - height_ : 0;
      break;
    case kKeyPageDown:
    case ' ':
      cursor_ += height_;
      top_ += height_;
      break;
    case kKeyHome:
    case 'g':
      cursor_ = 0;
      break;
    case kKeyEnd:
    case 'G':
      cursor_ = count_ - 1;
      break;
    default:
      return false;
  }
  Clamp();
  return true;
}

void ListView::Clamp() {
  if (count_ == 0) {
    cursor_ = top_ = 0;
    return;
  }
  if (cursor_ >= count_) cursor_ = count_ - 1;
  // The window never runs past the end while there are items to fill it.
  size_t max_top = count_ > height_ ? count_ - height_ : 0;
  if (top_ > max_top) top_ = max_top;
  if (cursor_ < top_) top_ = cursor_;
  if (cursor_ >= top_ + height_) top_ = cursor_ + 1 - height_;
}

}  // namespace lifeboat::tui
