// The building blocks of every TUI screen, without a terminal: a frame (title,
// body lines, help line) that the ncurses renderer draws as it is, the keys
// the screens understand, text fitting for an 80-column screen, and a
// scrolling list (cursor plus the window of rows that is visible).
//
// The list keeps two numbers: the cursor (the selected item) and top (the
// first visible item). Every move or resize clamps the cursor into the list
// and then slides the window the least distance that keeps the cursor inside
// it, so the selection is always on screen, whatever the height.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lifeboat::tui {

// Keys, independent of ncurses (the renderer translates). Printable
// characters are their own code.
enum Key : int {
  kKeyUp = 0x1000,
  kKeyDown,
  kKeyPageUp,
  kKeyPageDown,
  kKeyHome,
  kKeyEnd,
  kKeyEnter,
  kKeyEscape,
  kKeyBackspace,
  kKeyInterrupt,  // Ctrl-C
};

struct Line {
  std::string text;
  bool selected = false;  // drawn in reverse video (and marked "> " in the text)
};

// What one screen shows: the title on the first row, the help line (the
// keys) on the last, the body in between.
struct Frame {
  std::string title;
  std::vector<Line> body;
  std::string help;
};

// `s` in at most `width` columns: a long path loses its middle ("C:/WIN...
// /svchost.exe" keeps both ends), other text its end, marked "...".
std::string Fit(const std::string& s, size_t width);
// `s` in lines of at most `width` columns; continuation lines are indented
// by `indent` (long paths and messages keep every character).
std::vector<Line> Wrap(const std::string& s, size_t width, size_t indent = 0);
// `s` padded with spaces or cut to exactly `width` columns.
std::string Pad(const std::string& s, size_t width);
// "1.5 MB", "14 KB", "900 B"
std::string HumanBytes(unsigned long long bytes);

// The rows available for a list on a screen of `rows` lines, when `fixed`
// lines of the body are taken by other text (at least 1).
size_t ListRows(int rows, size_t fixed);

class ListView {
 public:
  void SetCount(size_t count);
  void SetHeight(size_t height);  // visible rows (at least 1)
  // Up/Down/j/k, PgUp/PgDn (b/space), Home/End (g/G); false if the key is not a move.
  bool HandleKey(int key);

  size_t count() const { return count_; }
  size_t cursor() const { return cursor_; }
  size_t top() const { return top_; }
  size_t height() const { return height_; }
  // The visible items are [top, end).
  size_t end() const { return top_ + height_ < count_ ? top_ + height_ : count_; }

 private:
  void Clamp();
  size_t count_ = 0, cursor_ = 0, top_ = 0, height_ = 1;
};

}  // namespace lifeboat::tui
