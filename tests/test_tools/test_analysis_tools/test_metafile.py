"""analysis_tools.metafile: the shipped metafiles are the paper's tables."""
import os.path as osp

import pytest
from analysis_tools.metafile import (MetafileError, load_models, table_models,
                                     table_pairs)

from tests.tools_runner import REPO


@pytest.fixture(scope='module')
def models():
    return load_models()


def test_every_shipped_config_with_a_paper_number_is_in_the_index(models):
    for m in models.values():
        if m.config is not None:
            assert osp.isfile(osp.join(REPO, m.config)), m.name
            assert m.name == osp.splitext(osp.basename(m.config))[0]


def test_table1_is_six_settings_of_skcl_and_bcl(models):
    table1 = table_models(models, 'table1')
    trained = [m.name for m in table1 if m.config]
    assert len(trained) == 12
    assert {m.collection for m in table1} == {'SKCL', 'BCL', 'ConCutMix'}
    skcl = {m.paper('table1').dataset: m.paper('table1').metrics['top1']
            for m in table1 if m.collection == 'SKCL'}
    assert skcl == {'CIFAR-100-LT (imbalance 100)': 54.02,
                    'CIFAR-100-LT (imbalance 50)': 58.13,
                    'CIFAR-100-LT (imbalance 10)': 65.86,
                    'CIFAR-10-LT (imbalance 100)': 87.50,
                    'CIFAR-10-LT (imbalance 50)': 88.16,
                    'CIFAR-10-LT (imbalance 10)': 92.37}
    pairs = table_pairs(models, 'table1')
    assert len(pairs) == 6 and all(a.startswith('skcl_') and b == 'bcl_' + a[5:]
                                   for a, b in pairs)


def test_tables_2_to_4_and_the_cf_row_that_equals_bcl(models):
    assert models['skcl_resnet32_cifar100lt'].paper('table2').metrics == dict(
        top1=54.0, many=68.3, medium=54.1, few=37.2)
    assert models['bcl_resnet50_imagenetlt'].paper('table3').metrics == dict(
        top1=56.7, many=67.2, medium=53.9, few=36.5)
    # The paper's C-F-only row repeats its Table 2 BCL row digit for digit.
    assert (models['skcl_resnet32_cifar100lt_cf_only'].paper('table4').metrics
            == models['bcl_resnet32_cifar100lt'].paper('table2').metrics)
    assert table_pairs(models, 'table2') == [('skcl_resnet32_cifar100lt',
                                              'bcl_resnet32_cifar100lt')]
    assert ('skcl_resnet32_cifar100lt', 'skcl_resnet32_cifar100lt_ff_only') in \
        table_pairs(models, 'table4')
    assert [m.name for m in table_models(models, 'table3') if not m.config] == [
        'concutmix_resnet50_imagenetlt']


def _index(tmp_path, model_yaml):
    (tmp_path / 'metafile.yml').write_text('Models:\n' + model_yaml)
    (tmp_path / 'model-index.yml').write_text('Import:\n  - metafile.yml\n')
    return str(tmp_path / 'model-index.yml')


@pytest.mark.parametrize('model_yaml,message', [
    ('  - Name: a\n    Config: nowhere.py\n', 'Config nowhere.py does not exist'),
    ('  - Name: a\n    Metadata: {Tables: [table9]}\n', r"unknown table\(s\) \['table9'\]"),
    ('  - Name: a\n    Metadata: {Tables: [table1], Compared With: [b]}\n',
     r"Compared With names unknown model\(s\) \['b'\]"),
    ('  - Name: a\n    Metadata: {Tables: [table1]}\n    Results:\n'
     '      - {Table: table1, Source: paper, Metrics: {Top 5 Accuracy: 1}}\n',
     r"unknown metric\(s\) \['Top 5 Accuracy'\]"),
    ('  - Name: a\n    Results:\n      - {Table: table2, Source: paper, Metrics: {}}\n',
     r"results for \['table2'\] but Metadata.Tables is \[\]"),
    ('  - Name: a\n  - Name: a\n', 'Model name a is in both'),
])
def test_bad_metafiles_name_the_problem(tmp_path, model_yaml, message):
    with pytest.raises(MetafileError, match=message):
        load_models(_index(tmp_path, model_yaml))
