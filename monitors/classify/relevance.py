"""Relevance: does an item report UK and Italian government actors dealing with migration
together? Evidence is weighted (the headline, sentences naming both sides near a migration term,
named people and institutions, a visit) and a score from 0 to 1 is compared with the topic's
threshold. Each piece of evidence is a RuleHit saying where it was found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitors.classify.cast import Cast
from monitors.classify.entities import Mention
from monitors.classify.first_pass import Words
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Topic, Weights
from monitors.models import MinisterialVisit, RuleHit


@dataclass(slots=True)
class SentenceSignals:
    uk: list[str]
    italy: list[str]
    migration: list[str]


def signals_of(topic: Topic, sentence: Sentence, mentions: list[Mention]) -> SentenceSignals:
    uk = [m.text for m in mentions if m.entity.country == "uk"]
    italy = [m.text for m in mentions if m.entity.country == "it"]
    migration: list[str] = []
    for match in topic.signal_terms.finditer(sentence.text):
        if match.group("uk") is not None:
            uk.append(match.group(0))
        elif match.group("it") is not None:
            italy.append(match.group(0))
        else:
            migration.append(match.group(0))
    return SentenceSignals(uk, italy, migration)


def add_role_actors(cast: Cast, signals: list[SentenceSignals]) -> None:
    """Ministers named by role ("il ministro dell'Interno", "the prime minister") are actors of
    their sentence, and "i due", "the two" are the actors of the sentence before. Only sentences
    next to a migration term are read: the others cannot make evidence."""
    near = {i + d for i, s in enumerate(signals) if s.migration for d in (-1, 0, 1)}
    before: SentenceSignals | None = None
    for index, signal in enumerate(signals):
        if index in near and not (signal.uk and signal.italy):
            # Roles can complete a side only where the other side is named.
            for minister in cast.ministers(index) if signal.uk or signal.italy else ():
                side = signal.uk if minister.person.country == "uk" else signal.italy
                if minister.person.name not in side:
                    side.append(minister.person.name)
            if before is not None and _BOTH.search(cast.sentences[index].text):
                signal.uk.extend(t for t in before.uk if t not in signal.uk)
                signal.italy.extend(t for t in before.italy if t not in signal.italy)
        if signal.uk or signal.italy:
            before = signal


def _italy_only_compared(
    topic: Topic, sentences: list[Sentence], signals: list[SentenceSignals], mentions: list[Mention]
) -> bool:
    """Italy is named only as a country or an adjective, in a piece that compares with it ("Could
    Labour copy Italy's Albania model?", "non come l'Italia"): a comparison, not cooperation."""
    if any(m.entity.country == "it" and m.entity.kind != "place" for m in mentions):
        return False
    if any(" " in term for s in signals for term in s.italy):
        return False  # "governo italiano", "Matteo Piantedosi" named by role
    return any(topic.comparison_terms.search(s.text) for s in sentences)


_BOTH = re.compile(r"\b(?:the two|both|the pair|i due|entrambi|le due parti|both sides)\b", re.IGNORECASE)


def add_visit_actors(
    sentences: list[Sentence], signals: list[SentenceSignals], visits: list[MinisterialVisit]
) -> None:
    """A visit's traveller is an actor of the sentence that tells it, even when named only by role
    ("The Prime Minister met Prime Minister Giorgia Meloni in Rome")."""
    for visit in visits:
        for sentence, signal in zip(sentences, signals, strict=True):
            if sentence.text == visit.sentence:
                # The traveller's side, and the host's: the destination is in the other country.
                side, host = (
                    (signal.uk, signal.italy)
                    if visit.from_country == "United Kingdom"
                    else (signal.italy, signal.uk)
                )
                if visit.minister not in side:
                    side.append(visit.minister)
                if not host:
                    host.append(visit.counterpart or visit.destination)
                break


def score_of(
    topic: Topic,
    sentences: list[Sentence],
    signals: list[SentenceSignals],
    mentions: list[Mention],
    visits: list[MinisterialVisit],
    words: Words,
) -> tuple[float, list[RuleHit]]:
    hits = _fuzzy_hits(sentences, mentions)
    visit_found = bool(visits)
    # A UK–Italy visit names both sides, even when only by role ("the Prime Minister").
    present = (
        ("UK actor", visit_found or any(s.uk for s in signals)),
        ("Italian actor", visit_found or any(s.italy for s in signals)),
        ("migration term", any(s.migration for s in signals)),
    )
    missing = [name for name, ok in present if not ok]
    if not missing and not visit_found and _italy_only_compared(topic, sentences, signals, mentions):
        missing = ["Italian government actor (Italy only compared with)"]
    if missing:
        hits.append(RuleHit("required_combination", "missing: " + ", ".join(missing), "document", 0.0))
        return 0.0, hits
    weights = topic.weights
    raw = 0.0
    for hit in _evidence_hits(weights, sentences, signals, mentions):
        raw += hit.weight
        hits.append(hit)
    terms = {t.lower() for s in signals for t in s.migration}
    counted = min(len(terms), weights.max_migration_terms)
    raw += counted * weights.migration_term
    share = round(counted * weights.migration_term, 3)
    hits.append(RuleHit("migration_terms", ", ".join(sorted(terms)), "document", share))
    if visit_found:
        raw += weights.visit_found
        for visit in visits:
            where = _where_text(sentences, visit.sentence)
            told = f"{visit.minister} -> {visit.destination} ({visit.status})"
            hits.append(RuleHit("visit_found", told, where, weights.visit_found / len(visits)))
    far_from = _cooccurring(signals) if len(sentences) >= _LONG_ITEM else []
    for group in topic.negatives:
        if not group.pattern.may_occur(words):
            continue
        for position, sentence in enumerate(sentences):
            for match in group.pattern.finditer(sentence.text):
                where = _where(sentences, sentence.index)
                if far_from and all(abs(position - e) > _NEGATIVE_REACH for e in far_from):
                    hits.append(RuleHit("negative_far", match.group(0), where, 0.0))
                    continue
                raw -= group.weight
                hits.append(RuleHit("negative", match.group(0), where, -group.weight))
    raw = max(raw, 0.0)
    return raw / (raw + weights.scale), hits


# A long piece (a round-up, a live page) tells several stories: a negative term ("King Charles")
# more than a few sentences from every sentence with both sides and migration is another story's.
_LONG_ITEM = 10
_NEGATIVE_REACH = 3


def _cooccurring(signals: list[SentenceSignals]) -> list[int]:
    """Positions of the sentences that name both sides with a migration term in or next to them."""
    return [
        index
        for index, signal in enumerate(signals)
        if signal.uk and signal.italy and any(s.migration for s in signals[max(0, index - 1) : index + 2])
    ]


def _fuzzy_hits(sentences: list[Sentence], mentions: list[Mention]) -> list[RuleHit]:
    """Names read by a near spelling ("Piandetosi ~ Matteo Piantedosi"), weightless."""
    return [
        RuleHit(
            "fuzzy_name",
            f"{m.text} ~ {m.entity.person.name if m.entity.person else ''}",
            _where(sentences, m.sentence),
            0.0,
        )
        for m in mentions
        if m.fuzzy
    ]


def _evidence_hits(
    weights: Weights, sentences: list[Sentence], signals: list[SentenceSignals], mentions: list[Mention]
) -> list[RuleHit]:
    """The weighted evidence of the actors and terms, in scoring order: the headline, sentences
    with all three, a sentence naming both sides, a named pair anywhere."""
    hits: list[RuleHit] = []
    title = signals[0] if sentences and sentences[0].where == "title" else None
    if title is not None:
        if title.uk and title.italy and title.migration:
            hits.append(RuleHit("title_all_three", _joined(title), "title", weights.title_all_three))
        elif title.migration and (title.uk or title.italy):
            hits.append(RuleHit("title_two", _joined(title), "title", weights.title_two))
    cooccurring = 0
    for index, signal in enumerate(signals):
        if not (signal.uk and signal.italy):
            continue
        window = signals[max(0, index - 1) : index + 2]
        if any(s.migration for s in window):
            cooccurring += 1
            if cooccurring <= weights.max_cooccurring_sentences:
                where = _where(sentences, sentences[index].index)
                joined = _joined(signal, window)
                hits.append(RuleHit("sentence_cooccurrence", joined, where, weights.sentence_cooccurrence))
    named = _named_sentence(sentences, signals, mentions) if weights.named_sentence else None
    if named is not None:
        hits.append(RuleHit("named_sentence", named[1], _where(sentences, named[0]), weights.named_sentence))
    named_uk = {m.entity.key for m in mentions if m.entity.country == "uk" and m.entity.kind != "place"}
    named_it = {m.entity.key for m in mentions if m.entity.country == "it" and m.entity.kind != "place"}
    if named_uk and named_it:
        pair = ", ".join(sorted(named_uk | named_it))
        hits.append(RuleHit("named_pair", pair, "document", weights.named_pair))
    return hits


def _named_sentence(
    sentences: list[Sentence], signals: list[SentenceSignals], mentions: list[Mention]
) -> tuple[int, str] | None:
    """The first sentence that names a UK actor and an Italian one (people or institutions, not
    places) with a migration term in it or next to it: "Cooper told her counterpart Piantedosi..."."""
    actors: dict[int, dict[str, set[str]]] = {}
    for m in mentions:
        if m.entity.kind != "place" and m.entity.country in ("uk", "it"):
            actors.setdefault(m.sentence, {}).setdefault(m.entity.country, set()).add(m.text)
    for position, sentence in enumerate(sentences):
        named = actors.get(sentence.index, {})
        if "uk" in named and "it" in named:
            window = signals[max(0, position - 1) : position + 2]
            if any(s.migration for s in window):
                return sentence.index, " + ".join(sorted(named["uk"]) + sorted(named["it"]))
    return None


def _joined(signal: SentenceSignals, window: list[SentenceSignals] | None = None) -> str:
    migration = signal.migration or [t for s in window or [] for t in s.migration]
    return " + ".join(
        part
        for part in (
            "/".join(dict.fromkeys(signal.uk)),
            "/".join(dict.fromkeys(signal.italy)),
            "/".join(dict.fromkeys(migration)),
        )
        if part
    )


def _where(sentences: list[Sentence], index: int) -> str:
    sentence = sentences[index] if index < len(sentences) else None
    if sentence is None:
        return "text"
    return "title" if sentence.where == "title" else f"sentence {index}"


def _where_text(sentences: list[Sentence], text: str) -> str:
    for sentence in sentences:
        if sentence.text == text:
            return _where(sentences, sentence.index)
    return "text"
