"""Rules a class description must follow: length, language, no duplicates.

The same rules run when an answer arrives from the LLM (a broken answer is
asked again) and when a description file is loaded for training or for
``tools/build_semantic_graph.py`` (a broken file stops the run; see
:func:`skcl_mm.semantics.descriptions.check_description_texts`):

* at least ``MIN_WORDS`` (5) words: fewer is a name or a fragment, not a
  description (the shipped sets have 50 to 151 words per class);
* at most ``MAX_WORDS`` (300, the paper's limit) for a new answer; a loaded
  file warns above 300 and refuses above ``HARD_MAX_WORDS`` (600, twice the
  limit: not an answer to the prompt);
* English, the language of the prompt (:func:`language_problem`);
* no two classes with the same text (case and spacing aside).
"""
import re
from typing import Dict, List, Optional, Tuple

MIN_WORDS = 5
MAX_WORDS = 300
HARD_MAX_WORDS = 2 * MAX_WORDS
MIN_ASCII_LETTERS = 0.8  # share of a text's letters; below: another script
FOREIGN_SHARE = 0.15     # share of a text's words; see language_problem
_LANGUAGE_MIN_WORDS = 8
_WORD = re.compile(r'[^\W\d_]+')
ENGLISH_WORDS = frozenset(
    'the a an of and or in on at to for with by from as is are was were be '
    'been its it this that these those which who their they has have had not '
    'but can may often also into than such when where while there over under '
    'between about through'.split())
# Frequent short words of other languages, without words English shares
# ('a', 'in', 'on', 'an', 'as', 'is', 'no', ...; 'e' and 'o' stay: one 'e.g.'
# in a long English text is far below the share).
FOREIGN_WORDS = {
    'French': frozenset('le la les des du est et une un dans sur avec pour qui '
                        'que sont par au aux ses leur il elle pas ou ce cette'
                        .split()),
    'German': frozenset('der die das und ist ein eine mit von zu den dem nicht '
                        'sich sie es auf für im sind einen wird'.split()),
    'Spanish': frozenset('el los las es y un una con por para del que se su '
                         'sus al lo como en muy'.split()),
    'Italian': frozenset('il lo gli della di che è e con per sono una un nel '
                         'del le la dei delle molto anche suo sua ha al'
                         .split()),
    'Portuguese': frozenset('o os um uma com não é e do da dos das em que para '
                            'na ao pelo pela seu sua mais muito também'.split()),
    'Dutch': frozenset('de het een en van met op zijn voor niet ook dat die'
                       .split()),
}


def word_count(text: str) -> int:
    """Words as the limit counts them (whitespace-separated)."""
    return len(str(text).split())


def normalise(text: str) -> str:
    """Lower case, runs of whitespace as one space: how duplicates compare."""
    return ' '.join(str(text).lower().split())


def language_problem(text: str) -> Optional[str]:
    """Why ``text`` is not English, or None.

    A cheap heuristic without dependencies: a text is refused when more than
    20% of its letters are not ASCII (another script), or when, with at least
    8 words, at least 15% of its words are frequent short words of French,
    German, Spanish, Italian, Portuguese or Dutch and those outnumber the
    English ones (every text of the shipped sets has at least 23% English
    and at most 3% such words). A terse English text without function words passes.
    """
    letters = [c for c in text if c.isalpha()]
    if letters:
        ascii_share = sum(c.isascii() for c in letters) / len(letters)
        if ascii_share < MIN_ASCII_LETTERS:
            return (f'not English (the prompt\'s language): '
                    f'{1 - ascii_share:.0%} of its letters are not Latin '
                    f'letters ({text.strip()[:40]!r})')
    words = _WORD.findall(text.lower())
    if len(words) < _LANGUAGE_MIN_WORDS:
        return None
    english = sum(w in ENGLISH_WORDS for w in words) / len(words)
    shares = {lang: sum(w in vocab for w in words) / len(words)
              for lang, vocab in FOREIGN_WORDS.items()}
    language = max(shares, key=shares.get)
    if shares[language] >= FOREIGN_SHARE and shares[language] > english:
        seen = sorted({w for w in words if w in FOREIGN_WORDS[language]})[:5]
        return (f'not English (the prompt\'s language): it reads as {language} '
                f'({shares[language]:.0%} of its words are {language} words '
                f'like {", ".join(seen)}; {english:.0%} are English ones)')
    return None


def text_problem(text: Optional[str], max_words: int = MAX_WORDS) -> Optional[str]:
    """Why one text breaks the length or language rules, or None.

    Args:
        text (str | None): The description.
        max_words (int): ``MAX_WORDS`` for a new answer, ``HARD_MAX_WORDS``
            for a loaded file.
    """
    if not text or not str(text).strip():
        return 'empty answer'
    n_words = word_count(text)
    if n_words > max_words:
        return f'{n_words} words, over the limit of {max_words}'
    language = language_problem(text)
    if language or n_words >= MIN_WORDS:
        return language
    return (f'{n_words} word{"s" if n_words != 1 else ""}, under the floor '
            f'of {MIN_WORDS} '
            f'({text.strip()[:60]!r} is not a description)')


def duplicates(texts: Dict[str, str]) -> Dict[str, str]:
    """Class -> the earlier class with the same text (case/space aside)."""
    first: Dict[str, str] = {}
    found = {}
    for name, text in texts.items():
        key = normalise(text)
        if not key:
            continue
        if key in first:
            found[name] = first[key]
        else:
            first[key] = name
    return found


def set_problems(texts: Dict[str, str]) -> Tuple[Dict[str, str], Dict[str, int]]:
    """The problems of a whole description set.

    Args:
        texts (dict[str, str]): Class name -> text.

    Returns:
        tuple: ``errors`` (class -> why it cannot be right: empty, under
        ``MIN_WORDS``, over ``HARD_MAX_WORDS``, not English, the same text as
        another class) and ``long`` (class -> word count, for texts over
        ``MAX_WORDS`` but within ``HARD_MAX_WORDS``: a warning).
    """
    errors = {}
    for name, text in texts.items():
        problem = text_problem(text, HARD_MAX_WORDS)
        if problem:
            errors[name] = problem
    for name, other in duplicates(texts).items():
        errors.setdefault(name, f'the same text as {other!r} (case and spacing '
                                'aside): two classes cannot share a description')
    long = {name: word_count(text) for name, text in texts.items()
            if name not in errors and word_count(text) > MAX_WORDS}
    return errors, long


def format_problems(problems: Dict[str, str], limit: int = 10) -> List[str]:
    """``"'name': why"`` lines, at most ``limit``, then a count of the rest."""
    lines = [f'{name!r}: {why}' for name, why in list(problems.items())[:limit]]
    if len(problems) > limit:
        lines.append(f'... and {len(problems) - limit} more')
    return lines
