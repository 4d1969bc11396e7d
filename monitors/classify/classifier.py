"""Item -> Classification: is it on topic, how sure, why, and which figures and visits it reports."""

from __future__ import annotations

from functools import lru_cache

from monitors.classify.cast import Cast
from monitors.classify.dates import as_date
from monitors.classify.entities import Mention, find_mentions
from monitors.classify.figures import extract_figures, may_have_numbers
from monitors.classify.first_pass import Words
from monitors.classify.relevance import add_role_actors, add_visit_actors, score_of, signals_of
from monitors.classify.text import article_sentences, language_of_keys
from monitors.classify.topic_model import Topic
from monitors.classify.visits import extract_visits
from monitors.models import Classification, CrossingFigure, FeedItem, RuleHit


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
    cast = Cast.of(topic, sentences, mentions, published, language, words)
    visits = extract_visits(cast, published, words)
    by_sentence: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    signals = [signals_of(topic, s, by_sentence.get(s.index, [])) for s in sentences]
    add_visit_actors(sentences, signals, visits)
    add_role_actors(cast, signals)
    score, hits = score_of(topic, sentences, signals, mentions, visits, words)
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


@lru_cache(maxsize=8)
def _first_pass(lacking: str | None) -> tuple[RuleHit, ...]:
    """The explanation of an item the first pass turned away: what it surely lacks."""
    return (RuleHit("first_pass", f"missing: {lacking}", "document", 0.0),)
