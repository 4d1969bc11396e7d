"""Item -> Classification: is it on topic, how sure, why, and which figures and visits it reports."""

from __future__ import annotations

from dataclasses import dataclass

from monitors.classify.dates import as_date
from monitors.classify.entities import Mention, find_mentions
from monitors.classify.figures import extract_figures, may_have_numbers
from monitors.classify.first_pass import Words
from monitors.classify.text import Sentence, article_sentences, language_of_keys
from monitors.classify.topic_model import Topic, Weights
from monitors.classify.visits import extract_visits
from monitors.models import Classification, CrossingFigure, FeedItem, MinisterialVisit, RuleHit


@dataclass(slots=True)
class _SentenceSignals:
    uk: list[str]
    italy: list[str]
    migration: list[str]


def _signals(topic: Topic, sentence: Sentence, mentions: list[Mention]) -> _SentenceSignals:
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
    return _SentenceSignals(uk, italy, migration)


def classify(topic: Topic, item: FeedItem) -> Classification:
    """Classify one item. Pure: the same item and topic always give the same answer."""
    # Title, summary and content are read together: a feed's content may lack its description.
    page = bool(item.content)
    body = item.content or item.summary
    lead = item.summary if page else ""
    whole = f"{item.title}\n{lead}\n{body}" if lead else f"{item.title}\n{body}"
    # The cheap first pass, on word stems: most of a feed mix stops here, before fuzzy matching and
    # extraction. It can only say "cannot be": an item that passes is read in full.
    words = Words.of(whole)
    folded, keys = words.folded, words.keys
    language = language_of_keys(keys)
    lacking = topic.quick.missing(keys, folded, whole)
    italian_named = lacking is None
    may_have_figures = may_have_numbers(words) and topic.quick.may_have_figures(keys, folded, whole)
    if not italian_named and not may_have_figures:
        return Classification(relevant=False, score=0.0, rules=_first_pass(lacking), language=language)

    sentences = article_sentences(item.title, body, page=page, lead=lead)
    published = as_date(item.published)
    notes: list[RuleHit] = []
    figures: list[CrossingFigure] = (
        extract_figures(topic, sentences, published, words=words, notes=notes) if may_have_figures else []
    )
    if not italian_named:
        return Classification(
            relevant=False,
            score=0.0,
            rules=_first_pass(lacking) + tuple(notes),
            crossing_figures=tuple(figures),
            language=language,
        )

    mentions = find_mentions(topic, sentences)
    visits = extract_visits(topic, sentences, mentions, published, language=language, words=words)
    by_sentence: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    signals = [_signals(topic, s, by_sentence.get(s.index, [])) for s in sentences]
    _add_visit_actors(sentences, signals, visits)
    score, hits = _score(topic, sentences, signals, mentions, visits, words)
    relevant = score >= topic.relevant_threshold
    return Classification(
        relevant=relevant,
        score=score,
        rules=tuple(hits + notes),
        crossing_figures=tuple(figures),
        # A meeting about something else (Gaza, AI) is not a visit on this topic.
        ministerial_visits=tuple(visits) if relevant else (),
        language=language,
    )


def _first_pass(lacking: str | None) -> tuple[RuleHit, ...]:
    """The explanation of an item the first pass turned away: what it surely lacks."""
    return (RuleHit("first_pass", f"missing: {lacking}", "document", 0.0),)


def _add_visit_actors(
    sentences: list[Sentence], signals: list[_SentenceSignals], visits: list[MinisterialVisit]
) -> None:
    """A visit's traveller is an actor of the sentence that tells it, even when named only by role
    ("The Prime Minister met Prime Minister Giorgia Meloni in Rome")."""
    for visit in visits:
        for sentence, signal in zip(sentences, signals, strict=True):
            if sentence.text == visit.sentence:
                side = signal.uk if visit.from_country == "United Kingdom" else signal.italy
                if visit.minister not in side:
                    side.append(visit.minister)
                break


def _score(
    topic: Topic,
    sentences: list[Sentence],
    signals: list[_SentenceSignals],
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
    for group in topic.negatives:
        if not group.pattern.may_occur(words):
            continue
        for sentence in sentences:
            for match in group.pattern.finditer(sentence.text):
                raw -= group.weight
                where = _where(sentences, sentence.index)
                hits.append(RuleHit("negative", match.group(0), where, -group.weight))
    raw = max(raw, 0.0)
    return raw / (raw + weights.scale), hits


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
    weights: Weights, sentences: list[Sentence], signals: list[_SentenceSignals], mentions: list[Mention]
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
    sentences: list[Sentence], signals: list[_SentenceSignals], mentions: list[Mention]
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


def _joined(signal: _SentenceSignals, window: list[_SentenceSignals] | None = None) -> str:
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
