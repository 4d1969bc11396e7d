"""Whether a number in a sentence counts people crossing or arriving, and why.

The people follow the number ("609 people", "88 Haitian migrants"), or a crossing verb does
("45,000 made the journey"), or the number is linked to people named before it ("the number of
arrivals passed 30,000"), or it is set against a figure already read ("compared with more than
120,000 a year earlier", "including 882 on Tuesday"). figures.py reads the sentences of an item and
asks this module about each number.
"""

from __future__ import annotations

import re

from monitors.classify.dates import MONTH_WORD
from monitors.classify.numbers import APPROXIMATE_WORDS, Number
from monitors.classify.patterns import COUNT_SUBJECTS
from monitors.classify.topic_model import Topic

_A = APPROXIMATE_WORDS
# An adverb between a linking verb and its number: "has now passed", "sono già".
ADVERB = r"(?:\s+(?:now|already|just|così|ora|già|ormai))?"
# What may stand between a linking verb and its number: an article, or a record ("reached a record 40,000").
ARTICLE = r"(?:\s+(?:le|i|gli|the|quota|an? (?:new )?record(?: high)?(?: of)?|un (?:nuovo )?record di))?"
# What links a number to the people named before it: "the number of arrivals passed 30,000".
_LINKING_BEFORE = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es|ing)?|r(?:o|i)sen? to|rising to|climb(?:ed|s)? to|stands? at|stood at"
    r"|was|were|is|are|totall?(?:ed|ing|s)?|hit(?:s|ting)?|pass(?:ed|es|ing)?|past|topp(?:ed|ing)|tops|top"
    r"|nears?|nearing|to|of|at|with|surpass(?:ed|es)?|over|above|recorded|registrat[ie]"
    r"|superato|superano|supera|raggiunto|raggiungono|sono stat[ie]|erano stat[ie]|sono|erano|è di|pari a|quota|a|di"
    r"|contat[ie]|furono|fu"
    r"|fell to|dropped to|drop to|rose to|fallen to|risen to|scesi a|scese a|saliti a|salite a|calati a"
    r"|(?:fell|rose|dropped|climbed|jumped|increased|decreased|went) from"
    r"|(?:fell|rose|dropped|climbed|jumped|increased|decreased|grew)(?: by)? [\d.,]+% to"
    r"|sale a|salgono a|ai|agli|intorno ai|intorno agli|attorno ai)"
    rf"{ADVERB}{ARTICLE}(?:\s+{_A})?\s*$",
    re.IGNORECASE,
)
# A year after a preposition is a date even when a noun follows: "Nel 2025 le traversate".
_YEAR_PREPOSITION = re.compile(
    r"(?:\b(?:in|of|since|by|for|until|during|nel|del|dal|al|entro|durante)|nell'|dall')\s*$", re.IGNORECASE
)
# People who are counted by what they did: "upwards of 45,000 made the journey", "350 intercepted".
_CROSSING_VERB_AFTER = re.compile(
    r"^\s*(?:who |that |che )?(?:have |had |has |were |was |are |have been |had been )?(?:now |already |since |so far )?(?:made it (?:across|to)\b|made the"
    r" (?:journey|crossing|trip|voyage)|cross(?:ed|es|ing)?\b|arriv(?:ed|es|ing)\b|arrive\b|land(?:ed|ing)?\b"
    r"|came\b|came ashore|reach(?:ed|es|ing)?\b|intercepted|picked up|brought (?:ashore|to (?:shore|land|safety))"
    r"|detected|(?:sono|erano) (?:sbarcat|arrivat|approdat|giunt)\w*|hanno (?:attraversato|raggiunto)"
    r"|sbarcat[ie]|arrivat[ie]|giunt[ie])",
    re.IGNORECASE,
)
# The year so far, named in a sentence of its own after a figure.
SO_FAR_HERE = re.compile(
    r"\bso far\b|\bthis year\b|\bsince January\b|\bsince the start of the year\b|dall'inizio dell'anno"
    r"|\bda inizio anno\b|\bquest'anno\b|\bfinora\b|\bdal primo gennaio\b|\bdal 1° gennaio\b",
    re.IGNORECASE,
)
# A nationality's share told as the largest group: "Afghans were the largest nationality, at some 5,900".
LARGEST_GROUP = re.compile(
    r"\b(?:largest|biggest|main|top) (?:single )?(?:nationality|nationalities|group|groups)\b"
    r"|\bprima nazionalità\b|\bprevalgono\b|\bnazionalità più rappresentat[ae]\b",
    re.IGNORECASE,
)
_AT_BEFORE = re.compile(
    rf"\b(?:largest|biggest|main|top)\b[^.;:0-9]{{0,40}},? at\s+(?:{_A}\s+)?$", re.IGNORECASE
)
# Landings counted in thousands are people landing, not boats: "44mila sbarchi dall'inizio dell'anno".
_LANDINGS_AFTER = re.compile(r"(?:sbarchi|landings)\b", re.IGNORECASE)
# Italian puts the verb first: "Dall'inizio dell'anno ne sono sbarcati oltre 127mila".
_CROSSING_VERB_BEFORE = re.compile(
    r"\b(?:(?:ne\s+)?(?:sono|erano)\s+(?:stat[ie]\s+)?(?:già\s+|ormai\s+)?(?:sbarcat|arrivat|approdat|giunt|entrat)[ie]"
    r"|(?:se\s+)?ne\s+(?:contano|contavano|registrano|sono contat[ie]|sono registrat[ie]))"
    rf"\s+(?:(?:altri|altre|ulteriori)\s+)?(?:{_A}\s+)?$",
    re.IGNORECASE,
)
# A noun that names the count itself, so a number linked to it counts people: "the total passed".
SUBJECT_BEFORE = re.compile(COUNT_SUBJECTS, re.IGNORECASE)
# A sentence that sets a count against another: "up from", "rispetto allo stesso periodo".
COMPARISON = re.compile(
    r"than|compared|same (?:period|point|time|stage)|this time last year|at this point last year|up from|down from"
    r"|rispetto|stesso periodo|a fronte|contro|including|di cui|year before|un anno fa|a year ago"
    r"|primato|previous record|superando|(?:a )?(?:fall|rise|drop|increase) of|erano stat[ie]",
    re.IGNORECASE,
)
# A second number set against a figure already read: "compared with more than 120,000", "contro i 157.651".
_COMPARED_BEFORE = re.compile(
    r"(?:compared (?:with|to)|against|from|than|up from|down from|versus|vs\.?|contro|including|compresi"
    r"|di cui|rispetto (?:a|ai|agli|alle|al|allo)|a fronte (?:di|dei|degli|delle)|(?:più|meno|doppio) d(?:i|ei|egli|elle)"
    r"|as the|record (?:di|of)|lontan[oi] da(?:i|gli|lle)?|far from|erano stat[ie]|erano|were|but (?:just|only)|ma (?:solo|appena)"
    # "twice the 66,000", "la metà dei 55mila", "after 29,437 in 2023", "dopo le 5mila di ieri"
    r"|twice|double|triple|half|(?:la )?metà d(?:ei|egli|elle)|(?:il )?triplo d(?:ei|egli|elle)|after|dopo"
    # "a rise of a quarter on the 29,437", "far below the 157,651", "identico ai 66.317"
    r"|(?:rise|increase|jump|fall|drop|decrease|up|down)(?: (?:of|by) [\w\s%]{1,25})? on"
    # "in calo del 60% sui 45mila", "in aumento rispetto ai 41mila", "tre volte le 12.758", "un terzo delle 23mila"
    r"|(?:in calo|in aumento|in crescita|in diminuzione|calat[oie]|cresciut[oie]|aumentat[oie]|diminuit[oie])"
    r"(?: del [\d.,]+\s?%)? (?:sui|sugli|sulle|sul|rispetto (?:ai|agli|alle|al))"
    r"|(?:due|tre|quattro|cinque|dieci) volte|(?:three|four|five|ten) times"
    r"|(?:un terzo|un quarto|un quinto|la metà|a third|a quarter|a fifth|half) (?:d(?:ei|egli|elle)|of)"
    r"|(?:far |well |just |already )?(?:below|above|short of|beyond)"
    r"|(?:identic[oa]|pari|simile|vicin[oa]|in linea con|analog[oa]) (?:a|ai|agli|alle|al|con i|con gli)|close to)\s+"
    r"(?:(?:i|gli|le|the)\s+)?(?:record(?: of)?\s+)?"
    rf"(?:{_A}\s+)?$",
    re.IGNORECASE,
)
# What may follow a number that counts the people of the figure before it.
_BARE_AFTER = re.compile(
    r"^\s*(?:[,.;:)]|$|in\b|on\b|at\b|by\b|set\b|e oltre\b|and more\b|or more\b|a year|un anno\b"
    r"|the (?:previous|same|year)|last\b|del\b|dello\b|nel\b"
    r"|nello\b|di\b|dell'|l'anno|over\b|during\b|for\b|who\b|che\b|registrat\w*|recorded|arriv\w*|sbarcat\w*"
    rf"|of (?:the same|last|(?:19|20)\d\d|(?:{MONTH_WORD.pattern})))",
    re.IGNORECASE,
)
_STRONG_LINK = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es)?|totall?(?:ed|ing|s)|topped|surpassed|passed|fell to|dropped to|rose to"
    r"|superato|supera|raggiunto|sono stat[ie]|erano stat[ie]|scesi a|scese a|saliti a|salite a|calati a|sale a"
    r"|registrat[ie]|recorded)"
    rf"{ADVERB}{ARTICLE}(?:\s+{_A})?\s*$",
    re.IGNORECASE,
)
# What may follow a number whose people were named before it.
_AFTER_LINKED = re.compile(
    r"^\s*(?:[,.;:)\-–—]|$|in\b|on\b|this\b|so far|last\b|since\b|by\b|as\b|and\b|with\b|yesterday\b|is\b|was\b|è\b"
    r"|today\b|according\b|nel\b|nello\b|nella\b|negli\b|nell'|dal|during\b|for\b|ieri\b|oggi\b|unità\b|after\b|dopo\b"
    r"|a\b|ad\b|contro\b|rispetto\b|compared\b|against\b|up\b|down\b|recorded\b|registrat\w*|set\b|su\b|to\b)",
    re.IGNORECASE,
)
# A milestone the count passed: "Crossings this year have now passed the 19,000 mark".
_MARK_BEFORE = re.compile(
    r"\b(?:pass(?:ed|es|ing)?|past|topp(?:ed|ing)|tops?|hit(?:s|ting)?|reach(?:ed|es|ing)?|surpass(?:ed|es|ing)?"
    r"|cross(?:ed|es|ing)?|broke|break(?:s|ing)?|exceed(?:ed|s|ing)?|nears?|nearing)\s+the\s+$",
    re.IGNORECASE,
)
_LIST_ITEM_BEFORE = re.compile(r"[:,]\s+(?-i:[A-Z][a-zà-ù]+)\s+$")
_COLON_BEFORE = re.compile(rf"\w\s*:\s*(?:{_A}\s+)?$", re.IGNORECASE)
_MARK_AFTER = re.compile(r"^[\s-]*(?:mark|milestone|threshold|barrier)\b", re.IGNORECASE)
# After the people a number counts: "40 people have died" counts deaths.
_AUXILIARY = re.compile(
    r"^\s*(?:have|has|had|were|was|are|is|sono|erano|hanno|è)?\s*(?:been|stati|state)?\s*"
)
# Words that may stand between a number and the people it counts: "609 more people", "88 Haitian migrants".
_FILLER = re.compile(
    r"^\s*(?:(?:more|other|further|new|additional|irregular|illegal|undocumented|small[- ]boat|boat|desperate|sea"
    r"|migrant|Channel|maritime|i|gli|le|single|adult|male|unaccompanied|young|altri|nuovi|ulteriori"
    r"|(?-i:[A-Z][a-z]+(?:an|ese|ish|i))"
    # an inverted Italian subject: "Tocca quota 17.000 il numero dei migranti arrivati"
    r"|il (?:numero|totale|conto) d(?:ei|egli|elle))\s+)*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,.;:()]|\s[-–—]\s")
_RANGE_START = re.compile(r"\b(?:from|da|dai|dagli)\s+$", re.IGNORECASE)
_NAMED_YEAR_AFTER = re.compile(r"^\s+(?:in|nel)\s+(?:19|20)\d\d\b", re.IGNORECASE)
_DEATHS_BEFORE = re.compile(r"\b(?:deaths?|died|dead|toll|morti|vittime|decessi)\b", re.IGNORECASE)
# The count a linked number belongs to, when it is not of crossings: "i rimpatri ... hanno superato
# quota 5mila" (the last of these or of SUBJECT_BEFORE's nouns before the number names it).
_OTHER_SUBJECT = re.compile(
    r"\b(?:deaths?|toll|morti|vittime|decessi|returns|removals|deportations|rimpatri|espulsioni|rimpatriati"
    r"|espulsi|applications|claims|domande|richieste|backlog|arretrato|hotels?|awaiting|decisions?)\b",
    re.IGNORECASE,
)
# A share of the people counted before: "Of the 40,000 who crossed, around 12,000 were Albanian".
_SHARE_AFTER = re.compile(
    r"^\s+(?:of them\s+|di loro\s+)?(?:were|are|erano|sono)\s+(?:(?-i:[A-Z][a-z]+(?:an|ese|ish|i)s?)|[a-z]+(?:esi|ani|eni|ini|ei))\b",
    re.IGNORECASE,
)
_INTRINSIC = re.compile(r"arrivals|crossings|arrivi|traversate|sbarcati", re.IGNORECASE)


def counts_people(topic: Topic, sentence: str, token: Number, has_context: bool, follows: bool) -> str:
    """Why `token` counts people crossing ("" when it does not); see the module docstring.
    `follows`: the sentence comes right after one with a figure ("ne erano stati registrati N")."""
    after = sentence[token.end :]
    before = sentence[: token.start]
    # "55 people who had crossed ... were returned to France": the clause says what they did.
    clause = _CLAUSE_END.split(after, maxsplit=1)[0][:100]
    if topic.figure_exclude_clause.search(clause):
        return ""
    rest = after[_FILLER.match(after).end() :]  # type: ignore[union-attr]
    if has_context and not token.is_year and token.value >= 1000 and _LANDINGS_AFTER.match(rest):
        return "thousands of landings are people"  # "circa 44mila sbarchi" (not "37 sbarchi", boats)
    noun = topic.figure_people.match(rest)
    if noun:
        if token.is_year and (_YEAR_PREPOSITION.search(before) or _INTRINSIC.match(noun.group(0))):
            return ""  # "Nel 2025 le traversate", "Italy's 2023 arrivals"
        if topic.figure_exclude_after.match(rest):
            return ""
        tail = rest[noun.end() :]
        tail = tail[_AUXILIARY.match(tail).end() :]  # type: ignore[union-attr]
        if topic.figure_exclude_after.match(tail):
            return ""
        return (
            f"people after it ('{noun.group(0)}')" if has_context or _INTRINSIC.match(noun.group(0)) else ""
        )
    if follows and not token.word and not token.is_year and _SHARE_AFTER.match(after):
        return "a share of the people before it"  # "Around 13,000 of them were Albanian."
    if token.word or token.is_year or topic.figure_exclude_after.match(rest) or not has_context:
        return ""
    if _CROSSING_VERB_AFTER.match(after):
        return "a crossing verb after it"
    if _CROSSING_VERB_BEFORE.search(before[-60:]) and _AFTER_LINKED.match(after):
        return "a crossing verb before it"
    if LARGEST_GROUP.search(before[-70:]) and _AT_BEFORE.search(before[-30:]):
        return "a share of the people before it: the largest group"  # "Afghans were the largest, at 5,600"
    if _SHARE_AFTER.match(after) and (
        follows or COMPARISON.search(before) or re.search(r"\bof the\b", before, re.IGNORECASE)
    ):
        return "a share of the people before it"
    if _RANGE_START.search(before[-30:]) and _NAMED_YEAR_AFTER.match(after):
        return "the start of a range in a named year"  # "from 299 in 2018 to possibly 50,000"
    if re.match(r"^\s*\)", after) and before.rstrip().endswith("("):
        return (
            "in brackets after a figure"
            if COMPARISON.search(sentence) or SUBJECT_BEFORE.search(before)
            else ""
        )
    if (
        ":" in before
        and _LIST_ITEM_BEFORE.search(before[-30:])
        and SUBJECT_BEFORE.search(before)
        and _AFTER_LINKED.match(after)
    ):
        return "a count listed after a colon"  # "figures read: Thursday 755, Friday 339", "Italy 133,000, Spain 40,000"
    if _COLON_BEFORE.search(before[-40:]) and SUBJECT_BEFORE.search(before) and _AFTER_LINKED.match(after):
        return "the count a colon gives its subject"  # "Crossings so far in 2024: 12,313"
    if _MARK_AFTER.match(after) and _MARK_BEFORE.search(before[-40:]) and SUBJECT_BEFORE.search(before):
        return "a milestone the count passed"
    # "the number of people crossing ... exceeded 34,500": the people come before the number.
    if _AFTER_LINKED.match(after):
        if _DEATHS_BEFORE.search(before[-40:]):
            return ""  # "Crossing deaths this year pass 50"
        if _counts_something_else(before[-80:]):
            return ""  # "i rimpatri forzati, che nel 2024 hanno superato quota 5mila"
        if _LINKING_BEFORE.search(before[-80:]) and (
            topic.figure_people.search(before) or SUBJECT_BEFORE.search(before)
        ):
            return "linked to the people before it"
        # "... dal primo gennaio. Un anno fa erano poco più di 70mila.": set against the figure before
        if follows and COMPARISON.search(sentence) and _LINKING_BEFORE.search(before[-80:]):
            return "compared with the figure before it"
        # "Nell'ultima settimana 8mila arrivi. Dall'inizio dell'anno sono quasi 95mila.": the same people so far
        if follows and SO_FAR_HERE.search(sentence) and _LINKING_BEFORE.search(before[-80:]):
            return "a running total after the figure before it"
        # "Nel 2023 erano stati 157.651, nel 2024 sono scesi a 66.317: il crollo degli sbarchi"
        if _STRONG_LINK.search(before[-80:]) and (SUBJECT_BEFORE.search(sentence) or follows):
            return "a total linked to crossings"
    return ""


def _counts_something_else(before: str) -> bool:
    """The last count noun before a linked number is not of crossings (returns, deaths, claims)."""
    other = [m.end() for m in _OTHER_SUBJECT.finditer(before)]
    if not other:
        return False
    crossing = [m.end() for m in SUBJECT_BEFORE.finditer(before)]
    return not crossing or other[-1] > crossing[-1]


def compared(sentence: str, token: Number) -> bool:
    """A number set against a figure of the same sentence: "compared with more than 120,000 by ..."."""
    return (
        not token.word
        and not token.is_year
        and token.value >= 100
        and bool(_COMPARED_BEFORE.search(sentence[max(0, token.start - 80) : token.start]))
        and bool(_BARE_AFTER.match(sentence[token.end :]))
    )
