"""The seven-rank taxonomy of iNaturalist 2018 categories: unique names, levels, texts.

Every category of the release's annotation files (``train2018.json``,
``val2018.json``, COCO-style) or of its un-obfuscated ``categories.json`` is a
species with ``id``, ``name`` (the species) and ``kingdom``, ``phylum``,
``class``, ``order``, ``family``, ``genus``. A node of rank r is identified by
its whole path from the kingdom down, so two genera both called "Oenanthe"
(a bird of family Muscicapidae and a plant of family Apiaceae, both in the
release) are two nodes.

Unique names (descriptions and graph nodes are keyed by them): a name used by
one node of all seven ranks stays as it is. A name used by several nodes gets
a qualifier in parentheses on every such node:

* ``"<name> (<rank>)"`` when that tells them apart (the release's
  "Proboscidea" is an order of mammals and a genus of plants:
  ``Proboscidea (order)``, ``Proboscidea (genus)``);
* otherwise ``"<name> (<rank> in <ancestor>)"``, with the closest ancestor
  whose names differ among the nodes of that rank sharing the name
  (``Oenanthe (genus in Muscicapidae)``, ``Oenanthe (genus in Apiaceae)``;
  the placeholder order "NA" of two classes: ``NA (order in Gastropoda)``);
* the whole ancestor path joined by ``/`` when no single ancestor rank does.

Labels are the category ids in increasing order (the release's ids are
0..8141, the labels the BCL / PaCo / RIDE lists use).
"""
import json
from collections import Counter, defaultdict
from typing import Dict, List, Sequence, Tuple

from .hierarchies import Hierarchy

RANKS = ('kingdom', 'phylum', 'class', 'order', 'family', 'genus', 'species')
KEYS = RANKS[:-1] + ('name', )  # the category keys of the ranks ('name': species)
TEXT_ANCESTORS = 4  # ancestors named in a node's text (species: genus .. class)


def read_json(path: str, source: str):
    """The parsed JSON file, or a ValueError naming the line and column."""
    try:
        with open(path, 'rb') as f:
            return json.loads(f.read().decode('utf-8-sig'))
    except UnicodeDecodeError as error:
        raise ValueError(f'{source} is not UTF-8 text (byte {error.start}); is '
                         'it the extracted .json, not the .tar.gz?') from None
    except json.JSONDecodeError as error:
        raise ValueError(f'{source} is not valid JSON: line {error.lineno}, '
                         f'column {error.colno}: {error.msg}.') from None


def categories_of(content, source: str) -> List[dict]:
    """The category list of an annotation file (``{"categories": [...], ...}``)
    or of ``categories.json`` (the list itself), checked entry by entry."""
    cats = content.get('categories') if isinstance(content, dict) else content
    if not isinstance(cats, list) or not cats:
        got = (f'an object with keys {sorted(content)[:8]}' if isinstance(content, dict)
               else type(content).__name__)
        raise ValueError(
            f'{source} holds no categories: expected an iNaturalist annotation '
            'file (an object with a non-empty "categories" list, as train2018.json) '
            f'or the list of categories.json; got {got}.')
    bad = []
    for index, cat in enumerate(cats):
        problem = _category_problem(cat)
        if problem:
            bad.append(f'categories[{index}]: {problem}')
    if bad:
        raise ValueError(
            f'{source}: {len(bad)} categories are not iNaturalist categories '
            f'(an integer "id" and non-empty text "{", ".join(KEYS)}"): '
            + '; '.join(bad[:5]) + (' ...' if len(bad) > 5 else '') + '.')
    repeated = sorted(i for i, n in Counter(cat['id'] for cat in cats).items() if n > 1)
    if repeated:
        raise ValueError(f'{source}: the category ids {repeated[:10]} appear more '
                         'than once; every category needs its own id.')
    return sorted(cats, key=lambda cat: cat['id'])


def _category_problem(cat) -> str:
    if not isinstance(cat, dict):
        return f'a {type(cat).__name__}, not an object'
    missing = [key for key in ('id', ) + KEYS if key not in cat]
    if missing:
        return f'no {missing} (id {cat.get("id")!r})'
    if not isinstance(cat['id'], int) or isinstance(cat['id'], bool):
        return f'id {cat["id"]!r} is not an integer'
    empty = [key for key in KEYS if not isinstance(cat[key], str) or not cat[key].strip()]
    if empty:
        return f'id {cat["id"]}: {empty} empty or not text'
    return ''


def unique_names(paths: Sequence[Sequence[tuple]]) -> List[Dict[tuple, str]]:
    """The unique name of every node (rules: module docstring).

    Args:
        paths (list[list[tuple]]): Per rank, coarsest first, the node paths
            (names from the top rank down to the node).

    Returns:
        list[dict[tuple, str]]: Per rank, node path -> unique name.
    """
    by_name = defaultdict(list)  # name -> [(rank, path)]
    for rank, nodes in enumerate(paths):
        for path in nodes:
            by_name[path[-1]].append((rank, path))
    names = [{path: path[-1] for path in nodes} for nodes in paths]
    for name, nodes in by_name.items():
        if len(nodes) == 1:
            continue
        per_rank = defaultdict(list)
        for rank, path in nodes:
            per_rank[rank].append(path)
        for rank, group in per_rank.items():
            for path, qualifier in zip(group, _qualifiers(group, RANKS[rank])):
                names[rank][path] = f'{name} ({qualifier})'
    _check_unique(names)
    return names


def _qualifiers(group: List[tuple], rank: str) -> List[str]:
    """``rank``, or ``rank in <ancestor>`` that tells the paths apart."""
    if len(group) == 1:
        return [rank]
    for level in reversed(range(len(group[0]) - 1)):
        ancestors = [path[level] for path in group]
        if len(set(ancestors)) == len(group):
            return [f'{rank} in {a}' for a in ancestors]
    return [f'{rank} in {"/".join(path[:-1])}' for path in group]


def _check_unique(names: List[Dict[tuple, str]]) -> None:
    seen = {}
    for rank, nodes in enumerate(names):
        for path, name in nodes.items():
            other = seen.setdefault(name, (rank, path))
            if other != (rank, path):
                raise ValueError(
                    f'The taxonomy gives two nodes the name {name!r} ('
                    f'{"/".join(other[1])} and {"/".join(path)}) even after '
                    'qualifying repeated names; rename one in the categories.')


class Taxonomy:
    """The seven ranks of a category list, coarsest first.

    Args:
        categories (list[dict]): Checked categories (:func:`categories_of`),
            sorted by id; label ``i`` is ``categories[i]``.
    """

    def __init__(self, categories: Sequence[dict]):
        self.ids = [cat['id'] for cat in categories]
        self.paths = [tuple(cat[key] for key in KEYS) for cat in categories]
        self.rank_paths = []  # per rank: node paths in order of first use
        for rank in range(len(RANKS)):
            self.rank_paths.append(list(dict.fromkeys(p[:rank + 1] for p in self.paths)))
        self.names = unique_names(self.rank_paths)

    @classmethod
    def from_file(cls, path: str, source: str) -> 'Taxonomy':
        """The taxonomy of an annotation file or ``categories.json``."""
        return cls(categories_of(read_json(path, source), source))

    @property
    def classes(self) -> List[str]:
        """Unique species names in label order."""
        return [self.names[-1][path] for path in self.paths]

    @property
    def level_sizes(self) -> List[int]:
        """Nodes per rank, coarsest first."""
        return [len(nodes) for nodes in self.rank_paths]

    def label_of_id(self) -> Dict[int, int]:
        """Category id -> label (its index in increasing id order)."""
        return {cat_id: label for label, cat_id in enumerate(self.ids)}

    def hierarchy(self) -> Hierarchy:
        """All seven ranks as a :class:`Hierarchy` of unique names."""
        level_classes, fine_to_level = [], []
        for rank, nodes in enumerate(self.rank_paths):
            index = {path: i for i, path in enumerate(nodes)}
            level_classes.append([self.names[rank][path] for path in nodes])
            fine_to_level.append([index[p[:rank + 1]] for p in self.paths])
        return Hierarchy(level_classes, fine_to_level, list(RANKS))

    def texts(self) -> Dict[str, str]:
        """Unique name -> its taxonomy path as text, for every node.

        ``"<species>, a species of genus <g>, family <f>, order <o>, class
        <c>"``; a coarser node names its closest four ancestors the same way
        (``"<phylum>, a phylum of kingdom <k>"``) and a kingdom reads
        ``"<k>, a kingdom of living organisms"``.
        """
        texts = {}
        for rank, nodes in enumerate(self.rank_paths):
            for path in nodes:
                texts[self.names[rank][path]] = _path_text(
                    self.names[rank][path], rank, path)
        return texts


def _path_text(name: str, rank: int, path: Tuple[str, ...]) -> str:
    article = 'an' if RANKS[rank][0] in 'aeiou' else 'a'
    ancestors = [f'{RANKS[level]} {path[level]}'
                 for level in reversed(range(max(0, rank - TEXT_ANCESTORS), rank))]
    where = ', '.join(ancestors) if ancestors else 'living organisms'
    return f'{name}, {article} {RANKS[rank]} of {where}'
