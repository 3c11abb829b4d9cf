// SPDX-License-Identifier: Apache-2.0
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

// Each live state runs a timer, and the table has the row for it, so no
// pair can live forever; the timer a state runs says which input that is.
TEST(TransitionsTest, EveryLiveStateRunsATimerWithARow) {
  for (int s = 0; s < kNumStates; ++s) {
    const State state = State(s);
    const StateInfo& info = InfoOf(state);
    if (state == State::kClosed) {
      EXPECT_EQ(info.timer, Timer::kNone);
      continue;
    }
    ASSERT_NE(info.timer, Timer::kNone) << StateName(state);
    const Input fires = info.timer == Timer::kIdle ? Input::kIdleTimer : Input::kSetupTimer;
    EXPECT_TRUE(NextTransition(state, fires)) << StateName(state);
  }
}

// Half-open states are the setups: they run the setup timer, and only they.
TEST(TransitionsTest, HalfOpenStatesAreExactlyTheSetups) {
  for (int s = 0; s < kNumStates; ++s) {
    const StateInfo& info = InfoOf(State(s));
    const bool setup_timer = info.timer == Timer::kSetup || info.timer == Timer::kSetupContinues ||
                             info.timer == Timer::kServerSetup;
    EXPECT_EQ(info.half_open, setup_timer) << StateName(State(s));
  }
}

// Entering ESTABLISHED answers the customer side, and a setup failure that
// ends the pair says so: the events a log reader relies on are in the table.
TEST(TransitionsTest, RowsIntoEstablishedAnswerAndSetupDeathsAreNamed) {
  EXPECT_EQ(InfoOf(State::kEstablished).on_entry, EventKind::kPairEstablished);
  EXPECT_EQ(InfoOf(State::kClosed).on_entry, EventKind::kPairClosed);
  for (const Transition& t : AllTransitions()) {
    const std::string name = std::string(StateName(t.from)) + " " + InputName(t.input);
    if (t.to == State::kEstablished) {
      EXPECT_TRUE(t.actions & kAnswerUpstream) << name;
    }
    const bool downstream_cause = t.input == Input::kDownRefused || t.input == Input::kDownTimedOut ||
                                  t.input == Input::kSetupTimer || t.input == Input::kDownReset ||
                                  t.input == Input::kDownFastClose;
    if (InfoOf(t.from).half_open && t.to == State::kClosed && downstream_cause) {
      EXPECT_EQ(t.event, EventKind::kSetupFailed) << name;
    }
    if (t.input == Input::kIdleTimer) {
      EXPECT_EQ(t.event, EventKind::kIdleTimeout) << name;
    }
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
