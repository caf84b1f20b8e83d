"""The rules every description follows: length, English, no duplicates."""
import pytest

from skcl_mm.semantics.description_rules import (HARD_MAX_WORDS, MAX_WORDS,
                                                 MIN_WORDS, duplicates,
                                                 language_problem,
                                                 set_problems, text_problem)

CAT = 'The cat is a small furry pet with whiskers that purrs and hunts mice.'
NOT_ENGLISH = {
    'French': 'Le chat est un petit mammifère carnivore domestique, au pelage '
              'doux et aux moustaches longues. Il chasse les souris et dort '
              'beaucoup pendant la journée.',
    'German': 'Die Katze ist ein kleines Haustier mit weichem Fell und langen '
              'Schnurrhaaren. Sie jagt Mäuse und schläft viel am Tag.',
    'Spanish': 'El gato es un pequeño mamífero carnívoro doméstico, con pelaje '
               'suave y bigotes largos. Caza ratones y duerme mucho durante el día.',
    'Italian': 'Il gatto è un piccolo mammifero carnivoro domestico, con pelo '
               'morbido e baffi lunghi. Caccia topi e dorme molto durante il giorno.',
    'Portuguese': 'O gato é um pequeno mamífero carnívoro doméstico, com pelagem '
                  'macia e bigodes longos. Caça ratos e dorme muito durante o dia.',
    'Dutch': 'De kat is een klein vleesetend huisdier met zachte vacht en lange '
             'snorharen. Hij jaagt op muizen en slaapt veel overdag.',
}


@pytest.mark.parametrize('language', sorted(NOT_ENGLISH))
def test_latin_script_languages_are_named(language):
    problem = language_problem(NOT_ENGLISH[language])
    assert problem.startswith(f"not English (the prompt's language): it reads "
                              f'as {language}')


@pytest.mark.parametrize('text', [
    '猫是一种小型食肉家养哺乳动物，毛发柔软，胡须很长。它捕捉老鼠，白天睡很多觉。cat',
    'Кошка — небольшое хищное домашнее млекопитающее с мягкой шерстью. cat',
])
def test_other_scripts_are_not_english(text):
    assert 'of its letters are not Latin letters' in text_problem(text)


@pytest.mark.parametrize('text', [
    CAT,
    'Cat: small furry feline, whiskers, purrs, hunts mice, pointed ears.',
    'The cat, called le chat in French, is a small pet that purrs at home.',
    'The tench, Tinca tinca, is a green freshwater fish of slow rivers, e.g. '
    'the Thames, with small scales and red eyes.',
    'A crème brûlée is a custard dessert with a crust of caramelised sugar.',
])
def test_english_passes(text):
    assert text_problem(text) is None


def test_length_limits():
    assert text_problem('cat ' * MIN_WORDS) is None
    assert text_problem('A cat purrs.') == ("3 words, under the floor of 5 "
                                            "('A cat purrs.' is not a description)")
    assert text_problem('Cat.').startswith('1 word, under the floor of 5')
    assert text_problem('cat ' * MAX_WORDS) is None
    assert text_problem('cat ' * 301) == '301 words, over the limit of 300'
    assert text_problem('cat ' * 301, HARD_MAX_WORDS) is None
    assert text_problem('cat ' * 601, HARD_MAX_WORDS) == \
        '601 words, over the limit of 600'
    assert text_problem('  \n') == 'empty answer'


def test_duplicates_ignore_case_and_spacing():
    texts = {'cat': CAT, 'dog': CAT.upper().replace(' ', '  \n'),
             'owl': 'An owl hunts at night.', 'lynx': CAT}
    assert duplicates(texts) == {'dog': 'cat', 'lynx': 'cat'}


def test_set_problems_sorts_errors_and_long_texts():
    texts = {'cat': CAT, 'dog': ' ' + CAT, 'owl': 'Owl.',
             'fox': NOT_ENGLISH['French'], 'yak': 'yak ' * 400,
             'elk': 'elk ' * 700}
    errors, long = set_problems(texts)
    assert set(errors) == {'dog', 'owl', 'fox', 'elk'}
    assert errors['dog'].startswith("the same text as 'cat'")
    assert 'reads as French' in errors['fox']
    assert errors['elk'] == '700 words, over the limit of 600'
    assert long == {'yak': 400}
