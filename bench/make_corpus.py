"""Build the recognition benchmark corpus: long streams with spoken commands at known times.

    .venv/bin/python bench/make_corpus.py                  # dev split -> bench/corpus/dev/
    .venv/bin/python bench/make_corpus.py --split test     # held-out split -> bench/corpus/test/
    .venv/bin/python bench/make_corpus.py --tiny --out /tmp/c   # one short stream (smoke test)

Each condition is one stream (~2.5-3 min): every command phrase of the default vocabulary
(twice), ordinary sentences that must not trigger anything (negatives), and the coach's own
cue sentences (from the bundled scripts and the coach's replies), separated by pauses, over a
background at a given SNR. Per condition: CONDITION.wav and CONDITION.truth.json (a list of
{phrase, command, start, end, voice, kind, ...}); plus manifest.json for the split.

Generation is deterministic (seeded). The dev and test splits use disjoint voices, disjoint
negative sentences and different seeds, so a recognizer tuned on dev can be reported on test.
An up-to-date corpus is not rebuilt (use --force).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import audio_gen as ag  # noqa: E402
from audio_gen import SR, Voice  # noqa: E402
from provenance import generator_versions, provenance  # noqa: E402

from coach.words import log_values  # noqa: E402
from coach.words.vocabulary import (  # noqa: E402
    COMMANDS,  # noqa: E402
    DEFAULT_PHRASES,
    normalise,
)

VERSION = 1
DEFAULT_OUT = HERE / "corpus"

# ---------------------------------------------------------------------------
# Voices (disjoint between splits)
# ---------------------------------------------------------------------------

VOICES: dict[str, list[Voice]] = {
    "dev": [
        Voice("espeak", "en-us", 165, 50),
        Voice("espeak", "en-gb+f3", 150, 65),
        Voice("espeak", "en-gb-scotland+m3", 175, 40),
        Voice("espeak", "en-029+f2", 145, 55),
        Voice("espeak", "en-us+klatt", 160, 45),
        Voice("espeak", "en-us+Andy", 155, 50),
        Voice("flite", "kal", 1.0),
        Voice("flite", "slt", 1.1, 180),
        Voice("hibari", "us", 1.0),
    ],
    "test": [
        Voice("espeak", "en-gb-x-rp+f4", 155, 70),
        Voice("espeak", "en-us-nyc+m2", 170, 35),
        Voice("espeak", "en-gb-x-gbclan+f5", 150, 60),
        Voice("espeak", "en-gb-x-gbcwmd+klatt3", 165, 45),
        Voice("espeak", "en-us+Annie", 160, 55),
        Voice("espeak", "en+belinda", 150, 50),
        Voice("flite", "rms", 1.05),
        Voice("flite", "awb", 0.95),
        Voice("hibari", "gb", 1.15, -150),
    ],
}
# The coach's own voice (what a microphone hears from the speaker): the product's TTS,
# so the same in both splits. pyttsx3 renders with espeak-ng's default voice.
COACH_VOICES = [Voice("espeak", "en", 175), Voice("hibari", "us", 1.0)]
# Babble talkers: other people in the gym (espeak/flite only: fast).
BABBLE_VOICES: dict[str, list[Voice]] = {
    split: [v for v in voices if v.engine != "hibari"] for split, voices in VOICES.items()
}
# The talkers of a TV or a crowd: voices no athlete of the split has. Hibari, the most
# like a person, reads the TV in most streams; the crowd mixes all of a split's.
TALK_VOICES: dict[str, list[Voice]] = {
    "dev": [
        Voice("hibari", "gb", 1.0, 250),
        Voice("espeak", "en-gb-x-rp+m4", 170, 45),
        Voice("flite", "rms", 1.0),
        Voice("espeak", "en-us+f1", 165, 60),
    ],
    "test": [
        Voice("hibari", "us", 0.95, -250),
        Voice("espeak", "en-gb+m7", 160, 40),
        Voice("flite", "kal", 1.05, 120),
        Voice("espeak", "en-us-nyc+f2", 170, 55),
    ],
}
TALK_ROOM_DB = 35.0  # the room's noise floor under the talk, dB
SEEDS = {"dev": 1000, "test": 2000}
TEMPO_RANGE = (0.85, 1.2)

# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

# Ordinary speech: no command phrase in it (checked), some sound-alikes (text/next,
# steady/ready, paws/pause, stock/stop). Split between dev and test by position.
NEGATIVES = [
    "My knee feels a little tight today.",
    "Send me a text when you get home.",
    "I think the water bottle is under the bench.",
    "Is this the steady state cardio day?",
    "The dog keeps chewing on his paws.",
    "We should buy some more chalk for the rack.",
    "That playlist is way too loud for this early.",
    "Did you see the game last night?",
    "I had oatmeal with berries for breakfast.",
    "The stock market was up a little this morning.",
    "My sister moved to a new flat in the city.",
    "Remember to drink water between the sets.",
    "The parking lot was completely full again.",
    "These shoes are great for running on grass.",
    "I want to try the new protein bars.",
    "She booked a table for seven thirty.",
    "The weather looks nice for a walk this afternoon.",
    "Text me the address of the climbing gym.",
    "My phone battery is almost empty.",
    "The coffee machine in the lobby is broken.",
    "I usually train in the evening after work.",
    "We painted the kitchen a light shade of green.",
    "Honestly, the music in here is pretty good.",
    "The bus was twenty minutes late this morning.",
    "Let me grab a towel from the locker room.",
    "That new bakery sells amazing sourdough bread.",
    "I forgot my headphones in the car.",
    "The kids have swimming lessons on Thursday.",
    "He ran a marathon in under four hours.",
    "We are thinking about a trip to the mountains.",
    "The mat smells like a rubber factory.",
    "Those dumbbells are heavier than they look.",
    "My neighbour plays the piano every evening.",
    "Can you pass me the foam roller?",
    "The library closes early on Sundays.",
    "I think it will rain over the weekend.",
    "The ceiling fan makes a funny noise.",
    "Our team lost by a single point.",
    "I bought a bag of apples at the market.",
    "The steady rain kept us inside all day.",
]

# Sentences that contain command words in a context where a reasonable listener should not
# act on them. Scored as negatives, but only in the separate hard-negatives condition.
HARD_NEGATIVES = [
    "I'll see you next week at the same time.",
    "Could you stop by later and pick up the keys?",
    "Did you get the resume I sent you on Monday?",
    "My lower back has been sore since yesterday.",
    "Dinner is ready whenever you are.",
    "We're almost done painting the kitchen.",
    "Please hold on to the railing on the stairs.",
    "He asked for help with his homework.",
    "The next bus leaves in ten minutes.",
    "They want to continue the meeting after lunch.",
    "Let's go back to the car and grab our jackets.",
    "What's the status of the delivery?",
    "I always skip breakfast on weekdays.",
    "Could you say that again a bit slower?",
    "She runs faster than anyone on the team.",
    "Let's pause the movie and make some popcorn.",
    "I had to repeat the whole course last year.",
    "The previous owner painted the fence blue.",
    "How many left turns until the station?",
    "I'm not ready to stop working out for the winter.",
    "Well done on finishing the race yesterday.",
    "Can you help me carry these boxes next door?",
    "The workout last night was brutal, I could barely stop shaking.",
    "Hold on, I think I left my keys at home.",
    "The status bar on my phone is cracked.",
    "I'm done with that book, you can borrow it.",
    "Turn left at the bakery and go back two blocks.",
    "He wrote a book about how to help people sleep.",
]

# Babble: other conversations in the room (no command words either).
BABBLE = NEGATIVES + [
    "The quarterly report is due at the end of the month.",
    "We took the train along the coast all the way to the harbour.",
    "Their garden has tomatoes, beans and three kinds of lettuce.",
    "I can't believe how expensive the tickets were this year.",
    "My cousin just adopted a very fluffy grey cat.",
    "The museum has a new exhibition about ancient maps.",
]

# Other people talking: a TV, a radio, people chatting in a gym. Read on end, so the
# talk rarely pauses; a quarter of it has a command word in it ("the next train",
# "please stop"), which must not become a command. Split between dev and test by
# position, as the negatives are.
TALK = [
    "Good evening, and welcome to the six o'clock news from our studio in the city.",
    "Traffic on the northern ring road is moving again after this morning's accident.",
    "Police have asked drivers to stop at the checkpoint and show their papers.",
    "The weather service expects heavy rain along the coast by the weekend.",
    "In sport, the home side came back from two goals down to win the match.",
    "The next train to the airport will now depart from platform nine.",
    "Scientists say the glacier has lost almost a third of its ice in forty years.",
    "Shares in the airline fell sharply after it cut its forecast for the summer.",
    "The minister said the government was ready to talk to the unions tomorrow.",
    "Our reporter has been following the story from the harbour all afternoon.",
    "After the break we will look at the best gardens to visit this spring.",
    "The council voted to keep the library open on Saturday mornings.",
    "Firefighters were called to a warehouse on the edge of town late last night.",
    "Once the dough has risen, knock it back and shape it into a round loaf.",
    "Fans queued for hours outside the stadium to get tickets for the final.",
    "The museum will pause its late openings while the roof is being repaired.",
    "Researchers found that people who walk every day sleep noticeably better.",
    "The festival returns to the park next month with more than eighty bands.",
    "If you need help with your energy bills, the number is on your screen now.",
    "Now let's go back to the studio for the rest of today's headlines.",
    "The bridge will be closed overnight while engineers inspect the cables.",
    "A rare bird has been spotted in the marshes for the first time in a century.",
    "The talks will continue on Monday after a long weekend of negotiations.",
    "Prices at the supermarket have risen faster than wages for a second year.",
    "The children built a model of the solar system out of paper and string.",
    "Coming up, a chef shows us how to make a quick and simple curry.",
    "When the sauce is done, season it well and pour it over the pasta.",
    "The hospital is looking for volunteers to help out on the children's ward.",
    "Thousands of runners crossed the line in the city marathon this morning.",
    "The band's new album went straight to the top of the charts.",
    "A spokesman said the company would repeat the safety checks on every plane.",
    "Temperatures will drop below freezing in the hills later tonight.",
    "Residents say the new cycle lanes have made the high street much quieter.",
    "The film follows a young woman who sails around the world on her own.",
    "Authorities are urging people to slow down on the icy roads this evening.",
    "The final episode of the series will be shown on Sunday night.",
    "Engineers hope the new turbines will power forty thousand homes.",
    "Stay with us, because after the weather we have the rest of the football.",
    "The school has raised enough money to rebuild its old science block.",
    "Visitors can skip the queue by booking their tickets online in advance.",
]

# ---------------------------------------------------------------------------
# The coach's own speech: cue texts of the bundled scripts, plus its replies.
# ---------------------------------------------------------------------------

_VAR = re.compile(r"{(\w+)}")


def _cue_strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _cue_strings(item)
    elif isinstance(value, dict) and isinstance(value.get("text"), str):
        yield value["text"]


def _fill(text: str, values: dict[str, object], rng: random.Random) -> str:
    def one(match: re.Match[str]) -> str:
        options = values.get(match.group(1))
        if options is None:
            raise ValueError(f"no value for {{{match.group(1)}}} in cue {text!r}")
        return str(rng.choice(options) if isinstance(options, list) else options)

    return _VAR.sub(one, text)


# Replies added after the corpus was last built: one more text reshuffles every
# stream, so they join at the next deliberate rebuild, with the numbers redone.
_NOT_YET = (
    "help_short", "status_short", "finished_timed", "round_done", "amrap_rounds", "working",
    "rounds_so_far", "log_skipped", "log_closed", "last_time", "today",
)
# Scripts bundled after the corpus was last built (holds, intervals, circuits): likewise.
_SCRIPTS_NOT_YET = ("core-circuit", "emom", "tabata", "wall-sit-ladder")


def coach_cues(seed: int = 0) -> list[str]:
    """Every cue text of scripts/*.yaml and every reply of the coach, with plausible
    variable values filled in. Sorted, so the list is stable."""
    import yaml

    from coach.session.phrases import Phrases

    rng = random.Random(seed)
    texts: set[str] = set()
    for path in sorted((ROOT / "scripts").glob("*.yaml")):
        if path.stem in _SCRIPTS_NOT_YET:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        exercises = doc.get("exercises") or []
        names = [ex.get("name", "the next exercise") for ex in exercises]
        base = {
            "workout": doc.get("workout", "the workout"),
            "side": ["left", "right"],
            "other_side": ["right", "left"],
        }
        for key in ("intro", "outro"):
            for text in _cue_strings(doc.get(key)):
                texts.add(_fill(text, base, rng))
        for i, ex in enumerate(exercises):
            sets, reps = int(ex.get("sets", 3)), int(ex.get("reps", 8))
            rest = int(ex.get("rest", (doc.get("defaults") or {}).get("rest", 60)))
            following = names[i + 1] if i + 1 < len(names) else names[i]
            values = {
                **base,
                "exercise": ex.get("name", "the exercise"),
                "set": list(range(1, sets + 1)),
                "sets": sets,
                "rep": list(range(1, reps + 1)),
                "reps": reps,
                "reps_left": list(range(1, reps)),
                "rest": rest,
                "next": [f"set 2, {following}", following, f"{following}, right side"],
            }
            for cue in (ex.get("cues") or {}).values():
                for text in _cue_strings(cue):
                    texts.add(_fill(text, values, rng))
    phrases = Phrases()
    replies = {
        "finished": {"completed": [12, 48], "planned": 48},
        "status_rep": {"where": "Single-leg hip thrust, left side", "set": 2, "sets": 3,
                       "rep": 4, "reps": 8, "left": 29},
        "status_set": {"where": "Deadbug", "set": 1, "sets": 2, "left": 24},
        "resting": {"remaining": [40, 25]},
    }
    for f in dataclasses.fields(phrases):
        if f.name in _NOT_YET:
            continue
        texts.add(_fill(getattr(phrases, f.name), replies.get(f.name, {}), rng))
    texts.update(["Three.", "Two.", "One.", "Go!"])  # countdown
    return sorted(t for t in texts if t.strip())


# ---------------------------------------------------------------------------
# Command phrases and the trigger check
# ---------------------------------------------------------------------------


def trigger_phrases() -> list[str]:
    """Everything the default vocabulary acts on: all phrases and the command names."""
    out = {normalise(p) for phrases in DEFAULT_PHRASES.values() for p in phrases}
    out.update(COMMANDS)
    return sorted(out)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", normalise(text))


def contains_trigger(text: str) -> list[str]:
    """The trigger phrases that occur as whole words in text."""
    said = " " + " ".join(words(text)) + " "
    return [p for p in trigger_phrases() if f" {p} " in said]


def command_items() -> list[tuple[str, str]]:
    """(phrase, command) for every phrase of the default vocabulary."""
    return [(p, c) for c, phrases in DEFAULT_PHRASES.items() for p in phrases]


def spoken_form(phrase: str, rng: random.Random) -> str:
    """How a command is typed for the TTS: capitalised, 'I', some punctuation."""
    text = " ".join("I" if w == "i" else w for w in phrase.split())
    text = text.replace("r p e ", "R P E ")  # each letter said
    text = text[0].upper() + text[1:]
    if phrase.startswith(("what", "how")):
        return text + rng.choice(["?", "?", ""])
    return text + rng.choice(["", ".", "!"])


def split_half(items: Sequence[str], split: str) -> list[str]:
    return [s for i, s in enumerate(items) if (i % 2 == 0) == (split == "dev")]


# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    name: str
    background: str  # quiet | pink | music | babble | tv | crowd | tv_music
    snr_db: float
    reverb: bool = False
    hard_negatives: bool = False
    rate: int = SR
    stereo: bool = False
    description: str = ""


QUIET_SNR = 50.0  # the quiet room's noise floor, relative to speech


def conditions() -> list[Condition]:
    out = [Condition("quiet", "quiet", QUIET_SNR, description="quiet room, low noise floor")]
    for bg, what in (("pink", "pink noise"), ("music", "gym music"), ("babble", "babble")):
        for snr in (20, 10, 5):
            out.append(Condition(f"{bg}_{snr}db", bg, snr, description=f"{what} at {snr} dB SNR"))
    out += [
        Condition("reverb_pink_20db", "pink", 20, reverb=True,
                  description="reverberant room (RT60 ~0.5 s), pink noise at 20 dB SNR"),
        Condition("hard_negatives_pink_20db", "pink", 20, hard_negatives=True,
                  description="negatives contain command words in other senses; pink 20 dB"),
        Condition("music_10db_44k_stereo", "music", 10, rate=44_100, stereo=True,
                  description="gym music at 10 dB SNR, written as 44.1 kHz stereo"),
    ]
    for snr in (20, 15, 10, 5):
        out.append(Condition(f"tv_{snr}db", "tv", snr,
                             description=f"one talker reading on end (a TV) at {snr} dB SNR"))
    for snr in (15, 10, 5):
        out.append(Condition(f"crowd_{snr}db", "crowd", snr,
                             description=f"four talkers reading on end at {snr} dB SNR"))
    out.append(Condition("tv_music_10db", "tv_music", 10,
                         description="a talker and gym music, each 13 dB under the athlete"))
    return out


@dataclass(frozen=True)
class Plan:
    """How much goes into one stream."""

    command_repeats: int = 2  # each phrase of the vocabulary this many times
    negatives: int = 10
    hard_negatives: int = 14  # in the hard-negatives condition (plus 3 ordinary)
    cues: int = 10
    gap: tuple[float, float] = (0.6, 1.8)  # seconds of background between utterances
    long_gap_every: int = 12  # now and then a longer pause (a rest period)
    long_gap: tuple[float, float] = (4.0, 7.0)
    lead: float = 1.5
    tail: float = 2.5
    voices: tuple[Voice, ...] | None = None  # override the split's voices (tests)
    coach_voices: tuple[Voice, ...] | None = None
    phrases: tuple[tuple[str, str], ...] | None = None  # override (phrase, command) items
    # Logged values (coach.words.log_values) said in place of the commands: this many a stream.
    values: int = 0


TINY = Plan(command_repeats=1, negatives=1, hard_negatives=1, cues=1, long_gap_every=0,
            lead=0.8, tail=1.0)
# As many values a stream as commands (44): loads, RPE, reps in reserve, reps.
VALUES = Plan(values=44)


def value_items(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(spoken phrase, value label) for `count` values an athlete logs: about half loads
    1–300 (a quarter of them with a half; with a unit or without, every way of saying the
    number), then RPE 1–10 in halves, reps in reserve 0–5 and reps 1–20."""
    out = []
    for i in range(count):
        kind = ("load", "load", "load", "load", "load", "rpe", "rpe", "rir", "reps")[i % 9]
        if kind == "load":
            n = rng.randint(1, 300)
            said = rng.choice(log_values.whole_number_forms(n))
            if n < 300 and rng.random() < 0.25:
                said += " " + rng.choice(log_values.HALF_WORDS)
            unit = rng.choice(("", "", "kilos", "kilograms", "pounds", "kilo"))
            phrase = f"{said} {unit}".strip()
        elif kind == "rpe":
            value = rng.choice(list(log_values.halves(1.0, log_values.MAX_RPE)))
            half = rng.choice(log_values.HALF_WORDS) if value % 1 else ""
            phrase = f"r p e {log_values.value_words(int(value))} {half}".strip()
        elif kind == "rir":
            reps = rng.choice(("", "reps "))
            phrase = f"{log_values.value_words(rng.randint(0, 5))} {reps}in reserve"
        else:
            n = rng.randint(1, 20)
            phrase = f"{log_values.value_words(n)} {'rep' if n == 1 else 'reps'}"
        value = log_values.parse(phrase)
        assert value is not None, phrase
        out.append((phrase, value_label(value)))
    return out


def value_label(value: log_values.LoggedValue) -> str:
    """What a value is scored by: 'load 80 kg', 'rpe 7.5', 'skip'."""
    parts = [value.kind, *([f"{value.value:g}"] if value.value is not None else [])]
    return " ".join([*parts, *([value.unit] if value.unit else [])])


# ---------------------------------------------------------------------------
# Building one stream
# ---------------------------------------------------------------------------


@dataclass
class Utterance:
    kind: str  # command | value | negative | cue
    phrase: str
    text: str
    command: str | None
    voice: Voice
    tempo: float
    gain_db: float
    hard: bool = False


class Renderer:
    """Renders utterances to trimmed clips, with an in-process cache."""

    def __init__(self) -> None:
        self._raw: dict[tuple[str, str, int], np.ndarray] = {}
        self._cache: dict[tuple[str, str, float, int], tuple[np.ndarray, int, int]] = {}

    def raw(self, voice: Voice, text: str, seed: int = 0) -> np.ndarray:
        key = (voice.label, text, seed)
        if key not in self._raw:
            self._raw[key] = ag.synthesize(voice, text, seed=seed)
        return self._raw[key]

    def clip(self, voice: Voice, text: str, tempo: float, seed: int) -> tuple[np.ndarray, int, int]:
        key = (voice.label, text, round(tempo, 3), seed)
        if key not in self._cache:
            audio = self.raw(voice, text, seed)
            if abs(tempo - 1.0) > 1e-3:
                audio = ag.sox_effect(audio, "tempo", "-s", f"{tempo:.3f}")
            self._cache[key] = ag.trim(audio)
        return self._cache[key]


def _utterances(cond: Condition, split: str, plan: Plan, rng: random.Random) -> list[Utterance]:
    voices = list(plan.voices or VOICES[split])
    coach_voices = list(plan.coach_voices or COACH_VOICES)
    if plan.values:
        items = value_items(plan.values, rng)
    else:
        items = list(plan.phrases or command_items()) * plan.command_repeats
    rng.shuffle(items)
    # spread voices evenly over the commands
    voice_cycle = [voices[i % len(voices)] for i in range(len(items))]
    rng.shuffle(voice_cycle)

    def user_tempo() -> float:
        return round(rng.uniform(*TEMPO_RANGE), 3)

    def user_gain() -> float:
        return round(rng.uniform(-6.0, 4.0), 2)

    kind = "value" if plan.values else "command"
    out = [
        Utterance(kind, phrase, spoken_form(phrase, rng), command, voice, user_tempo(),
                  user_gain())
        for (phrase, command), voice in zip(items, voice_cycle, strict=True)
    ]
    negatives = split_half(NEGATIVES, split)
    if cond.hard_negatives:
        hard = split_half(HARD_NEGATIVES, split)
        chosen = [(s, True) for s in rng.sample(hard, min(plan.hard_negatives, len(hard)))]
        chosen += [(s, False) for s in rng.sample(negatives, min(3, plan.negatives))]
        cue_count = max(1, plan.cues // 3)
    else:
        chosen = [(s, False) for s in rng.sample(negatives, min(plan.negatives, len(negatives)))]
        cue_count = plan.cues
    for sentence, hard in chosen:
        out.append(Utterance("negative", sentence, sentence, None, rng.choice(voices),
                             user_tempo(), user_gain(), hard=hard))
    coach_voice = coach_voices[rng.randrange(len(coach_voices))]
    cues = coach_cues(seed=rng.randrange(1 << 30))
    # Always include the replies that name commands (the worst case for a listener).
    must = [c for c in cues if c.startswith(("Paused.", "You can say"))]
    rest = [c for c in cues if c not in must]
    picked = must[:cue_count] + rng.sample(rest, max(0, cue_count - len(must)))
    for cue in picked:
        out.append(Utterance("cue", cue, cue, None, coach_voice, 1.0,
                             round(rng.uniform(-1.0, 3.0), 2)))
    rng.shuffle(out)
    return out


def build_stream(
    cond: Condition,
    split: str,
    plan: Plan,
    seed: int,
    renderer: Renderer | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> tuple[np.ndarray, list[dict[str, object]], dict[str, object]]:
    """Render one condition: (audio at SR, truth events, stats)."""
    renderer = renderer or Renderer()
    talk: list[dict[str, object]] = []
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    utterances = _utterances(cond, split, plan, rng)

    # Lay the utterances out on a timeline.
    placed: list[tuple[Utterance, np.ndarray, int, int, int]] = []
    pos = int(plan.lead * SR)
    last_gap = 0
    target = ag.db(1.0) - 26.0  # speech-active level before per-utterance gain, dBFS
    for i, utt in enumerate(utterances):
        clip, s0, s1 = renderer.clip(utt.voice, utt.text, utt.tempo, seed=i)
        if len(clip) == 0:
            raise RuntimeError(f"{utt.voice.label} rendered nothing for {utt.text!r}")
        level = ag.db(ag.active_rms(clip))
        clip = clip * np.float32(10 ** ((target + utt.gain_db - level) / 20))
        placed.append((utt, clip, pos, pos + s0, pos + s1))
        if plan.long_gap_every and (i + 1) % plan.long_gap_every == 0:
            gap = rng.uniform(*plan.long_gap)
        else:
            gap = rng.uniform(*plan.gap)
        last_gap = int(gap * SR)
        pos += len(clip) + last_gap
        if i % 20 == 19:
            log(f"  {cond.name}: rendered {i + 1}/{len(utterances)}")
    n = pos - last_gap + int(plan.tail * SR)

    speech = np.zeros(n, np.float32)
    active = np.zeros(n, bool)
    truth: list[dict[str, object]] = []
    for utt, clip, at, s0, s1 in placed:
        speech[at : at + len(clip)] += clip
        active[s0:s1] = True
        truth.append({
            "kind": utt.kind,
            "phrase": utt.phrase,
            "command": utt.command,
            "start": round(s0 / SR, 3),
            "end": round(s1 / SR, 3),
            "voice": utt.voice.label,
            "text": utt.text,
            "tempo": utt.tempo,
            "gain_db": utt.gain_db,
            **({"hard": utt.hard} if utt.kind == "negative" else {}),
        })
    if cond.reverb:
        speech = ag.convolve(speech, ag.room_impulse(nrng, rt60=0.5))

    # Background, scaled to the SNR: speech-active RMS vs background RMS.
    if cond.background == "quiet":
        bg = ag.noise_floor(n, nrng)
    elif cond.background == "pink":
        bg = ag.pink_noise(n, nrng)
    elif cond.background == "music":
        bg = ag.gym_music(n, nrng)
    elif cond.background == "babble":
        babble_voices = list(plan.voices or BABBLE_VOICES[split])
        babble_voices = [v for v in babble_voices if v.engine != "hibari"] or babble_voices
        bg = ag.babble(n, nrng, babble_voices, BABBLE, talkers=5,
                       render=lambda v, s: renderer.raw(v, s))
    elif cond.background in ("tv", "crowd", "tv_music"):
        bg, talk = _talk_background(cond, split, seed, nrng, n, renderer)
    else:
        raise ValueError(f"unknown background {cond.background!r}")
    speech_rms = ag.rms(speech[active])
    bg = bg * np.float32(speech_rms / (ag.rms(bg) * 10 ** (cond.snr_db / 20)))
    mix = speech + bg
    peak = float(np.max(np.abs(mix)))
    if peak > 0.9:
        mix *= np.float32(0.9 / peak)
    stats = {
        "duration": round(n / SR, 3),
        "speech_active_dbfs": round(ag.db(speech_rms * min(1.0, 0.9 / peak)), 2),
        "measured_snr_db": round(ag.db(speech_rms) - ag.db(ag.rms(bg)), 2),
        "commands": sum(1 for t in truth if t["kind"] in ("command", "value")),
        "negatives": sum(1 for t in truth if t["kind"] == "negative"),
        "cues": sum(1 for t in truth if t["kind"] == "cue"),
        "coach_voice": next((t["voice"] for t in truth if t["kind"] == "cue"), None),
        "talk": talk,
    }
    return mix.astype(np.float32), truth, stats


def _talk_background(
    cond: Condition, split: str, seed: int, nrng: np.random.Generator, n: int,
    renderer: Renderer,
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """A TV (one talker, each stream its own), a crowd (four), or a TV under gym music
    (the two at one level), at unit RMS; and what the talkers said, when."""
    voices = TALK_VOICES[split]
    chosen = voices if cond.background == "crowd" else [voices[seed % len(voices)]]
    sentences = split_half(TALK, split)
    bg, talk = ag.talk(n, nrng, chosen, sentences, render=lambda v, s: renderer.raw(v, s))
    if cond.background == "tv_music":
        bg = (bg + ag.gym_music(n, nrng)) / np.float32(np.sqrt(2.0))
    # A room is never digitally silent between the talkers' sentences.
    bg = bg + ag.noise_floor(n, nrng) * np.float32(10 ** (-TALK_ROOM_DB / 20))
    return bg, talk


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------


def _config_hash(split: str, plan: Plan, names: list[str]) -> str:
    h = hashlib.sha256()
    for path in (Path(__file__), HERE / "audio_gen.py"):
        h.update(path.read_bytes())
    # The tools' versions too: a new espeak-ng or hibari-tts says the same text otherwise.
    h.update(json.dumps([split, repr(plan), names, VERSION, generator_versions()]).encode())
    return h.hexdigest()[:16]


def _build_one(args: tuple[Condition, str, Plan, int, str]) -> dict[str, object]:
    cond, split, plan, seed, out_dir = args
    out = Path(out_dir)
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    audio, truth, stats = build_stream(cond, split, plan, seed, log=log)
    wav = out / f"{cond.name}.wav"
    truth_path = out / f"{cond.name}.truth.json"
    ag.write_audio(wav, audio, rate=cond.rate, stereo=cond.stereo)
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    talk = stats.pop("talk")
    if talk:  # what the background's talkers said, for telling their false triggers
        talk_path = out / f"{cond.name}.talk.json"
        talk_path.write_text(json.dumps(talk, indent=1) + "\n", encoding="utf-8")
        stats["talk"] = talk_path.name
    seconds = time.perf_counter() - t0
    log(f"{cond.name}: {stats['duration']:.0f} s audio, {stats['commands']} commands, "
        f"{stats['negatives']} negatives, {stats['cues']} cues ({seconds:.1f} s)")
    return {
        **dataclasses.asdict(cond),
        "file": wav.name,
        "truth": truth_path.name,
        "channels": 2 if cond.stereo else 1,
        "seed": seed,
        **stats,
        "build_seconds": round(seconds, 2),
    }


def build_corpus(
    out: Path,
    split: str = "dev",
    plan: Plan | None = None,
    only: Sequence[str] | None = None,
    jobs: int = 1,
    force: bool = False,
) -> dict[str, object]:
    """Build (or reuse, when up to date) the corpus of one split; returns the manifest."""
    if split not in VOICES:
        raise ValueError(f"unknown split {split!r} (dev or test)")
    plan = plan or Plan()
    conds = [c for c in conditions() if not only or c.name in only]
    unknown = set(only or ()) - {c.name for c in conditions()}
    if unknown:
        raise ValueError(f"unknown condition(s): {', '.join(sorted(unknown))}")
    for text in NEGATIVES + BABBLE:
        if contains_trigger(text):
            raise AssertionError(f"negative/babble sentence contains a command: {text!r}")
    for text in HARD_NEGATIVES:
        if not contains_trigger(text):
            raise AssertionError(f"hard negative without a command word: {text!r}")
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    config = _config_hash(split, plan, [c.name for c in conds])
    if manifest_path.exists() and not force:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = [out / c[k] for c in old.get("conditions", []) for k in ("file", "truth")]
        if old.get("config") == config and all(f.exists() for f in files):
            print(f"corpus in {out} is up to date (--force rebuilds)", file=sys.stderr)
            return old  # type: ignore[no-any-return]
    t0 = time.perf_counter()
    base = SEEDS[split]
    tasks = [(c, split, plan, base + i, str(out)) for i, c in enumerate(conditions()) if c in conds]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            entries = list(pool.map(_build_one, tasks))
    else:
        entries = [_build_one(t) for t in tasks]
    voices = sorted({v.label for v in (plan.voices or VOICES[split])})
    manifest = {
        "split": split,
        "version": VERSION,
        "config": config,
        "sample_rate": SR,
        "voices": voices,
        "coach_voices": [v.label for v in (plan.coach_voices or COACH_VOICES)],
        "tempo_range": list(TEMPO_RANGE),
        "snr": "speech-active RMS (inside truth intervals) vs background RMS",
        "truth_kinds": ["value" if plan.values else "command", "negative", "cue"],
        "values": bool(plan.values),
        "total_duration": round(sum(float(e["duration"]) for e in entries), 2),  # type: ignore[arg-type]
        "total_commands": sum(int(e["commands"]) for e in entries),  # type: ignore[call-overload]
        "generation_seconds": round(time.perf_counter() - t0, 1),
        "provenance": provenance(),
        "conditions": entries,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"corpus: {len(entries)} streams, {manifest['total_duration']} s of audio, "
          f"{manifest['total_commands']} commands, in {manifest['generation_seconds']} s -> {out}",
          file=sys.stderr)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=sorted(VOICES), default="dev",
                        help="dev (tune on it) or test (held out: other voices, sentences, seeds)")
    parser.add_argument("--out", type=Path, help="output directory (default bench/corpus/SPLIT)")
    parser.add_argument("--conditions", help="comma-separated subset of conditions")
    parser.add_argument("--tiny", action="store_true",
                        help="a short smoke-test stream per condition (each phrase once)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--values", action="store_true",
                        help="logged values ('eighty kilos', 'R P E eight', 'two in reserve') "
                             "in place of the commands -> bench/corpus/SPLIT-values")
    parser.add_argument("--list", action="store_true", help="list the conditions and exit")
    args = parser.parse_args(argv)
    if args.list:
        for c in conditions():
            print(f"{c.name:28} {c.description}")
        return 0
    missing = ag.tools_missing()
    if missing:
        print(f"make_corpus: missing tools: {', '.join(missing)} (apt-get install espeak-ng "
              "flite sox)", file=sys.stderr)
        return 2
    only = [s.strip() for s in args.conditions.split(",")] if args.conditions else None
    plan = TINY if args.tiny else Plan()
    if args.values:
        plan = dataclasses.replace(plan, values=9 if args.tiny else VALUES.values)
    folder = f"{args.split}-values" if args.values else args.split
    try:
        build_corpus(args.out or DEFAULT_OUT / folder, args.split,
                     plan, only, max(1, args.jobs), args.force)
    except ValueError as exc:
        print(f"make_corpus: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
