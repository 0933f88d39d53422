#pragma once

#include <string>

#include "drivers/clad/cloud_mic_messages.h"

namespace vic_r1::intent {

// Whether an intent vic-engine is about to get carries an answer the voice
// server wrote itself: a knowledge-graph response with a non-empty `answer`
// in its parameters, which the engine's KnowledgeGraphQuestion behaviour
// speaks (behaviorKnowledgeGraphQuestion.cpp:139-146, 205-215). DDL's cloud
// fills it from its own knowledge service; wire-pod from its knowledge-graph
// provider (Houndify, or an LLM when one is set in its settings), as
// SpokenText (wire-pod chipper/pkg/wirepod/preqs/knowledgegraph.go,
// ProcessKnowledgeGraph), which vic-cloud passes on as `answer`.
//
// The answer, trimmed, goes to `answer`; nothing is allocated when `answer`
// has the capacity of an intent datagram.
bool voice_server_answer_of(const clad::IntentResult& result, std::string& answer);

}  // namespace vic_r1::intent
