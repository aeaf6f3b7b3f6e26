// Phase names and the null progress sink.
#include "recovery/progress.h"

namespace lifeboat {

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kScan:
      return "scan";
    case Phase::kSearch:
      return "search";
    case Phase::kRepair:
      return "repair";
    case Phase::kUndo:
      return "undo";
  }
  return "?";
}

ProgressSink& NullProgress() {
  static ProgressSink sink;
  return sink;
}

}  // namespace lifeboat
