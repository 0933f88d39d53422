"""What vic-engine does with an intent from vic-cloud: what it shows, plays
and says, given what it was doing when the intent came.

Read from the engine's behaviour sources (wire-os-victor,
engine/aiComponent/behaviorComponent/; resources/config/engine/
behaviorComponent/user_intent_map.json). Only what decides between
"quiet", "loud" and "speaks" is modelled; the clips are named by their
animation groups, as the behaviours name them.

What the engine is doing (`during`):
  * "voice_command": ReactToVoiceCommand, after the wake word, waiting for
    the intent of that voice request. Also used with no wake word at all:
    an intent is then pending all the same and the same behaviours claim it.
  * "knowledge_session": KnowledgeGraphQuestion listening for the answer to
    "I have a question" (entered on knowledge_question).

Outcomes:
  * QUIET_GET_OUT: the fail earcon, ag_vc_listening_getout, ag_vc_wakeword_idk;
    no speech, no turn (behaviorReactToVoiceCommand.cpp:816-820, 848-867, 948,
    978-981, 993-995; triggerWordWithoutIntent.json:21; the AttentionTransfer
    feature that would add "look at the phone" is off, features.json:59-60).
  * KNOWLEDGE_SESSION: KnowledgeGraphGetIn, the ready prompt, then listening
    (behaviorKnowledgeGraphQuestion.cpp:130-166).
  * SPEAKS_ANSWER: KnowledgeGraphQuestion speaks the answer it was given
    (:139-146, 205-215, 283-326).
  * KNOWLEDGE_FAIL: the end earcon and the searching-then-fail sequence,
    ag_knowledgegraph_searching_getin/_searching/_fail/_fail_getout
    (:283-338, 369-379, 479-493).
  * KNOWLEDGE_FAIL_THEN_CANT_DO_THAT: the same, and the intent the session
    did not consume is left unclaimed: after 3 engine ticks
    ReactToUnclaimedIntent plays ag_communication_cantdothat
    (userIntentComponent.cpp:58, 905-933; behaviorReactToUnclaimedIntent.cpp:47-81).
  * CANT_DO_THAT: an intent nothing claims (a knowledge answer outside a
    session), the same unclaimed reaction.
  * HANDLED: a command the engine carries out as it always does.
"""

from typing import NamedTuple, Optional

QUIET_GET_OUT = "quiet_get_out"
KNOWLEDGE_SESSION = "knowledge_session"
SPEAKS_ANSWER = "speaks_answer"
KNOWLEDGE_FAIL = "knowledge_fail"
KNOWLEDGE_FAIL_THEN_CANT_DO_THAT = "knowledge_fail_then_cant_do_that"
CANT_DO_THAT = "cant_do_that"
HANDLED = "handled"

VOICE_COMMAND = "voice_command"
IN_KNOWLEDGE_SESSION = "knowledge_session"

# user_intent_map.json: the cloud intents that matter here; anything not
# listed maps to "unmatched_intent" (the file's default), which ReactToVoiceCommand
# treats as an unknown intent.
USER_INTENTS = {
    "intent_system_noaudio": "silence",
    "intent_knowledge_promptquestion": "knowledge_question",
    "intent_knowledge_response_extend": "knowledge_response",
    "intent_knowledge_response_extend_bypass": "knowledge_response_bypass",
    "intent_knowledge_no_response": "knowledge_unknown",
    "intent_greeting_hello": "greeting_hello",
    "intent_imperative_shutup": "imperative_shutup",
    "intent_system_sleep": "system_sleep",
    "intent_system_charger": "system_charger",
    "intent_weather_extend": "weather_response",
    "intent_clock_settimer_extend": "set_timer",
}


class Reaction(NamedTuple):
    intent: str
    user_intent: str
    during: str
    outcome: str
    says: Optional[str]       # what the engine speaks through vic-anim, if anything


def user_intent_of(intent: str) -> str:
    return USER_INTENTS.get(intent, "unmatched_intent")


def react(during: str, intent: str, answer: str) -> (Reaction, str):
    """The engine's reaction to `intent` (with the knowledge `answer` from
    its parameters, "" if none) and what it is doing afterwards."""
    user_intent = user_intent_of(intent)

    def reaction(outcome, says=None):
        return Reaction(intent, user_intent, during, outcome, says)

    if during == IN_KNOWLEDGE_SESSION:
        # ConsumeResponse: an answer is spoken; an empty answer, knowledge_unknown
        # or unmatched end in the fail sequence; anything else is not consumed.
        if user_intent == "knowledge_response" and answer:
            return reaction(SPEAKS_ANSWER, answer), VOICE_COMMAND
        if user_intent in ("knowledge_response", "knowledge_unknown", "unmatched_intent"):
            return reaction(KNOWLEDGE_FAIL), VOICE_COMMAND
        return reaction(KNOWLEDGE_FAIL_THEN_CANT_DO_THAT), VOICE_COMMAND
    if user_intent in ("silence", "unmatched_intent"):
        return reaction(QUIET_GET_OUT), VOICE_COMMAND
    if user_intent == "knowledge_question":
        return reaction(KNOWLEDGE_SESSION), IN_KNOWLEDGE_SESSION
    if user_intent == "knowledge_response_bypass":
        # Starts KnowledgeGraphQuestion with the answer already there; an
        # empty one ends in the fail sequence instead.
        return reaction(SPEAKS_ANSWER if answer else KNOWLEDGE_FAIL, answer or None), VOICE_COMMAND
    if user_intent in ("knowledge_response", "knowledge_unknown"):
        return reaction(CANT_DO_THAT), VOICE_COMMAND
    return reaction(HANDLED), VOICE_COMMAND
