// The transitions table: every {state, input} pair is either a listed
// transition or illegal (and an illegal input changes nothing), every path
// to CLOSED deals with both legs, and nothing leaves CLOSED.
#include "mcp_core/transitions.h"

#include <set>

#include "gtest/gtest.h"

namespace mcp_core {
namespace {

TEST(TransitionsTest, LookupMatchesTableAndIllegalIsNullopt) {
  std::set<std::pair<int, int>> listed;
  for (const Transition& t : AllTransitions()) {
    EXPECT_TRUE(listed.insert({int(t.from), int(t.input)}).second)
        << "duplicate " << StateName(t.from) << " " << InputName(t.input);
  }
  for (int s = 0; s < kNumStates; ++s) {
    for (int i = 0; i < kNumInputs; ++i) {
      const auto t = NextTransition(State(s), Input(i));
      EXPECT_EQ(t.has_value(), listed.count({s, i}) == 1) << StateName(State(s)) << " " << InputName(Input(i));
      if (t) {
        EXPECT_EQ(t->from, State(s));
        EXPECT_EQ(t->input, Input(i));
      }
    }
  }
}

TEST(TransitionsTest, ClosedIsTerminal) {
  for (int i = 0; i < kNumInputs; ++i) EXPECT_FALSE(NextTransition(State::kClosed, Input(i)));
}

// A leg that is still open when the pair closes must be aborted or closed:
// whichever side did not cause the transition gets an action.
TEST(TransitionsTest, EveryCloseHandlesTheOtherLeg) {
  for (const Transition& t : AllTransitions()) {
    if (t.to != State::kClosed) continue;
    const std::string name = std::string(StateName(t.from)) + " " + InputName(t.input);
    const bool from_up = t.input == Input::kUpReset || t.input == Input::kUpFastClose || t.input == Input::kUpFin;
    const bool from_down = t.input == Input::kDownRefused || t.input == Input::kDownReset ||
                           t.input == Input::kDownFastClose || t.input == Input::kDownTimedOut ||
                           t.input == Input::kDownFin;
    if (!from_up) {
      EXPECT_TRUE(t.actions & (kAbortUpstream | kCloseUpstream)) << name;
    }
    if (!from_down) {
      EXPECT_TRUE(t.actions & (kAbortDownstream | kCloseDownstream)) << name;
    }
  }
}

TEST(TransitionsTest, EveryNonTerminalStateCanEnd) {
  // Each live state has a timer transition, so no pair can live forever.
  for (State s : {State::kAwaitingServer, State::kAwaitingEcho, State::kAwaitingEchoBytes, State::kFallingBack}) {
    EXPECT_TRUE(NextTransition(s, Input::kSetupTimer)) << StateName(s);
  }
  for (State s : {State::kEstablished, State::kUpstreamClosed, State::kDownstreamClosed}) {
    EXPECT_TRUE(NextTransition(s, Input::kIdleTimer)) << StateName(s);
  }
}

TEST(TransitionsTest, NamesAreDistinct) {
  std::set<std::string> states, inputs;
  for (int s = 0; s < kNumStates; ++s) states.insert(StateName(State(s)));
  for (int i = 0; i < kNumInputs; ++i) inputs.insert(InputName(Input(i)));
  EXPECT_EQ(states.size(), size_t(kNumStates));
  EXPECT_EQ(inputs.size(), size_t(kNumInputs));
}

}  // namespace
}  // namespace mcp_core
