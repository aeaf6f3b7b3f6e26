// The TUI's view-models (ui/tui/list_view.h, ui/tui/screens.h), without a
// terminal: scrolling, resize, cancel, confirm, state words, fitting 80 columns.
#include <doctest/doctest.h>

#include "recovery/sha256.h"
#include "ui/tui/list_view.h"
#include "ui/tui/screens.h"

namespace lifeboat::tui {
namespace {

bool CursorVisible(const ListView& l) { return l.cursor() >= l.top() && l.cursor() < l.end(); }

VolumeReport Volume(const std::string& id) {
  VolumeReport v;
  v.id = id;
  v.source = "image";
  v.fs = "ntfs";
  v.size = 40ull << 30;
  return v;
}

std::vector<FindingItem> Items(size_t n) {
  std::vector<FindingItem> items(n);
  for (size_t i = 0; i < n; ++i) {
    items[i].path = "WINDOWS/system32/file" + std::to_string(i) + ".dll";
    items[i].state = "MISSING";
    items[i].source = "dllcache:file" + std::to_string(i) + ".dll";
  }
  return items;
}

size_t SelectedRows(const Frame& f) {
  size_t n = 0;
  for (const Line& l : f.body) n += l.selected;
  return n;
}

TEST_CASE("list: cursor and window stay together at both edges") {
  ListView l;
  l.SetHeight(5);
  l.SetCount(12);
  CHECK(l.cursor() == 0);
  CHECK(l.HandleKey(kKeyUp));  // at the top: stays
  CHECK(l.cursor() == 0);
  CHECK(l.top() == 0);
  for (int i = 0; i < 5; ++i) l.HandleKey('j');
  CHECK(l.cursor() == 5);
  CHECK(l.top() == 1);  // scrolled by one to show row 5
  CHECK(CursorVisible(l));
  l.HandleKey(kKeyEnd);
  CHECK(l.cursor() == 11);
  CHECK(l.top() == 7);
  CHECK(l.end() == 12);
  l.HandleKey(kKeyDown);  // at the bottom: stays
  CHECK(l.cursor() == 11);
  l.HandleKey(kKeyHome);
  CHECK(l.cursor() == 0);
  CHECK(l.top() == 0);
  CHECK_FALSE(l.HandleKey('x'));
}

TEST_CASE("list: PgUp and PgDn move a page and clamp at the ends") {
  ListView l;
  l.SetHeight(10);
  l.SetCount(25);
  l.HandleKey(kKeyPageDown);
  CHECK(l.cursor() == 10);
  CHECK(l.top() == 10);
  l.HandleKey(kKeyPageDown);
  CHECK(l.cursor() == 20);
  CHECK(l.top() == 15);  // the window never runs past the last item
  CHECK(CursorVisible(l));
  l.HandleKey(kKeyPageDown);
  CHECK(l.cursor() == 24);
  l.HandleKey(kKeyPageUp);
  CHECK(l.cursor() == 14);
  CHECK(CursorVisible(l));
  l.HandleKey(kKeyPageUp);
  l.HandleKey(kKeyPageUp);
  CHECK(l.cursor() == 0);
  CHECK(l.top() == 0);
  // Terminals without those keys (vt100): space, b, G, g as in less.
  l.HandleKey(' ');
  CHECK(l.cursor() == 10);
  l.HandleKey('b');
  CHECK(l.cursor() == 0);
  l.HandleKey('G');
  CHECK(l.cursor() == 24);
  l.HandleKey('g');
  CHECK(l.cursor() == 0);
}

TEST_CASE("list: an empty list ignores moves") {
  ListView l;
  l.SetHeight(5);
  l.SetCount(0);
  l.HandleKey(kKeyDown);
  l.HandleKey(kKeyEnd);
  CHECK(l.cursor() == 0);
  CHECK(l.end() == 0);
}

TEST_CASE("findings: resize 80x25 -> 80x40 -> 80x25 keeps the cursor visible") {
  FindingsScreen s({"Volume: /mnt/win", "Manifest: xp.sha256", "Signature: [VERIFIED]"}, Items(60), 60);
  Frame f = s.Render(25, 80);
  size_t h25 = s.list().height();
  CHECK(h25 >= 10);
  CHECK(f.body.size() + 2 <= 25);  // title + body + help fit the screen
  for (int i = 0; i < 30; ++i) s.HandleKey(kKeyDown);
  s.Render(25, 80);
  CHECK(s.list().cursor() == 30);
  CHECK(CursorVisible(s.list()));
  f = s.Render(40, 80);
  CHECK(s.list().height() == h25 + 15);
  CHECK(CursorVisible(s.list()));
  CHECK(f.body.size() + 2 <= 40);
  s.HandleKey(kKeyEnd);
  f = s.Render(40, 80);
  CHECK(s.list().cursor() == 59);
  f = s.Render(25, 80);  // back to 25 rows at the end of the list
  CHECK(s.list().height() == h25);
  CHECK(CursorVisible(s.list()));
  CHECK(f.body.size() + 2 <= 25);
  CHECK(SelectedRows(f) == 1);
  // The selected row says so in text too.
  for (const Line& l : f.body)
    if (l.selected) CHECK(l.text.rfind("> ", 0) == 0);
}

TEST_CASE("findings: Enter opens the detail, r repairs only when something can be") {
  std::vector<FindingItem> items = Items(3);
  items[1].source = "Quarantine/4a5b.bup:File_0, was C:/WINDOWS/system32/svchost.exe";
  FindingsScreen s({}, items, 3);
  s.Render(25, 80);
  s.HandleKey(kKeyDown);
  CHECK(s.HandleKey(kKeyEnter) == Action::kChoose);
  REQUIRE(s.selected() != nullptr);
  CHECK(s.selected()->path == items[1].path);
  CHECK(s.HandleKey('r') == Action::kRepair);
  CHECK(s.HandleKey('q') == Action::kBack);
  FindingsScreen none({}, Items(2), 0);
  CHECK(none.HandleKey('r') == Action::kNone);

  FindingItem it = items[1];
  it.origin = "C:/WINDOWS/system32/svchost.exe";
  it.expected = std::string(64, 'a');
  Frame d = DetailFrame(it, 80);
  bool origin = false, expected = false;
  for (const Line& l : d.body) {
    origin |= l.text.find("Quarantined from: C:/WINDOWS/system32/svchost.exe") != std::string::npos;
    expected |= l.text.find(std::string(64, 'a')) != std::string::npos;
    CHECK(l.text.size() <= 80);
  }
  CHECK(origin);
  CHECK(expected);
  CHECK(DetailKey(kKeyEscape) == Action::kBack);
}

TEST_CASE("findings: built from the report and the plan, ok files left out") {
  Digest good{};
  good[0] = 1;
  Digest bad{};
  bad[0] = 2;
  RunReport r;
  r.files.resize(6);
  r.files[0] = FileReport{"WINDOWS/system32/ntdll.dll", FileState::kOk, good, good, "", ""};
  r.files[1] = FileReport{"WINDOWS/system32/svchost.exe", FileState::kMissing, good, std::nullopt,
                          "Quarantine/4a5b.bup:File_0, was C:/WINDOWS/system32/svchost.exe", ""};
  r.files[2] = FileReport{"WINDOWS/system32/drivers/tcpip.sys", FileState::kUnrepaired, bad, good, "", "no copy"};
  r.files[3] = FileReport{"WINDOWS/system32/gone.dll", FileState::kUnrepaired, bad, std::nullopt, "", "no copy"};
  r.files[4] = FileReport{"WINDOWS/system32/drivers/C-00000291.sys", FileState::kKnownBad, std::nullopt, bad, "", ""};
  r.files[5] = FileReport{"WINDOWS/system32/drivers/C-00000292.sys", FileState::kUnlisted, std::nullopt, good, "", ""};
  RepairPlan plan;
  plan.steps.resize(2);
  plan.steps[0].kind = StepKind::kRestore;
  plan.steps[0].expected = good;
  plan.steps[0].size = 14336;
  plan.steps[1].kind = StepKind::kRemove;
  plan.steps[1].path = "WINDOWS/system32/drivers/C-00000291.sys";
  std::vector<FindingItem> items = FindingItems(r, plan);
  REQUIRE(items.size() == 4);
  CHECK(items[0].state == "MISSING");
  CHECK(items[0].size == 14336);
  CHECK(items[0].origin == "C:/WINDOWS/system32/svchost.exe");
  CHECK(items[0].expected == ToHex(good));
  CHECK(items[0].found.empty());
  CHECK(items[1].state == "CORRUPT");  // unrepairable, but its scan state is what the technician needs
  CHECK(items[1].found == ToHex(good));
  CHECK(items[1].source.empty());
  CHECK(items[2].state == "MISSING");
  CHECK(items[3].state == "KNOWN-BAD");
  CHECK(items[3].source == "(to be moved aside)");
}

TEST_CASE("scan: Esc or q sets the cancel token") {
  for (int key : {static_cast<int>(kKeyEscape), static_cast<int>('q')}) {
    CancelToken cancel;
    ProgressScreen p("checking /mnt/win", {"Manifest: xp"}, &cancel);
    p.Begin(Phase::kScan, 16, 1000);
    p.Advance(4, 250);
    CHECK(p.HandleKey('x') == Action::kNone);
    CHECK_FALSE(cancel.cancelled());
    CHECK(p.HandleKey(key) == Action::kCancel);
    CHECK(cancel.cancelled());
    Frame f = p.Render(25, 80);
    bool said = false;
    for (const Line& l : f.body) said |= l.text.find("nothing will be written") != std::string::npos;
    CHECK(said);
  }
}

TEST_CASE("scan: the progress screen shows files, bytes, a bar and the rate") {
  CancelToken cancel;
  ProgressScreen p("checking", {}, &cancel);
  p.Begin(Phase::kScan, 10, 2048);
  p.Advance(5, 1024);
  Frame f = p.Render(25, 80, std::chrono::steady_clock::now() + std::chrono::seconds(2));
  std::string all;
  for (const Line& l : f.body) {
    all += l.text + "\n";
    CHECK(l.text.size() <= 80);
  }
  CHECK(all.find("Files 5 of 10") != std::string::npos);
  CHECK(all.find(" 50%") != std::string::npos);
  CHECK(all.find("ETA") != std::string::npos);
  CHECK(all.find("[####") != std::string::npos);
}

TEST_CASE("confirm: only y says yes") {
  ConfirmScreen c(3, "/mnt/win");
  for (int key : {static_cast<int>(kKeyEnter), static_cast<int>(' '), static_cast<int>('x'), static_cast<int>('1')})
    CHECK(c.HandleKey(key) == Action::kNone);
  CHECK(c.HandleKey('n') == Action::kNo);
  CHECK(c.HandleKey(kKeyEscape) == Action::kNo);
  CHECK(c.HandleKey('q') == Action::kNo);
  CHECK(c.HandleKey('y') == Action::kYes);
  Frame f = c.Render(25, 80);
  bool asked = false;
  for (const Line& l : f.body) asked |= l.text == "Repair 3 file(s)? y/n";
  CHECK(asked);
}

TEST_CASE("volumes: states are words, and unsafe volumes cannot be chosen") {
  std::vector<VolumeReport> v = {Volume("disk.img#1"), Volume("disk.img#2"), Volume("disk.img#3"),
                                 Volume("disk.img#4"), Volume("disk.img#5")};
  v[0].windows.push_back(WindowsInstall{});
  v[0].windows[0].name = "Windows XP";
  v[0].windows[0].sp = 3;
  v[0].windows[0].arch = "x86";
  CHECK(WindowsText(v[0]) == "XP SP3 x86");
  v[1].hibernation = HiberState::kHibernated;
  v[1].unsafe_reasons = {"Windows is hibernated: boot it and shut down fully"};
  v[2].bitlocker = true;
  v[2].unsafe_reasons = {"BitLocker-encrypted"};
  v[3].dirty = true;
  v[3].unsafe_reasons = {"NTFS is marked dirty: run chkdsk"};
  v[4].read_only = true;
  v[4].unsafe_reasons = {"the device is read-only"};
  CHECK(VolumeStateLabel(v[0]) == "OK");
  CHECK(VolumeStateLabel(v[1]) == "HIBERNATED");
  CHECK(VolumeStateLabel(v[2]) == "BITLOCKER LOCKED");
  CHECK(VolumeStateLabel(v[3]) == "DIRTY");
  CHECK(VolumeStateLabel(v[4]) == "READ-ONLY");

  VolumesScreen s(v);
  Frame f = s.Render(25, 80);
  std::string all;
  for (const Line& l : f.body) {
    all += l.text + "\n";
    CHECK(l.text.size() <= 80);
  }
  for (const char* word : {"[OK]", "[HIBERNATED]", "[BITLOCKER LOCKED]", "[DIRTY]", "[READ-ONLY]"})
    CHECK(all.find(word) != std::string::npos);
  CHECK(all.find("OK: safe to repair") != std::string::npos);  // the selected volume's state explained
  CHECK(f.help.find("q: quit") != std::string::npos);
  CHECK(s.HandleKey(kKeyEnter) == Action::kChoose);
  s.HandleKey(kKeyDown);
  CHECK(s.HandleKey(kKeyEnter) == Action::kNone);  // hibernated: refused, with the reason
  f = s.Render(25, 80);
  all.clear();
  for (const Line& l : f.body) all += l.text + "\n";
  CHECK(all.find("Cannot repair disk.img#2: HIBERNATED") != std::string::npos);
  s.HandleKey(kKeyDown);
  CHECK(s.HandleKey(kKeyEnter) == Action::kUnlock);  // BitLocker: the password opens it
  s.HandleKey(kKeyDown);
  CHECK(s.HandleKey(kKeyEnter) == Action::kNone);  // dirty
  CHECK(s.HandleKey('q') == Action::kQuit);
}

TEST_CASE("BitLocker password: masked, digits only, 48 of them") {
  PasswordScreen p("disk.img#2");
  const std::string pw = "123456-234567-345678-456789-567890-678901-789012-890123";
  for (char c : pw.substr(0, 20)) CHECK(p.HandleKey(c) == Action::kNone);
  p.HandleKey('x');  // not a digit: ignored
  CHECK(p.HandleKey(kKeyEnter) == Action::kNone);  // too short
  Frame f = p.Render(25, 80);
  std::string all;
  for (const Line& l : f.body) all += l.text + "\n";
  CHECK(all.find("Recovery password: ******-******-******_") != std::string::npos);
  CHECK(all.find("123456") == std::string::npos);  // never shown
  CHECK(all.find("18 of 48 digits") != std::string::npos);
  CHECK(all.find("A recovery password has 48 digits") != std::string::npos);
  p.HandleKey(kKeyBackspace);
  for (char c : pw.substr(19)) p.HandleKey(c);
  CHECK(p.value() == pw);
  CHECK(p.HandleKey(kKeyEnter) == Action::kYes);
  CHECK(p.HandleKey(kKeyEscape) == Action::kNo);
}

TEST_CASE("long paths are shortened to fit 80 columns, keeping the file name") {
  std::string path = "WINDOWS/" + std::string(120, 'x') + "/system32/drivers/tcpip.sys";
  std::string fit = Fit(path, 40);
  CHECK(fit.size() == 40);
  CHECK(fit.find("...") != std::string::npos);
  CHECK(fit.substr(fit.size() - 10) == "/tcpip.sys");
  CHECK(Fit("short", 40) == "short");
  std::vector<Line> wrapped = Wrap(path, 60, 4);
  REQUIRE(wrapped.size() == 3);
  CHECK(wrapped[1].text.rfind("    ", 0) == 0);
  std::string joined = wrapped[0].text + wrapped[1].text.substr(4) + wrapped[2].text.substr(4);
  CHECK(joined == path);  // nothing lost
  for (const Line& l : wrapped) CHECK(l.text.size() <= 60);
  // Text breaks between words.
  std::vector<Line> words = Wrap("Windows is hibernated or shut down with Fast Startup: boot it and shut down fully", 40, 2);
  REQUIRE(words.size() == 3);
  CHECK(words[0].text == "Windows is hibernated or shut down with");
  CHECK(words[1].text == "  Fast Startup: boot it and shut down");
  CHECK(words[2].text == "  fully");

  std::vector<FindingItem> items = Items(1);
  items[0].path = path;
  items[0].source = "payload.tar.gz:" + std::string(100, 'y');
  FindingsScreen s({"Volume: " + std::string(200, 'v')}, items, 1);
  Frame f = s.Render(25, 80);
  CHECK(f.title.size() <= 80);
  CHECK(f.help.size() <= 80);
  for (const Line& l : f.body) CHECK(l.text.size() <= 80);
}

TEST_CASE("summary: exit state in words, the report path, and u undoes") {
  RunReport r;
  r.target = "/mnt/win";
  r.run_id = "20261129-143015-3f9a";
  r.summary.restored = 3;
  r.exit_code = kExitRepaired;
  SummaryScreen s(r, "/run/lifeboat/reports/lifeboat-20261129-143015-3f9a.json", "");
  Frame f = s.Render(25, 80);
  std::string all;
  for (const Line& l : f.body) all += l.text + "\n";
  CHECK(all.find("Result:    repaired (exit 1)") != std::string::npos);
  CHECK(all.find("Restored:  3") != std::string::npos);
  CHECK(all.find("Report saved to:\n  /run/lifeboat/reports/lifeboat-20261129-143015-3f9a.json") != std::string::npos);
  CHECK(f.help.find("u: Undo this repair") != std::string::npos);
  CHECK(s.HandleKey('u') == Action::kUndo);
  RunReport none;
  SummaryScreen nothing(none, "x.json", "");
  CHECK(nothing.HandleKey('u') == Action::kNone);  // no run: nothing to undo
  CHECK(ExitWords(kExitRepaired | kExitProblemsLeft) == "partly repaired: problems left");
  CHECK(ExitWords(kExitCancelled) == "cancelled");
}

}  // namespace
}  // namespace lifeboat::tui
